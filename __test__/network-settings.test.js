'use strict'

// The process-wide network settings the addon honours beyond the reference:
// HTTP(S)_PROXY / NO_PROXY and NODE_EXTRA_CA_CERTS. The HTTP client is built
// once per process from the environment, so each case runs in a child
// process. Certificates are made for the test with openssl.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync, execFile } = require('node:child_process')
const fs = require('node:fs')
const http = require('node:http')
const https = require('node:https')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
// Prints the count or the Backend API error, as JSON.
const CHILD = `
const { createClerkClient } = require(${JSON.stringify(path.join(ROOT, 'lib/client'))})
const client = createClerkClient({ secretKey: 'sk_test_network', apiUrl: process.env.TEST_API_URL, requestTimeoutMs: 5000 })
client.users.getCount().then(
  (count) => console.log(JSON.stringify({ count })),
  (err) => console.log(JSON.stringify({ errors: err.errors })),
)`

function runChild(env) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/_proxy$/i.test(name)))
  delete clean.NODE_EXTRA_CA_CERTS
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', CHILD], { env: { ...clean, ...env }, timeout: 20_000 }, (err, stdout) =>
      err ? reject(err) : resolve(JSON.parse(stdout)),
    )
  })
}

function makeCertificates(dir) {
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
    '-subj', '/CN=clerk-express-native test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign')
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost')
  fs.writeFileSync(
    path.join(dir, 'ext.cnf'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  )
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf')
}

const countAnswer = (res) => {
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ object: 'total_count', total_count: 7 }))
}

describe('network settings', () => {
  let dir
  let tlsApi
  let proxy
  const proxied = { absolute: [], connect: [] }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerk-native-tls-'))
    makeCertificates(dir)
    tlsApi = https.createServer(
      { key: fs.readFileSync(path.join(dir, 'server.key')), cert: fs.readFileSync(path.join(dir, 'server.pem')) },
      (req, res) => countAnswer(res),
    )
    await new Promise((resolve) => tlsApi.listen(0, '127.0.0.1', resolve))
    // A forward proxy: absolute-form requests for http://, CONNECT tunnels for https://.
    proxy = http.createServer((req, res) => {
      proxied.absolute.push(req.url)
      countAnswer(res)
    })
    proxy.on('connect', (req, socket, head) => {
      proxied.connect.push(req.url)
      const upstream = net.connect(tlsApi.address().port, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(socket)
        socket.pipe(upstream)
      })
      upstream.on('error', () => socket.destroy())
      socket.on('error', () => upstream.destroy())
    })
    await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  })

  after(async () => {
    tlsApi.closeAllConnections()
    proxy.closeAllConnections()
    await new Promise((resolve) => tlsApi.close(resolve))
    await new Promise((resolve) => proxy.close(resolve))
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const proxyUrl = () => `http://127.0.0.1:${proxy.address().port}`
  const tlsUrl = () => `https://localhost:${tlsApi.address().port}`

  test('a private CA is refused without NODE_EXTRA_CA_CERTS and trusted with it', async () => {
    assert.deepEqual(await runChild({ TEST_API_URL: tlsUrl() }), {
      errors: [{ code: 'unexpected_error', message: 'fetch failed' }],
    })
    assert.deepEqual(
      await runChild({ TEST_API_URL: tlsUrl(), NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') }),
      { count: 7 },
    )
  })

  test('HTTP_PROXY carries plain-HTTP requests', async () => {
    proxied.absolute.length = 0
    const result = await runChild({ TEST_API_URL: 'http://clerk-api.invalid', HTTP_PROXY: proxyUrl() })
    assert.deepEqual(result, { count: 7 })
    assert.deepEqual(proxied.absolute, ['http://clerk-api.invalid/v1/users/count'])
  })

  test('HTTPS_PROXY tunnels TLS with CONNECT; NO_PROXY bypasses it', async () => {
    proxied.connect.length = 0
    const env = { TEST_API_URL: tlsUrl(), NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem'), HTTPS_PROXY: proxyUrl() }
    assert.deepEqual(await runChild(env), { count: 7 })
    assert.deepEqual(proxied.connect, [`localhost:${tlsApi.address().port}`])
    assert.deepEqual(await runChild({ ...env, NO_PROXY: 'localhost' }), { count: 7 })
    assert.equal(proxied.connect.length, 1)
  })
})
