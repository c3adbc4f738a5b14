'use strict'

// The shared user cache's store (Redis through Keyv, ...) is an optimisation,
// never a dependency: a store that is down or slow must not fail or hold up
// `users.getUser`. Every operation goes through the store's guard, which
// bounds it by a timeout and turns errors into "no answer". After a failure
// the store is left alone (calls go straight to the API) except for one read
// a second that probes it, so an outage costs each call nothing but the
// probe's wait, instead of every call waiting for the timeout. The outage is
// said once on stderr when it starts and once when the store answers again.
//
// One guard per store object, so that clients sharing a store share its
// state and its messages. Deletions that could not reach the store (a write
// or an eviction during an outage) are remembered and retried until done:
// otherwise the entry they were meant to remove would be served until its
// TTL runs out.

const RETRY_AFTER_MS = 1000
const MAX_PENDING_DELETES = 10_000

const guards = new WeakMap()

/**
 * `promise`, or a rejection after `ms`; a later answer is then ignored. The
 * rejection waits for the I/O phase after the timer's: when the event loop
 * was busy past the limit (a cold start, a long synchronous task), an answer
 * that arrived meanwhile is read first and wins, instead of the store being
 * taken for down because this process was slow.
 */
function withTimeout(promise, ms) {
  let timer
  let immediate
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => {
      immediate = setImmediate(() => reject(new Error(`no answer within ${ms} ms`)))
    }, ms)
  })
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer)
    clearImmediate(immediate)
  })
}

/** One line, whatever the store's error looks like. */
function reasonOf(err) {
  const text = err instanceof Error ? err.message : String(err)
  return (text || 'unknown error').replace(/\s+/g, ' ').trim().slice(0, 200)
}

function createGuard(store) {
  let down = false
  let retryAt = 0
  // Store keys whose deletion is owed, and the timer that retries them.
  const pendingDeletes = new Set()
  let retryTimer = null

  function failed(err) {
    retryAt = Date.now() + RETRY_AFTER_MS
    if (down) return
    down = true
    console.warn(`Clerk: the user cache store failed (${reasonOf(err)}); users.getUser calls go to the Backend API until it answers again`)
  }

  function answered() {
    if (!down) return
    down = false
    console.warn('Clerk: the user cache store answers again; users.getUser answers are shared again')
    retryDeletes()
  }

  // Owed deletions are retried every second until done, traffic or not: a
  // process that wrote during an outage may not read again for a while,
  // and the others would meanwhile read what it meant to delete.
  function retryDeletes() {
    clearTimeout(retryTimer)
    retryTimer = null
    const attempts = [...pendingDeletes].map(async (key) => {
      const outcome = await call(() => store.delete(key), { timeoutMs: RETRY_AFTER_MS, force: true })
      if (outcome.ok) pendingDeletes.delete(key)
    })
    Promise.all(attempts).then(scheduleRetry)
  }

  function scheduleRetry() {
    if (retryTimer || pendingDeletes.size === 0) return
    retryTimer = setTimeout(retryDeletes, RETRY_AFTER_MS)
    retryTimer.unref?.()
  }

  /**
   * `{ok: true, value}` when the store answered in time, else `{ok: false}`.
   * While the store is down only `force`d calls and, once a second, a `probe`
   * (a read) reach it: a write sent to a store that is down may be queued by
   * its client and done long after, when it may be stale.
   */
  async function call(operation, { timeoutMs, force = false, probe = false }) {
    if (down && !force) {
      if (!probe || Date.now() < retryAt) return { ok: false }
      // This call is the probe: the others keep skipping the store meanwhile.
      retryAt = Date.now() + RETRY_AFTER_MS
    }
    try {
      const value = await withTimeout(new Promise((resolve) => resolve(operation())), timeoutMs)
      answered()
      return { ok: true, value }
    } catch (err) {
      failed(err)
      return { ok: false }
    }
  }

  /** A deletion that could not be done now: retried until done. */
  function deleteLater(key) {
    if (pendingDeletes.size >= MAX_PENDING_DELETES) pendingDeletes.delete(pendingDeletes.values().next().value)
    pendingDeletes.add(key)
    scheduleRetry()
  }

  return {
    call,
    deleteLater,
    /** Whether the stored entry may be one that should have been deleted. */
    owesDelete: (key) => pendingDeletes.has(key),
    deleted: (key) => pendingDeletes.delete(key),
  }
}

function guardOf(store) {
  let guard = guards.get(store)
  if (!guard) {
    guard = createGuard(store)
    guards.set(store, guard)
  }
  return guard
}

module.exports = { guardOf }
