'use strict'

// The hardened pass of `npm test` (scripts/test.js) runs the suite with
// code generation from strings refused, as hardened deployments run Node.
// Express 4 (through depd) and Prism (through its schema compiler) generate
// code themselves, so they cannot run there: Express 4 apps are tested in the
// other passes, and Prism, a fake server rather than what is tested, is
// started without the flag.

const FLAG = '--disallow-code-generation-from-strings'

const HARDENED = process.execArgv.includes(FLAG) || (process.env.NODE_OPTIONS ?? '').split(/\s+/).includes(FLAG)

/** The environment for a helper process that is not under test: without the flag. */
function unhardenedEnv(env = process.env) {
  const options = (env.NODE_OPTIONS ?? '').split(/\s+/).filter((option) => option && option !== FLAG)
  return { ...env, NODE_OPTIONS: options.join(' ') }
}

module.exports = { HARDENED, unhardenedEnv }
