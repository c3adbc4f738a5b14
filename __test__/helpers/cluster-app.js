'use strict'

// Run as a child process by cluster.test.js: a node:cluster primary that
// forks `workers` processes; each loads the package and serves an Express 5
// app with clerkMiddleware on the port they share, answering GET /me with
// the request's userId and the pid of the process that answered.
//
// The primary prints one JSON line once every worker listens
// ({ port, workers: [{ pid, rss }] }). When its stdin ends it asks every
// worker for its RSS again, disconnects them all and prints one JSON line
// with how each one exited ({ workers: [{ pid, rss, code, signal,
// exitedAfterDisconnect }] }). Nothing calls process.exit: the workers and
// the primary must end by themselves once disconnected, as a server shut
// down gracefully does.
//
// argv: apiUrl, workers (default 4)

const cluster = require('node:cluster')
const path = require('node:path')

const SECRET_KEY = 'sk_test_cluster'
const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'

const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`)

if (cluster.isPrimary) {
  const count = Number(process.argv[3] ?? 4)
  // The workers are forked with the primary's argv, env and execArgv, so
  // that they run under the same NODE_OPTIONS (the hardened run of npm test).
  const workers = Array.from({ length: count }, () => cluster.fork())
  const exited = workers.map(
    (worker) =>
      new Promise((resolve) =>
        worker.once('exit', (code, signal) => resolve({ code, signal, exitedAfterDisconnect: worker.exitedAfterDisconnect })),
      ),
  )
  // A worker that dies before it listens fails the start instead of hanging it.
  const listening = workers.map(
    (worker, i) =>
      new Promise((resolve, reject) => {
        worker.once('listening', (address) => resolve(address.port))
        exited[i].then(({ code, signal }) => reject(new Error(`worker ${worker.process.pid} exited with ${signal || code} before listening`)))
      }),
  )
  const rssOf = (worker) =>
    new Promise((resolve) => {
      worker.once('message', (message) => resolve(message.rss))
      worker.send('rss')
    })
  const report = () => Promise.all(workers.map(async (worker) => ({ pid: worker.process.pid, rss: await rssOf(worker) })))

  const main = async () => {
    const ports = await Promise.all(listening)
    print({ port: ports[0], workers: await report() })
    process.stdin.resume()
    await new Promise((resolve) => process.stdin.once('end', resolve))
    const afterLoad = await report()
    cluster.disconnect()
    const exits = await Promise.all(exited)
    print({ workers: afterLoad.map((worker, i) => ({ ...worker, ...exits[i] })) })
  }
  main().catch((err) => {
    process.stderr.write(`${err.stack}\n`)
    process.exitCode = 1
    for (const worker of workers) if (!worker.isDead()) worker.kill()
    process.stdin.destroy()
  })
} else {
  const express = require('express')
  const { clerkMiddleware, getAuth } = require(path.join(__dirname, '..', '..'))
  const app = express()
  app.use(clerkMiddleware({ secretKey: SECRET_KEY, publishableKey: PK_TEST, apiUrl: process.argv[2] }))
  app.get('/me', (req, res) => res.json({ userId: getAuth(req).userId, pid: process.pid }))
  // In a cluster, listen(0) gives every worker the same port.
  app.listen(0, '127.0.0.1')
  process.on('message', (message) => {
    if (message === 'rss') process.send({ rss: process.memoryUsage.rss() })
  })
}
