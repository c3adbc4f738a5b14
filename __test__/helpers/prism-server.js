'use strict'

// Starts the Prism mock server (@stoplight/prism-cli, a devDependency) on
// 127.0.0.1 for an OpenAPI spec and stops it again. A Prism that does not
// come up in time, or exits early, is an error that carries Prism's output;
// a Prism that is still running when the test process exits is killed.

const { spawn } = require('node:child_process')
const { unhardenedEnv } = require('./hardened')
const net = require('node:net')
const path = require('node:path')

const PRISM_CLI = path.join(path.dirname(require.resolve('@stoplight/prism-cli/package.json')), 'dist', 'index.js')
// Prism prints one line per spec operation before this one.
const LISTENING = /Prism is listening on (http:\/\/\S+)/
const MAX_OUTPUT = 64 * 1024
const EXIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP']

/** A port that was free a moment ago (Prism needs a number up front). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/**
 * @param spec path of the OpenAPI document
 * @param options.args extra `prism mock` arguments (for example `['-d', '--seed', 'clerk']`)
 * @param options.timeoutMs how long Prism may take to start listening
 * @returns {url, output(), stop()}
 */
async function startPrism(spec, options = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startPrismOnce(spec, await freePort(), options)
    } catch (err) {
      // Another process took the port between `freePort()` and Prism's listen.
      if (attempt === 3 || !err.message.includes('EADDRINUSE')) throw err
    }
  }
}

async function startPrismOnce(spec, port, { args = [], timeoutMs = 45000 }) {
  // Single process: Prism's multiprocess mode forks a worker that `stop()` would not reach.
  const child = spawn(
    process.execPath,
    [PRISM_CLI, 'mock', '--multiprocess=false', '-h', '127.0.0.1', '-p', String(port), ...args, spec],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...unhardenedEnv(), NODE_ENV: 'test' } },
  )
  let output = ''
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  // The test process may end without `after` hooks: on exit, or on a signal (a test runner's timeout).
  const killOnExit = () => child.kill('SIGKILL')
  const killOnSignal = (signal) => {
    killOnExit()
    removeExitHandlers()
    process.kill(process.pid, signal)
  }
  const removeExitHandlers = () => {
    process.removeListener('exit', killOnExit)
    for (const signal of EXIT_SIGNALS) process.removeListener(signal, killOnSignal)
  }
  process.once('exit', killOnExit)
  for (const signal of EXIT_SIGNALS) process.once(signal, killOnSignal)

  const stop = async () => {
    removeExitHandlers()
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(timer)
    }
  }

  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Prism did not start within ${timeoutMs} ms`)), timeoutMs)
      const onData = (chunk) => {
        output = (output + chunk).slice(-MAX_OUTPUT)
        const listening = LISTENING.exec(output)
        if (listening) {
          clearTimeout(timer)
          resolve(listening[1])
        }
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      child.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
      exited.then(({ code, signal }) => {
        clearTimeout(timer)
        reject(new Error(`Prism exited before listening (code ${code}, signal ${signal})`))
      })
    })
    return { url, output: () => output, stop }
  } catch (err) {
    await stop()
    err.message += `\n--- Prism output ---\n${output}`
    throw err
  }
}

module.exports = { startPrism }
