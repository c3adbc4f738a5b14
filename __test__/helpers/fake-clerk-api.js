'use strict'

// A fake Clerk Backend API on 127.0.0.1 for tests: JWKS, users (read, and
// their metadata updated), session tokens, and switchable failure modes. It
// records every request it serves.

const http = require('node:http')

function userJson(id, overrides = {}) {
  return {
    object: 'user',
    id,
    first_name: 'Ada',
    last_name: 'Lovelace',
    username: null,
    image_url: 'https://img.clerk.com/ada.png',
    has_image: true,
    primary_email_address_id: 'idn_1',
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    password_enabled: true,
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    email_addresses: [
      {
        id: 'idn_1',
        object: 'email_address',
        email_address: 'ada@example.com',
        verification: { status: 'verified', strategy: 'email_code', attempts: 1, expire_at: 1700000000000 },
        linked_to: [],
      },
    ],
    phone_numbers: [],
    web3_wallets: [],
    external_accounts: [],
    public_metadata: { role: { nested_key: 1 } },
    private_metadata: {},
    unsafe_metadata: {},
    external_id: null,
    last_sign_in_at: 1700000000000,
    banned: false,
    locked: false,
    created_at: 1600000000000,
    updated_at: 1700000000000,
    last_active_at: 1700000000000,
    create_organization_enabled: true,
    delete_self_enabled: true,
    legal_accepted_at: null,
    locale: 'en',
    extra_unknown_field: 'dropped',
    ...overrides,
  }
}

/**
 * @param options.keys JWKs served at /v1/jwks
 * @returns {url, requests, mode, close(), set...}
 */
async function startFakeClerkApi({ keys = [] } = {}) {
  const state = {
    keys,
    requests: [],
    // jwks: 'ok' | 'empty' | 'html' | 'invalid-key' | 'status-500'
    jwksMode: 'ok',
    delayMs: 0,
    users: new Map([['user_1', userJson('user_1')]]),
    // nonce → cookie directives served by /v1/clients/handshake_payload
    handshakePayloads: new Map(),
    // token → [status, body] for the machine-token verify endpoints (no /v1)
    machineTokens: new Map(),
    // what POST /v1/sessions/:sid/refresh answers: [status, body]
    refreshResponse: [200, { object: 'cookies', cookies: [] }],
  }
  const send = (res, status, body, headers = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(text)
  }
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', async () => {
      const url = new URL(req.url, 'http://127.0.0.1')
      state.requests.push({ method: req.method, path: url.pathname, search: url.search, headers: req.headers, body })
      if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs))
      if (url.pathname === '/v1/jwks') return serveJwks(res, url)
      const userMatch = url.pathname.match(/^\/v1\/users\/([^/]+)$/)
      if (req.method === 'GET' && url.pathname === '/v1/users/count') {
        return send(res, 200, { object: 'total_count', total_count: state.users.size })
      }
      if (req.method === 'GET' && url.pathname === '/v1/users') return send(res, 200, [...state.users.values()])
      if (req.method === 'GET' && userMatch) {
        const user = state.users.get(userMatch[1])
        if (user) return send(res, 200, user)
        return send(res, 404, {
          errors: [{ code: 'resource_not_found', message: 'not found', long_message: 'Resource not found', meta: { param_name: 'id' } }],
          clerk_trace_id: 'trace_abc',
        }, { 'retry-after': '7' })
      }
      const metadataMatch = url.pathname.match(/^\/v1\/users\/([^/]+)\/metadata$/)
      if (req.method === 'PATCH' && metadataMatch && state.users.has(metadataMatch[1])) {
        // updateUserMetadata, merged one level deep (enough for the tests that write).
        const user = state.users.get(metadataMatch[1])
        const params = JSON.parse(body || '{}')
        const updated = { ...user, updated_at: user.updated_at + 1 }
        for (const kind of ['public_metadata', 'private_metadata', 'unsafe_metadata']) {
          if (params[kind]) updated[kind] = { ...user[kind], ...params[kind] }
        }
        state.users.set(user.id, updated)
        return send(res, 200, updated)
      }
      if (req.method === 'POST' && ['/api_keys/verify', '/m2m_tokens/verify', '/oauth_applications/access_tokens/verify'].includes(url.pathname)) {
        let parsed = {}
        try {
          parsed = JSON.parse(body)
        } catch {}
        const token = parsed.secret || parsed.token || parsed.access_token
        const answer = state.machineTokens.get(token)
        if (answer) return send(res, ...answer)
        return send(res, 404, { errors: [{ code: 'resource_not_found', message: 'not found' }] })
      }
      if (req.method === 'GET' && url.pathname === '/v1/clients/handshake_payload') {
        const directives = state.handshakePayloads.get(url.searchParams.get('nonce'))
        if (directives) return send(res, 200, { directives })
        return send(res, 404, { errors: [{ code: 'resource_not_found', message: 'nonce not found' }] })
      }
      if (req.method === 'POST' && /^\/v1\/sessions\/[^/]+\/refresh$/.test(url.pathname)) {
        return send(res, ...state.refreshResponse)
      }
      const tokenMatch = url.pathname.match(/^\/v1\/sessions\/([^/]+)\/tokens(?:\/([^/]+))?$/)
      if (req.method === 'POST' && tokenMatch) {
        return send(res, 200, { object: 'token', jwt: `template-${tokenMatch[2] || 'default'}-${tokenMatch[1]}` })
      }
      send(res, 404, { errors: [{ code: 'resource_not_found', message: 'no route' }] })
    })
  })
  function serveJwks(res) {
    switch (state.jwksMode) {
      case 'empty':
        return send(res, 200, { keys: [] })
      case 'html':
        res.writeHead(502, { 'content-type': 'text/html' })
        return res.end('<html>bad gateway</html>')
      case 'invalid-key':
        return send(res, 401, { errors: [{ code: 'clerk_key_invalid', message: 'The provided Clerk Secret Key is invalid.' }] })
      case 'status-500':
        return send(res, 500, { errors: [{ code: 'internal', message: 'boom' }] })
      default:
        return send(res, 200, { keys: state.keys })
    }
  }
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requestsTo: (path) => state.requests.filter((r) => r.path === path),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.()
        server.close(resolve)
      }),
  }
}

module.exports = { startFakeClerkApi, userJson }
