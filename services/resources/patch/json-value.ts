import { isObject, setKey, type JsonObject } from '../../json.js'

/**
 * What the patch functions need beyond `../json.ts` for plain JSON values (what `JSON.parse`
 * returns, never class instances): JSON types, copies that keep a `__proto__` key an ordinary
 * member, and an equality that counts members as JSON does. The patch code treats its inputs as
 * read-only and builds new containers.
 */

/** The JSON type of a value, as RFC 8259 names them. */
export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null'

/** The JSON type of a value; undefined (an absent member) counts as null. */
export function jsonKind(value: unknown): JsonKind {
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'object') return 'object'
  if (typeof value === 'string') return 'string'
  if (typeof value === 'number') return 'number'
  return 'boolean'
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

/**
 * Structural equality of JSON values; object key order does not matter, array order does.
 * Stricter than `deepEqual` in `../json.ts`, on purpose: a member counts when it is an own key, so
 * `{"__proto__": {}}` differs from `{"x": 1}` and `{"a": undefined}` from `{}`, where `deepEqual`
 * (which skips undefined members and reads keys through the prototype) finds them equal.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]))
  if (!isObject(a) || !isObject(b)) return false
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
}

/**
 * A text that two JSON values share exactly when {@link jsonEqual} holds (object keys sorted), so
 * list items can be found in a Map instead of by a linear search.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isObject(value)) {
    const members = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
    return `{${members.join(',')}}`
  }
  return JSON.stringify(value)
}
