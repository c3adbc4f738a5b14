'use strict'

// `npm run demo`: the Clerk docs' Express example (examples/docs-app), run on
// this package against a fake Clerk Backend API on 127.0.0.1, with one
// signed-out and one signed-in request. Exits 1 unless they get 401 and 200.

const { startFakeClerkApi } = require('../__test__/helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('../__test__/helpers/tokens')

async function main() {
  const key = createSigningKey()
  const api = await startFakeClerkApi({ keys: [key.jwk] })
  // Set before the app loads, as a real deployment's environment would be.
  process.env.CLERK_SECRET_KEY = 'sk_test_demo'
  process.env.CLERK_PUBLISHABLE_KEY = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
  process.env.CLERK_API_URL = api.url
  process.env.CLERK_TELEMETRY_DISABLED = '1'

  const { loadDocsApp } = require('./load-docs-app')
  const app = loadDocsApp()
  const server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s)).on('error', reject)
  })
  const appUrl = `http://127.0.0.1:${server.address().port}`

  console.log(`Fake Clerk Backend API: ${api.url}`)
  console.log(`Docs app (examples/docs-app/app.js, '@clerk/express' -> clerk-express-native): ${appUrl}`)

  const row = (name, value) => console.log(`   ${name.padEnd(20)} ${value ?? '(not set)'}`)
  let ok = true
  try {
    console.log('\n1) Signed out: GET /user without an Authorization header')
    const signedOut = await fetch(`${appUrl}/user`)
    row('status', signedOut.status)
    row('x-clerk-auth-status', signedOut.headers.get('x-clerk-auth-status'))
    row('x-clerk-auth-reason', signedOut.headers.get('x-clerk-auth-reason'))
    row('body', await signedOut.text())
    if (signedOut.status !== 401) ok = false

    console.log('\n2) Signed in: GET /user with Authorization: Bearer <session token for user_1>')
    const token = signToken(key, sessionClaims({ sub: 'user_1' }))
    const signedIn = await fetch(`${appUrl}/user`, { headers: { authorization: `Bearer ${token}` } })
    row('status', signedIn.status)
    row('x-clerk-auth-status', signedIn.headers.get('x-clerk-auth-status'))
    const text = await signedIn.text()
    if (signedIn.status === 200) {
      const user = JSON.parse(text)
      row('id', user.id)
      row('firstName', user.firstName)
      row('emailAddresses[0]', user.emailAddresses?.[0]?.emailAddress)
    } else {
      row('body', text)
      ok = false
    }
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await api.close()
  }

  console.log(ok ? '\nOK: 401 signed out, 200 signed in.' : '\nFAILED: expected 401 signed out and 200 signed in.')
  return ok
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1
  },
  (err) => {
    console.error(err)
    process.exitCode = 1
  },
)
