'use strict'

// The Express example from the Clerk docs, written the way any @clerk/express
// user writes it. The keys come from the environment: CLERK_SECRET_KEY,
// CLERK_PUBLISHABLE_KEY (and CLERK_API_URL to point at another Backend API).

const express = require('express')
const { clerkClient, clerkMiddleware, getAuth } = require('@clerk/express')

const app = express()

app.use(clerkMiddleware())

app.get('/user', async (req, res) => {
  const { isAuthenticated, userId } = getAuth(req)

  if (!isAuthenticated) {
    return res.status(401).json({ error: 'User not authenticated' })
  }

  const user = await clerkClient.users.getUser(userId)

  res.json(user)
})

module.exports = app
