'use strict'

// What a DELETE answers (`{object, id, deleted: true}`), as @clerk/backend
// 3.25.0 maps it. Any JSON with both an `object` and a `deleted` key becomes
// one, whatever its `object` (see deserialize.js).

const { defineResource } = require('./define')

const DeletedObject = defineResource('DeletedObject', [
  ['object', (data) => data.object],
  ['id', (data) => data.id || null],
  ['slug', (data) => data.slug || null],
  ['deleted', (data) => data.deleted],
])

module.exports = { DeletedObject }
