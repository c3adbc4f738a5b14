'use strict'

// A bounded Map from long strings (tokens, claims texts) to values, which
// finds a string by its end and then compares it whole. A Map hashes every
// character of a string key, a cost that grows with a session token's
// length, and each request brings new strings; their last characters (a signature, a
// user id) tell them apart almost always. Two strings with the same end take
// turns in one slot, which is only slower. Full, it starts over.

class TailKeyedMap {
  constructor(tailLength, limit) {
    this.tailLength = tailLength
    this.limit = limit
    this.slots = new Map()
  }

  /** The value stored for exactly this text, or undefined. */
  get(text) {
    const slot = this.slots.get(text.slice(-this.tailLength))
    return slot !== undefined && slot.text === text ? slot.value : undefined
  }

  set(text, value) {
    const tail = text.slice(-this.tailLength)
    if (this.slots.size >= this.limit && !this.slots.has(tail)) this.slots.clear()
    this.slots.set(tail, { text, value })
  }

  delete(text) {
    const tail = text.slice(-this.tailLength)
    if (this.slots.get(tail)?.text === text) this.slots.delete(tail)
  }
}

module.exports = { TailKeyedMap }
