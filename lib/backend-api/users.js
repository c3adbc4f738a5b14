'use strict'

const { joinPaths, requireId } = require('./paths')

const BASE = '/users'

class UserAPI {
  constructor(request) {
    this.request = request
  }

  /** `/users` and `/users/count` in parallel → `{data, totalCount}`. */
  async getUserList(params = {}) {
    const { limit, offset, orderBy, ...countParams } = params
    const [data, totalCount] = await Promise.all([
      this.request({ method: 'GET', path: BASE, queryParams: params }),
      this.getCount(countParams),
    ])
    return { data, totalCount }
  }

  async getUser(userId) {
    requireId(userId)
    return this.request({ method: 'GET', path: joinPaths(BASE, userId) })
  }

  async getCount(params = {}) {
    return this.request({ method: 'GET', path: joinPaths(BASE, 'count'), queryParams: params })
  }
}

module.exports = { UserAPI }
