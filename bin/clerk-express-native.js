#!/usr/bin/env node
'use strict'

// `clerk-express-native inspect`: why is this request signed out? Argument
// parsing and printing only; the work is in lib/inspect/.

const fs = require('node:fs')

const HELP = `Usage: clerk-express-native inspect [token] [options]
       clerk-express-native inspect [options] --request request.http
       clerk-express-native inspect [options] -- curl -H 'Authorization: Bearer …' -b '__session=…' https://host/path

Shows a token's decoded header and claims, its time claims against now, and
the decision clerkMiddleware() of this package makes for the request: status,
reason and message as in the x-clerk-auth-* headers, the redirect of a
handshake, and a hint.

Input (one of):
  <token>                     a session or machine token (sent as "Authorization: Bearer <token>")
  --request <file>            a raw HTTP request: request line and headers ("-" for stdin)
  -- curl <curl arguments>    a curl command: -H/--header, -b/--cookie (cookies, or a cookie file), -X/--request,
                              -A, -e and the URL
  (nothing)                   stdin: a token or a raw HTTP request

Keys and options (flags win over the environment):
  --secret-key <sk>           CLERK_SECRET_KEY (printed masked)
  --machine-secret-key <ak>   CLERK_MACHINE_SECRET_KEY (printed masked): verifies M2M tokens with --fetch-jwks
  --publishable-key <pk>      CLERK_PUBLISHABLE_KEY
  --jwt-key <pem or file>     CLERK_JWT_KEY: the PEM public key; verifies offline
  --api-url <url>             CLERK_API_URL (with --fetch-jwks)
  --api-version <v>           CLERK_API_VERSION
  --domain <d>                CLERK_DOMAIN
  --proxy-url <url>           CLERK_PROXY_URL
  --sign-in-url <url>         CLERK_SIGN_IN_URL
  --is-satellite              CLERK_IS_SATELLITE
  --authorized-parties <a,b>  the authorizedParties option
  --audience <a,b>            the audience option
  --clock-skew-ms <n>         the clockSkewInMs option (default 5000)

Output:
  --fetch-jwks                let the middleware fetch the JWKS (and verify machine tokens) with the
                              secret key; without it and without a PEM key, verification is skipped
  --json                      one JSON object
  --show-token                print the token whole (default: first 10 … last 6 characters)
  -h, --help                  this help

Exit status: 0 when the request was inspected, 2 on a usage or input error.
`

const VALUE_FLAGS = {
  '--secret-key': 'secretKey',
  '--machine-secret-key': 'machineSecretKey',
  '--publishable-key': 'publishableKey',
  '--jwt-key': 'jwtKey',
  '--api-url': 'apiUrl',
  '--api-version': 'apiVersion',
  '--domain': 'domain',
  '--proxy-url': 'proxyUrl',
  '--sign-in-url': 'signInUrl',
  '--authorized-parties': 'authorizedParties',
  '--audience': 'audience',
  '--clock-skew-ms': 'clockSkewInMs',
  '--request': 'requestFile',
}
const BOOLEAN_FLAGS = { '--fetch-jwks': 'fetchJwks', '--json': 'json', '--show-token': 'showToken', '--is-satellite': 'isSatellite', '-h': 'help', '--help': 'help' }

class UsageError extends Error {}

function parseArgs(argv) {
  const flags = {}
  const positional = []
  let curl = null
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      curl = argv.slice(i + 1)
      break
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    const name = eq > 0 ? arg.slice(0, eq) : arg
    if (VALUE_FLAGS[name]) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i]
      if (value === undefined) throw new UsageError(`${name} needs a value`)
      flags[VALUE_FLAGS[name]] = value
    } else if (BOOLEAN_FLAGS[name]) {
      flags[BOOLEAN_FLAGS[name]] = true
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option ${arg}`)
    } else {
      positional.push(arg)
    }
  }
  return { flags, positional, curl }
}

const readStdin = () => fs.readFileSync(0, 'utf8')

/** The request to inspect, from whichever input form was given. */
function readRequest({ flags, positional, curl }) {
  const input = require('../lib/inspect/request')
  const given = [positional.length > 0, flags.requestFile !== undefined, curl !== null].filter(Boolean).length
  if (given > 1) throw new UsageError('give one input: a token, --request <file>, or -- curl …')
  if (positional.length > 1) throw new UsageError('one token at a time')
  if (curl !== null) {
    if (curl.length === 0) throw new UsageError('nothing after --: give a curl command')
    return input.fromCurl(curl)
  }
  if (flags.requestFile !== undefined) {
    const text = flags.requestFile === '-' ? readStdin() : fs.readFileSync(flags.requestFile, 'utf8')
    return input.fromRawHttp(text)
  }
  let text = positional[0]
  if (text === undefined || text === '-') {
    if (text === undefined && process.stdin.isTTY) throw new UsageError('no input: give a token, --request <file>, -- curl …, or pipe one to stdin')
    text = readStdin()
  }
  if (input.isRawHttp(text)) return input.fromRawHttp(text)
  if (!text.trim()) throw new UsageError('the input is empty')
  return input.fromToken(text)
}

async function main(argv) {
  const [command, ...rest] = argv
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(HELP)
    return command === undefined ? 2 : 0
  }
  if (command !== 'inspect') throw new UsageError(`unknown command ${command}: the command is "inspect"`)
  const parsed = parseArgs(rest)
  if (parsed.flags.help) {
    process.stdout.write(HELP)
    return 0
  }
  const request = readRequest(parsed)
  const { inspect } = require('../lib/inspect/inspect')
  const { renderText, renderJson } = require('../lib/inspect/render')
  const report = await inspect(request, parsed.flags)
  const render = parsed.flags.json ? renderJson : renderText
  process.stdout.write(`${render(report, { showToken: !!parsed.flags.showToken })}\n`)
  return 0
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err) => {
    const usage = err instanceof UsageError
    process.stderr.write(`clerk-express-native: ${err.message}\n${usage ? 'See: clerk-express-native inspect --help\n' : ''}`)
    process.exitCode = 2
  },
)
