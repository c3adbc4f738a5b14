'use strict'

// A stand-in for the npm registry as it will be once the package is published:
// it serves the packuments and tarballs of the packages it is given on
// 127.0.0.1, and redirects every other package to the registry npm is
// configured with, so that express and friends install as usual.
// Packages given without a tarball (the platforms this machine did not build)
// are listed with their manifest only, as npm needs to skip them by os/cpu/libc.

const crypto = require('node:crypto')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const http = require('node:http')

const manifestOf = (tarball) => JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }))

/**
 * packages: [{ tarball }] or [{ manifest }] (manifest only: its tarball answers 404).
 * upstream: the registry URL other packages are redirected to.
 */
async function startFakeNpmRegistry({ packages, upstream }) {
  const byName = new Map()
  const files = new Map()
  const requests = []
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://registry.invalid')
    requests.push(url.pathname)
    const file = files.get(url.pathname)
    if (file) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.length })
      return res.end(file)
    }
    const name = decodeURIComponent(url.pathname.slice(1))
    const packument = byName.get(name)
    if (packument) {
      const body = JSON.stringify(packument(`http://127.0.0.1:${server.address().port}`))
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(body)
    }
    if (url.pathname.includes('/-/')) {
      res.writeHead(404, { 'content-type': 'application/json' })
      return res.end('{"error":"not found"}')
    }
    res.writeHead(302, { location: new URL(url.pathname.slice(1) + url.search, upstream).href })
    res.end()
  })

  for (const { tarball, manifest: given } of packages) {
    const manifest = given ?? manifestOf(tarball)
    const tarballPath = `/${manifest.name}/-/${manifest.name}-${manifest.version}.tgz`
    const dist = {}
    if (tarball) {
      const bytes = fs.readFileSync(tarball)
      files.set(tarballPath, bytes)
      dist.integrity = `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`
      dist.shasum = crypto.createHash('sha1').update(bytes).digest('hex')
    }
    byName.set(manifest.name, (origin) => ({
      name: manifest.name,
      'dist-tags': { latest: manifest.version },
      versions: {
        [manifest.version]: { ...manifest, _id: `${manifest.name}@${manifest.version}`, dist: { ...dist, tarball: origin + tarballPath } },
      },
    }))
  }

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

module.exports = { startFakeNpmRegistry }
