'use strict'

// Child process of the HTTP benchmark: runs autocannon against one server
// and prints a JSON summary on stdout. A process of its own so the parent
// can pin it to another core than the server.
//
// argv[2]: JSON `{ url, headers, connections, durationSeconds, waitForGo }`.
// With `waitForGo`, it prints `ready` on stderr once loaded and starts when
// a line arrives on stdin, so that two generators can start together.

const autocannon = require('autocannon')

const { url, headers, connections, durationSeconds, waitForGo } = JSON.parse(process.argv[2])

const start = () =>
  autocannon(
    { url, connections, duration: durationSeconds, headers },
    report,
  )

if (waitForGo) {
  process.stdin.once('data', () => {
    process.stdin.pause()
    start()
  })
  process.stderr.write('ready\n')
} else {
  start()
}

function report(err, result) {
  if (err) {
    process.stderr.write(`${err.stack || err}\n`)
    process.exit(1)
  }
  const summary = {
    requests: result.requests.total,
    durationSeconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`)
}
