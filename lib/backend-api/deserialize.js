'use strict'

// `deserialize` of @clerk/backend: payload shape first, then one resource
// class per `object` value. Unknown objects are returned as raw JSON.

const resources = require('../resources/user')
const { defineResource } = require('../resources/define')

const DeletedObject = defineResource('DeletedObject', [
  ['object', (d) => d.object],
  ['id', (d) => d.id || null],
  ['slug', (d) => d.slug || null],
  ['deleted', (d) => d.deleted],
])

const RESOURCE_BY_OBJECT = {
  user: resources.User,
  email_address: resources.EmailAddress,
  phone_number: resources.PhoneNumber,
  web3_wallet: resources.Web3Wallet,
  token: resources.Token,
}

function jsonToObject(item) {
  // `'object' in item` throws for null and numbers, as in the reference; the
  // request layer reports that as `unexpected_error`.
  if (typeof item !== 'string' && 'object' in item && 'deleted' in item) return DeletedObject.fromJSON(item)
  if (item.object === 'total_count') return item.total_count
  const Resource = RESOURCE_BY_OBJECT[item.object]
  return Resource ? Resource.fromJSON(item) : item
}

function deserialize(payload) {
  if (Array.isArray(payload)) return { data: payload.map(jsonToObject) }
  if (payload && typeof payload === 'object' && Array.isArray(payload.m2m_tokens)) {
    return { data: payload.m2m_tokens.map(jsonToObject), totalCount: payload.total_count }
  }
  if (payload && typeof payload === 'object' && Array.isArray(payload.data)) {
    return { data: payload.data.map(jsonToObject), totalCount: payload.total_count }
  }
  return { data: jsonToObject(payload) }
}

module.exports = { deserialize }
