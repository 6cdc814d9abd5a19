/** Small helpers for plain JSON values (what Kubernetes objects are made of). */

export type JsonObject = { [key: string]: unknown }

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A deep copy of a JSON value. */
export function clone<T>(value: T): T {
  return structuredClone(value)
}

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    return a.every((v, i) => deepEqual(v, b[i]))
  }
  if (Array.isArray(b)) return false
  const ka = Object.keys(a as JsonObject).filter((k) => (a as JsonObject)[k] !== undefined)
  const kb = Object.keys(b as JsonObject).filter((k) => (b as JsonObject)[k] !== undefined)
  if (ka.length !== kb.length) return false
  return ka.every((k) => Object.hasOwn(b as object, k) && deepEqual((a as JsonObject)[k], (b as JsonObject)[k]))
}

/**
 * Sets an own, enumerable property. Plain assignment of `__proto__` would change the prototype
 * instead, and `JSON.parse` (or a YAML mapping) happily produces a `__proto__` key.
 */
export function setKey(object: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true })
  } else {
    object[key] = value
  }
}

/** The object at `key` of `parent`, created when missing (or not an object). */
export function child(parent: JsonObject, key: string): JsonObject {
  const existing = parent[key]
  if (isObject(existing)) return existing
  const created: JsonObject = {}
  parent[key] = created
  return created
}

/** The value at a dotted path (`spec.template.metadata.labels`), or undefined. */
export function at(object: unknown, path: string): unknown {
  let current = object
  for (const part of path.split('.')) {
    if (!isObject(current)) return undefined
    current = current[part]
  }
  return current
}

/** Sets `key` to `value` only when it is absent (undefined or null). */
export function defaultTo(object: JsonObject, key: string, value: unknown): void {
  if (object[key] === undefined || object[key] === null) object[key] = value
}

/** The array at `key`, or [] when absent or not an array. */
export function arrayAt(object: unknown, key: string): unknown[] {
  const value = isObject(object) ? object[key] : undefined
  return Array.isArray(value) ? value : []
}

/** The object at `key`, or undefined when absent or not an object. */
export function objectAt(object: unknown, key: string): JsonObject | undefined {
  const value = isObject(object) ? object[key] : undefined
  return isObject(value) ? value : undefined
}

/** Deepest nesting of objects and arrays allowed in a request body (Kubernetes' decoder stops at 10000; sane manifests stay far below 100). */
export const MAX_DEPTH = 100

/** True when `value` nests objects/arrays deeper than `max` (checked without recursion). */
export function deeperThan(value: unknown, max = MAX_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!
    if (typeof current !== 'object' || current === null) continue
    if (depth > max) return true
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
    }
  }
  return false
}
