import { errors } from '../../errors.js'
import { clone, isObject, setKey, type JsonObject } from '../../json.js'
import { INVALID_MERGE_PATCH } from './patch-errors.js'

/**
 * RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge recursively, `null`
 * deletes a member, and anything that is not an object (arrays included) replaces the target
 * wholesale. A patch that is not an object replaces the whole document. Returns a new document;
 * neither input is modified.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch)
  const base: JsonObject = isObject(target) ? target : {}
  const result: JsonObject = {}
  for (const key of Object.keys(base)) {
    if (!Object.hasOwn(patch, key)) setKey(result, key, clone(base[key]))
    else if (patch[key] !== null) setKey(result, key, applyMergePatch(base[key], patch[key]))
  }
  for (const key of Object.keys(patch)) {
    if (!Object.hasOwn(base, key) && patch[key] !== null) setKey(result, key, applyMergePatch(undefined, patch[key]))
  }
  return result
}

/**
 * A merge patch applied to a stored object, as the apiserver does it: the patch must be a JSON
 * object, otherwise 400 BadRequest "Invalid JSON Patch" (evanphx/json-patch's `ErrBadJSONPatch`).
 */
export function applyObjectMergePatch(target: JsonObject, patch: unknown): JsonObject {
  if (!isObject(patch)) throw errors.badRequest(INVALID_MERGE_PATCH)
  return applyMergePatch(target, patch) as JsonObject
}
