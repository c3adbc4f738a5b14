'use strict'

// `AbstractAPI` of @clerk/backend: every endpoint group keeps the request
// function as an own `request` property and checks ids with `requireId`
// (a prototype method, so the generated methods call it as `this.requireId`).

class AbstractAPI {
  constructor(request) {
    this.request = request
  }

  requireId(id) {
    if (!id) {
      throw new Error('A valid resource ID is required.')
    }
  }
}

module.exports = { AbstractAPI }
