'use strict'

// Run as a child process by worker-threads.test.js: several worker threads
// load the package at once and authenticate concurrently against the same
// fake Backend API; one worker is terminated while its JWKS fetch is in
// flight. Then the main thread authenticates too, prints what happened as
// JSON and ends without `process.exit`: the process must exit by itself.
//
// argv: apiUrl, token, workers, requestsPerWorker
//
// With `restart` first (argv: restart, apiUrl, token): only worker threads
// load the addon, one after the other. The first is terminated while its
// JWKS fetch is in flight; that ends the last environment holding the addon,
// so napi shuts its async runtime down and starts a new one for the second
// worker, which must still be served by the same process-wide key cache.

const path = require('node:path')
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads')

const PACKAGE = path.join(__dirname, '..', '..')
const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'

/** `count` concurrent requests through the middleware; resolves to how many signed in. */
function authenticateMany(apiUrl, token, count) {
  const pkg = require(PACKAGE)
  const middleware = pkg.clerkMiddleware({ secretKey: 'sk_test_worker_threads', publishableKey: PK_TEST, apiUrl })
  const once = () =>
    new Promise((resolve, reject) => {
      const req = {
        method: 'GET',
        url: '/',
        originalUrl: '/',
        headers: { host: 'localhost', authorization: `Bearer ${token}` },
        connection: {},
      }
      const res = { writableEnded: false, appendHeader() {}, status: () => res, end: () => resolve(false) }
      middleware(req, res, (err) => (err ? reject(err) : resolve(pkg.getAuth(req).userId !== null)))
    })
  return Promise.all(Array.from({ length: count }, once)).then((results) => results.filter(Boolean).length)
}

function spawnWorkerWith(data) {
  const worker = new Worker(__filename, { workerData: data })
  const exited = new Promise((resolve) => worker.once('exit', resolve))
  const answered = new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  return { worker, exited, answered }
}

if (isMainThread && process.argv[2] === 'restart') {
  const [apiUrl, token] = process.argv.slice(3)
  const main = async () => {
    const first = spawnWorkerWith({ mode: 'wait', apiUrl, token })
    await first.answered
    const firstExit = await first.worker.terminate()
    const second = spawnWorkerWith({ mode: 'authenticate', apiUrl, token, count: 20 })
    const signedIn = await second.answered
    const secondExit = await second.exited
    process.stdout.write(`${JSON.stringify({ firstExit, signedIn, secondExit })}\n`)
  }
  main().catch((err) => {
    process.stderr.write(`${err.stack}\n`)
    process.exitCode = 1
  })
} else if (isMainThread) {
  const [apiUrl, token, workerCount, requestsPerWorker] = process.argv.slice(2)
  const spawnWorker = (mode) => spawnWorkerWith({ mode, apiUrl, token, count: Number(requestsPerWorker) })
  const main = async () => {
    // The one to terminate starts first, so its request is waiting on the fetch.
    const doomed = spawnWorker('wait')
    const workers = Array.from({ length: Number(workerCount) }, () => spawnWorker('authenticate'))
    await doomed.answered // it has started authenticating
    const doomedExit = await doomed.worker.terminate()
    const signedIn = await Promise.all(workers.map((w) => w.answered))
    const exitCodes = await Promise.all(workers.map((w) => w.exited))
    // The process-wide runtime and caches still serve the main thread.
    const mainSignedIn = await authenticateMany(apiUrl, token, 10)
    process.stdout.write(`${JSON.stringify({ signedIn, exitCodes, doomedExit, mainSignedIn })}\n`)
  }
  main().catch((err) => {
    process.stderr.write(`${err.stack}\n`)
    process.exitCode = 1
  })
} else if (workerData.mode === 'wait') {
  authenticateMany(workerData.apiUrl, workerData.token, 5)
  parentPort.postMessage('started')
} else {
  authenticateMany(workerData.apiUrl, workerData.token, workerData.count).then((count) => parentPort.postMessage(count))
}
