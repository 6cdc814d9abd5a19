import { clone, isObject } from '../../json.js'
import { jsonSize } from '../json-size.js'
import { type JsonPatchOperation, decodeJsonPatch } from './json-patch-document.js'
import { type Location, insertAt, locate, readAt, removeAt, replaceAt } from './json-patch-target.js'
import { jsonEqual } from './json-value.js'
import { copyTooLarge, patchNotApplicable } from './patch-errors.js'

/** kube-apiserver's `JSONPatchMaxCopyBytes`: twice etcd's 1.5 MiB request limit. */
export const JSON_PATCH_MAX_COPY_BYTES = 3 * 1024 * 1024

export interface JsonPatchOptions {
  /**
   * Most bytes (as JSON) that all `copy` operations of one patch may add together: without it,
   * twenty copies of a value into itself double a document twenty times. Kubernetes sets
   * evanphx/json-patch's `AccumulatedCopySizeLimit` to the same end.
   * @default JSON_PATCH_MAX_COPY_BYTES (3 MiB)
   */
  maxCopyBytes?: number
}

/**
 * RFC 6902 JSON patch (`application/json-patch+json`), with the Kubernetes apiserver's errors.
 *
 * A document that does not decode is 400 BadRequest (see `json-patch-document.ts`); an operation
 * that does not apply is 422 Invalid, "the server rejected our request due to an error in our
 * request", with evanphx/json-patch's explanation (e.g. `testing value /spec/replicas failed:
 * test failed`) as the cause. Where that library is laxer than the RFC we follow the RFC:
 * `replace` of an absent member and `copy` from an absent member fail instead of adding, and `add`
 * at the root (`""`) replaces the whole document instead of failing.
 */
export function applyJsonPatch(target: unknown, operations: unknown, options: JsonPatchOptions = {}): unknown {
  const decoded = decodeJsonPatch(operations)
  const copies: CopyBudget = { limit: options.maxCopyBytes ?? JSON_PATCH_MAX_COPY_BYTES, used: 0 }
  let document = clone(target)
  for (const operation of decoded) document = applyOperation(document, operation, copies)
  return document
}

/** What the `copy` operations of one patch have added so far, in bytes, and how much they may. */
interface CopyBudget {
  readonly limit: number
  used: number
}

function applyOperation(document: unknown, operation: JsonPatchOperation, copies: CopyBudget): unknown {
  switch (operation.op) {
    case 'add':
      return add(document, operation)
    case 'remove':
      return remove(document, operation)
    case 'replace':
      return replace(document, operation)
    case 'move':
      return move(document, operation)
    case 'copy':
      return copy(document, operation, copies)
    case 'test':
      return test(document, operation)
    default:
      throw patchNotApplicable(`Unexpected kind: ${operation.op ?? 'unknown'}`)
  }
}

const missing = (what: string) => `${what}: missing value`

function fail(detail: string): never {
  throw patchNotApplicable(detail)
}

/** A missing value is added as null, as Kubernetes does. */
function valueOf(operation: JsonPatchOperation): unknown {
  return clone(operation.value ?? null)
}

function add(document: unknown, operation: JsonPatchOperation): unknown {
  const { path } = operation
  if (path === undefined) fail(missing('add operation failed to decode path'))
  if (path === '') return valueOf(operation)
  const at = locate(document, path) ?? fail(missing(`add operation does not apply: doc is missing path: "${path}"`))
  const error = insertAt(at, valueOf(operation))
  if (error !== undefined) fail(`error in add for path: '${path}': ${error}`)
  return document
}

function remove(document: unknown, { path }: JsonPatchOperation): unknown {
  if (path === undefined) fail(missing('remove operation failed to decode path'))
  const at = locate(document, path) ?? fail(missing(`remove operation does not apply: doc is missing path: "${path}"`))
  const error = removeAt(at)
  if (error !== undefined) fail(`error in remove for path: '${path}': ${error}`)
  return document
}

function replace(document: unknown, operation: JsonPatchOperation): unknown {
  const { path } = operation
  if (path === undefined) fail(missing('replace operation failed to decode path: operation missing path field'))
  if (path === '') {
    const value = operation.value
    // The library wraps a nil error here, hence Go's %!w(<nil>).
    if (!Array.isArray(value) && !isObject(value)) {
      fail('replace operation value must be object or array: %!w(<nil>)')
    }
    return clone(value)
  }
  const at = locate(document, path) ?? fail(missing(`replace operation does not apply: doc is missing path: ${path}`))
  if (!readAt(at).found) fail(missing(`replace operation does not apply: doc is missing key: ${path}`))
  replaceAt(at, valueOf(operation))
  return document
}

function move(document: unknown, { from, path }: JsonPatchOperation): unknown {
  if (from === undefined) fail(missing('move operation failed to decode from: operation, missing from field'))
  const source = locate(document, from) ?? fail(missing(`move operation does not apply: doc is missing from path: ${from}`))
  const value = readOrFail(source, (error) => `error in move for path: '${source.key}': ${error}`)
  const removeError = removeAt(source)
  if (removeError !== undefined) fail(`error in move for path: '${source.key}': ${removeError}`)
  if (path === undefined) fail(missing('move operation failed to decode path: operation missing path field'))
  const target = locate(document, path) ?? fail(missing(`move operation does not apply: doc is missing destination path: ${path}`))
  const error = insertAt(target, value)
  if (error !== undefined) fail(`error in move for path: '${path}': ${error}`)
  return document
}

/** Counts the value's size against the budget before copying it, so a copy bomb fails small. */
function copy(document: unknown, { from, path }: JsonPatchOperation, copies: CopyBudget): unknown {
  if (from === undefined) fail(missing('copy operation failed to decode from: operation, missing from field'))
  const missingFrom = missing(`copy operation does not apply: doc is missing from path: ${from}`)
  const source = locate(document, from) ?? fail(missingFrom)
  const read = readAt(source)
  if (!read.found) fail(read.error === undefined ? missingFrom : `error in copy for from: '${from}': ${read.error}`)
  if (path === undefined) fail(missing('copy operation failed to decode path'))
  const target = locate(document, path) ?? fail(missing(`copy operation does not apply: doc is missing destination path: ${path}`))
  copies.used += jsonSize(read.value)
  if (copies.used > copies.limit) throw copyTooLarge(copies.used, copies.limit)
  const error = insertAt(target, clone(read.value))
  if (error !== undefined) fail(`error while adding value during copy: ${error}`)
  return document
}

/**
 * Compares structurally. As in Kubernetes, an absent member passes a test against null (or
 * against no value at all), and the empty pointer tests the whole document.
 */
function test(document: unknown, { path, hasValue, value }: JsonPatchOperation): unknown {
  if (path === undefined) fail(missing('test operation failed to decode path: operation missing path field'))
  const failed = `testing value ${path} failed: test failed`
  if (path === '') return hasValue && jsonEqual(document, value) ? document : fail(failed)
  const at = locate(document, path) ?? fail(missing(`test operation does not apply: is missing path: ${path}`))
  const read = readAt(at)
  if (read.found) return hasValue && jsonEqual(read.value, value) ? document : fail(failed)
  if (read.error !== undefined) fail(`error in test for path: '${path}': ${read.error}`)
  return value === null || value === undefined ? document : fail(failed)
}

function readOrFail(at: Location, wrap: (error: string) => string): unknown {
  const read = readAt(at)
  if (read.found) return read.value
  // An absent member reads as nothing; removing it then fails with the library's message.
  if (read.error !== undefined) fail(wrap(read.error))
  return undefined
}
