import { isObject } from '../../json.js'
import { goJsonKind } from './go-format.js'
import { MAX_JSON_PATCH_OPERATIONS, tooManyOperations, undecodableJsonPatch } from './patch-errors.js'

/**
 * Decoding an RFC 6902 document as the apiserver does before applying anything: it must be an
 * array of objects whose `op`, `path` and `from` are strings. What the operations then mean
 * (a missing `path`, an unknown `op`) is checked while applying, as Kubernetes does.
 */

/** One operation. Members that are absent or null are undefined; `value` may be absent. */
export interface JsonPatchOperation {
  readonly op: string | undefined
  readonly path: string | undefined
  readonly from: string | undefined
  readonly hasValue: boolean
  readonly value: unknown
}

const stringMembers = ['op', 'path', 'from'] as const

/**
 * The operations of a JSON patch document. A null document is an empty patch (Go decodes `null`
 * into an empty slice). Throws 400 BadRequest with Go's decoder text for a wrong shape, and 413
 * for more than {@link MAX_JSON_PATCH_OPERATIONS} operations.
 */
export function decodeJsonPatch(document: unknown): JsonPatchOperation[] {
  if (document === null || document === undefined) return []
  if (!Array.isArray(document)) {
    const kind = goJsonKind(document)
    throw undecodableJsonPatch(`json: cannot unmarshal ${kind} into Go value of type []handlers.jsonPatchOp`)
  }
  const operations = document.map(decodeOperation)
  if (operations.length > MAX_JSON_PATCH_OPERATIONS) throw tooManyOperations(operations.length)
  return operations
}

function decodeOperation(element: unknown): JsonPatchOperation {
  if (element === null || element === undefined) {
    return { op: undefined, path: undefined, from: undefined, hasValue: false, value: undefined }
  }
  if (!isObject(element)) {
    const kind = goJsonKind(element)
    throw undecodableJsonPatch(`json: cannot unmarshal ${kind} into Go value of type handlers.jsonPatchOp`)
  }
  // Go reports the first mistyped member in document order.
  for (const key of Object.keys(element)) {
    const value = element[key]
    if (isStringMember(key) && value !== null && typeof value !== 'string') {
      throw undecodableJsonPatch(`json: cannot unmarshal ${goJsonKind(value)} into Go struct field jsonPatchOp.${key} of type string`)
    }
  }
  return {
    op: stringOrUndefined(element.op),
    path: stringOrUndefined(element.path),
    from: stringOrUndefined(element.from),
    hasValue: Object.hasOwn(element, 'value'),
    value: element.value,
  }
}

function isStringMember(key: string): key is (typeof stringMembers)[number] {
  return (stringMembers as readonly string[]).includes(key)
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
