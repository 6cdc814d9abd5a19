import { isObject, setKey, type JsonObject } from '../../json.js'
import { parseIndex, parsePointer } from './json-pointer.js'

/**
 * Where a JSON patch operation acts: the container (object or array) holding the last token of
 * its pointer, in the patch's private working copy of the document. Reads and writes return
 * evanphx/json-patch's error text instead of throwing, so each operation can wrap it in its own
 * words, as the library does.
 */

/** A JSON value that has members: an object or an array. */
export type Container = JsonObject | unknown[]

/** The parent container of a pointer and the last (unescaped) token. */
export interface Location {
  readonly container: Container
  readonly key: string
}

/** A read: the value, `found: false` for an absent object member, or the error. */
export type Read = { found: true; value: unknown } | { found: false; error?: string }

function isContainer(value: unknown): value is Container {
  return Array.isArray(value) || isObject(value)
}

/**
 * The location of a non-empty pointer, or undefined when a container on the way is missing,
 * is not a container, or is indexed with a bad token (the library's "doc is missing path").
 */
export function locate(document: unknown, pointer: string): Location | undefined {
  const tokens = parsePointer(pointer)
  if (tokens === undefined || tokens.length === 0 || !isContainer(document)) return undefined
  let container: Container = document
  for (const token of tokens.slice(0, -1)) {
    const next = readAt({ container, key: token })
    if (!next.found || !isContainer(next.value)) return undefined
    container = next.value
  }
  return { container, key: tokens[tokens.length - 1] ?? '' }
}

/** The value at a location. Array indexes may be negative (counted from the end). */
export function readAt({ container, key }: Location): Read {
  if (!Array.isArray(container)) {
    return Object.hasOwn(container, key) ? { found: true, value: container[key] } : { found: false }
  }
  const index = arrayIndex(container.length, key, container.length - 1)
  return typeof index === 'string' ? { found: false, error: index } : { found: true, value: container[index] }
}

/** Adds a member or inserts an array element (`-` appends). Returns an error text or undefined. */
export function insertAt({ container, key }: Location, value: unknown): string | undefined {
  if (!Array.isArray(container)) {
    setKey(container, key, value)
    return undefined
  }
  if (key === '-') {
    container.push(value)
    return undefined
  }
  const parsed = parseIndex(key)
  if (!parsed.ok) return `value was not a proper array index: '${key}': ${parsed.error}`
  const index = arrayIndex(container.length + 1, key, container.length)
  if (typeof index === 'string') return index
  container.splice(index, 0, value)
  return undefined
}

/** Removes a member or an element. Returns an error text or undefined. */
export function removeAt({ container, key }: Location): string | undefined {
  if (!Array.isArray(container)) {
    if (!Object.hasOwn(container, key)) return `Unable to remove nonexistent key: ${key}: missing value`
    delete container[key]
    return undefined
  }
  const index = arrayIndex(container.length, key, container.length - 1)
  if (typeof index === 'string') return index
  container.splice(index, 1)
  return undefined
}

/** Overwrites a location that {@link readAt} found. */
export function replaceAt({ container, key }: Location, value: unknown): void {
  if (!Array.isArray(container)) {
    setKey(container, key, value)
    return
  }
  const index = arrayIndex(container.length, key, container.length - 1)
  if (typeof index === 'number') container[index] = value
}

/**
 * A token as an index into an array of `length` slots (negative counts from the end), valid up to
 * `last`; or the library's error text.
 */
function arrayIndex(length: number, token: string, last: number): number | string {
  const parsed = parseIndex(token)
  if (!parsed.ok) return parsed.error
  const invalid = `Unable to access invalid index: ${parsed.index}: invalid index referenced`
  if (parsed.index > last || parsed.index < -length) return invalid
  return parsed.index < 0 ? parsed.index + length : parsed.index
}
