import { isObject, setKey, type JsonObject } from '../json.js'
import { SEALED } from './sealing.js'
import { isSensitiveKind, sensitiveFieldsOf } from './sensitive-fields.js'

export { isSensitiveKind } from './sensitive-fields.js'

/** What a redacted value reads as. Not base64: a redacted Secret cannot be mistaken for data. */
export const REDACTED = '<redacted>'

/**
 * The object as a caller who may not read its sensitive fields sees it, for the GraphQL layer:
 * each sensitive field that is a map keeps its keys, every value becoming "<redacted>" (as
 * `kubectl describe secret` lists the keys of a Secret but not the values); any other sensitive
 * value becomes "<redacted>" itself. A leftover `$sealed` envelope is dropped. Objects of kinds
 * without sensitive fields are returned as they are (the same reference); the input is never
 * changed. `kind` defaults to the object's own `kind` field.
 */
export function redact(object: JsonObject, kind: string = typeof object.kind === 'string' ? object.kind : ''): JsonObject {
  if (!isSensitiveKind(kind) && object[SEALED] === undefined) return object
  let out: JsonObject = { ...object }
  delete out[SEALED]
  for (const path of sensitiveFieldsOf(kind)) out = replaceAt(out, path, 0)
  return out
}

function replaceAt(object: JsonObject, path: readonly string[], i: number): JsonObject {
  const key = path[i]!
  if (!Object.hasOwn(object, key)) return object
  const value = object[key]
  const copy = { ...object }
  if (i === path.length - 1) setKey(copy, key, redactedValue(value))
  else if (isObject(value)) setKey(copy, key, replaceAt(value, path, i + 1))
  return copy
}

function redactedValue(value: unknown): unknown {
  if (value === undefined || value === null) return value
  if (!isObject(value)) return REDACTED
  return Object.fromEntries(Object.keys(value).map((k) => [k, REDACTED]))
}
