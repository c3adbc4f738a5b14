'use strict'

// A real redis-server for the tests of the shared user cache, on a free
// loopback port, in a temporary directory, with persistence off (a restart
// starts empty, as after a crash of a cache-only Redis). It can be stopped
// and started again on the same port to play an outage.
//
// Without redis-server on PATH the tests are skipped, unless CI is set: there
// they must run, so they fail (.ci/run installs it).

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')

const READY_WITHIN_MS = 5000

/** The redis-server executable on PATH, or null. */
function redisServerPath() {
  for (const dir of (process.env.PATH || '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, process.platform === 'win32' ? 'redis-server.exe' : 'redis-server')
    try {
      fs.accessSync(candidate, fs.constants.X_OK)
      return candidate
    } catch {}
  }
  return null
}

/** node:test's `skip` option: a reason outside CI when redis-server is missing; in CI the tests run (and fail). */
function skipWithoutRedis() {
  if (redisServerPath() || process.env.CI) return false
  return 'redis-server is not installed (set CI to make this a failure)'
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** Whether the server answers PING with PONG (it accepts connections and is not loading). */
function answersPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' })
    let answer = ''
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      answer += chunk
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'))
    })
  })
}

/**
 * Starts redis-server. Returns `{url, port, stop({signal}), start(), close()}`:
 * `stop` ends the server (SIGKILL by default: a crash), `start` starts it
 * again on the same port, `close` stops it for good and removes its directory.
 */
async function startRedisServer() {
  const executable = redisServerPath()
  if (!executable) throw new Error('redis-server is not installed (CI is set, so the shared user cache tests must run)')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerk-redis-'))
  let port = await freePort()
  let child = null
  let output = ''

  async function start() {
    output = ''
    child = spawn(executable, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(`exited (${signal || code})`)))
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const deadline = Date.now() + READY_WITHIN_MS
    while (Date.now() < deadline) {
      const early = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20))])
      if (early) throw new Error(`redis-server ${early} on port ${port}:\n${output}`)
      if (await answersPing(port)) return
    }
    throw new Error(`redis-server did not accept connections on port ${port} within ${READY_WITHIN_MS} ms:\n${output}`)
  }

  async function stop({ signal = 'SIGKILL' } = {}) {
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    await exited
  }

  // The free port may be taken between the check and the bind: try another.
  for (let attempt = 1; ; attempt++) {
    try {
      await start()
      break
    } catch (err) {
      await stop()
      if (attempt === 3) throw err
      port = await freePort()
    }
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    close: async () => {
      await stop()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

module.exports = { startRedisServer, redisServerPath, skipWithoutRedis }
