'use strict'

// Sign-ins answered in JS while the addon's lease on them holds. The addon
// offers a lease with a plain sign-in from its bearer or browser-session
// call (`leaseUntil`, `keysEpoch`): until then the same question gets the
// same sign-in, unless the verification keys change (its keys epoch moves
// on). The lease ends before the token's time claims or the cached keys'
// freshness would (crates/core/src/authenticate/dispatch.rs
// `sign_in_lease`), so an answer from a lease is the one the addon would
// give, without crossing into it for every request.
//
// What it buys and how to re-measure it: benchmark/README.md, "Ablation"
// (`BENCH_ONLY=ablation npm run bench`); switches `bearer-lease` and
// `cookie-lease` (lib/speed-ups.js).

const native = require('./native')
const { TailKeyedMap } = require('./tail-keyed-map')
const { speedUp } = require('./speed-ups')

// Leases per Authenticator and kind; full, a store starts over.
const LEASE_LIMIT = 1000
// Leases are found by their key's end: a token's signature, a cookie
// header's last cookie (see TailKeyedMap).
const LEASE_TAIL_LENGTH = 24
// A lease keeps its key: requests with longer facts (a huge cookie header or
// URL) are not leased, which bounds the leases' memory at a few MiB.
const KEY_LIMIT = 4096

class Leases {
  constructor() {
    this.bearer = speedUp('bearer-lease') ? new TailKeyedMap(LEASE_TAIL_LENGTH, LEASE_LIMIT) : null
    this.browser = speedUp('cookie-lease') ? new TailKeyedMap(LEASE_TAIL_LENGTH, LEASE_LIMIT) : null
  }

  /** The leased sign-in (`{ claims, token }`) of this bearer token, or null. */
  bearerSignIn(token) {
    return this.bearer === null ? null : valid(this.bearer, token)
  }

  /**
   * The key of a browser request's lease (see `browserKey`), or null when
   * browser leases are off or the facts are too long to keep.
   */
  browserKeyOf(request) {
    return this.browser === null ? null : browserKey(request)
  }

  /** The leased sign-in under this browser key, or null. */
  browserSignIn(key) {
    return key === null ? null : valid(this.browser, key)
  }

  /** Keeps the lease on a plain sign-in of `token` with these claims, if one was offered (`until` > 0). */
  keepBearer(token, claims, until, epoch) {
    if (this.bearer !== null && until > 0) this.bearer.set(token, { until, epoch, claims, token })
  }

  /** Keeps the lease the addon's answer to a browser request may offer, under its key. */
  keepBrowser(key, result) {
    if (key !== null && result.leaseUntil > 0) {
      this.browser.set(key, { until: result.leaseUntil, epoch: result.keysEpoch, claims: result.claims, token: result.token })
    }
  }
}

/** The lease stored under `key` while it holds, else null. */
function valid(store, key) {
  const lease = store.get(key)
  if (lease === undefined) return null
  if (lease.until > Date.now() && lease.epoch === native.keysEpoch()) return lease
  store.delete(key)
  return null
}

/**
 * The facts the browser-session call reads, as one string: no header or
 * URL holds a line break or a NUL, so the parts cannot run into each other;
 * the cookies come last, since leases are found by their key's end. Null
 * when too long to keep.
 */
function browserKey(request) {
  const part = (value) => (value === undefined ? '\u0000' : value)
  const key = `${request.method}\n${request.url}\n${part(request.secFetchDest)}\n${part(request.referer)}\n${request.cookie}`
  return key.length <= KEY_LIMIT ? key : null
}

module.exports = { Leases }
