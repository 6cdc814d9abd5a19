/**
 * Plain JSON values as the patch functions see them: what `JSON.parse` returns, never class
 * instances. The patch code treats its inputs as read-only and builds new containers.
 */

export type JsonObject = { [key: string]: unknown }

/** The JSON type of a value, as RFC 8259 names them. */
export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null'

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The JSON type of a value; undefined (an absent member) counts as null. */
export function jsonKind(value: unknown): JsonKind {
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'object') return 'object'
  if (typeof value === 'string') return 'string'
  if (typeof value === 'number') return 'number'
  return 'boolean'
}

/**
 * Sets an own, enumerable property. Plain assignment of `__proto__` would change the prototype
 * instead, and `JSON.parse` happily produces a `__proto__` key.
 */
export function setKey(object: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true })
  } else {
    object[key] = value
  }
}

/** A shallow copy of an object (own enumerable keys, order kept). */
export function copyObject(object: JsonObject): JsonObject {
  const copy: JsonObject = {}
  for (const key of Object.keys(object)) setKey(copy, key, object[key])
  return copy
}

/** The object without one key. */
export function withoutKey(object: JsonObject, key: string): JsonObject {
  const copy = copyObject(object)
  delete copy[key]
  return copy
}

/** A deep copy: fresh, unfrozen containers all the way down. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T
  if (!isJsonObject(value)) return value
  const copy: JsonObject = {}
  for (const key of Object.keys(value)) setKey(copy, key, cloneJson(value[key]))
  return copy as T
}

/** Structural equality of JSON values; object key order does not matter, array order does. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]))
  if (!isJsonObject(a) || !isJsonObject(b)) return false
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
}
