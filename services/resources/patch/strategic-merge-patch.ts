import { errors } from '../../errors.js'
import { clone, isObject, setKey, type JsonObject } from '../../json.js'
import { goJsonKind } from './go-format.js'
import { copyObject, jsonKind, withoutKey } from './json-value.js'
import { strategicPatchMessages, unknownPatchType } from './patch-errors.js'
import { childPath, directiveField, directives } from './strategic-directives.js'
import { type MergeContext, deleteScalars, mergeList, newList } from './strategic-list-merge.js'
import type { KindDefinition } from '../kind.js'
import { listStrategy, mergeKeysOf } from './strategic-merge-keys.js'
import { applySetElementOrder } from './strategic-set-element-order.js'

/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) as the apiserver applies it
 * (apimachinery `StrategicMergeMapPatch`): a JSON merge patch whose lists with a merge key merge
 * by that key (the kind's `mergeKeys`), whose merged scalar lists (finalizers) become unions, and
 * which understands the directives `$patch`, `$retainKeys`, `$deleteFromPrimitiveList/<field>` and
 * `$setElementOrder/<field>`. `kind` is the kind's definition, or its name in the built-in
 * registry; kinds without merge keys patch like a merge patch with directives (ObjectMeta's lists
 * still merge). Returns a new document; neither input is modified.
 *
 * Deliberate differences from Kubernetes: `$patch: merge` merges (Kubernetes rejects it), and a
 * value the original lacks is patched against nothing rather than copied raw, so nulls and
 * directives inside it never reach the result (`$deleteFromPrimitiveList` on a missing list is a
 * no-op instead of creating the list).
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, kind: string | KindDefinition): unknown {
  if (patch === null || patch === undefined) return clone(target)
  if (!isObject(patch)) {
    throw errors.badRequest(`json: cannot unmarshal ${goJsonKind(patch)} into Go value of type map[string]interface {}`)
  }
  const keys = mergeKeysOf(kind)
  const context: MergeContext = {
    strategy: (path) => listStrategy(keys, path),
    mergeMap: (original, mapPatch, path) => mergeMap(original, mapPatch, path, context),
  }
  return clone(mergeMap(isObject(target) ? target : undefined, patch, '', context))
}

function mergeMap(original: JsonObject | undefined, patch: JsonObject, path: string, context: MergeContext): JsonObject {
  if (Object.hasOwn(patch, directives.patch)) return mapDirective(original, patch, path, context)
  const base = copyObject(original ?? {})
  const rest = copyObject(patch)
  retainKeys(base, rest)
  applySetElementOrder(base, rest, path, context)
  for (const [key, value] of Object.entries(rest)) mergeField(base, key, value, path, context)
  return base
}

/** `$patch` on a map: `replace` takes the patch as is, `delete` leaves an empty map. */
function mapDirective(original: JsonObject | undefined, patch: JsonObject, path: string, context: MergeContext): JsonObject {
  const directive = patch[directives.patch]
  const rest = withoutKey(patch, directives.patch)
  switch (directive) {
    case 'replace':
      return mergeMap(undefined, rest, path, context)
    case 'delete':
      return {}
    case 'merge':
      return mergeMap(original, rest, path, context)
    default:
      throw unknownPatchType(directive, patch)
  }
}

/**
 * `$retainKeys: [...]` clears the original's keys not in the list; the patch itself may only set
 * listed keys (nulls and parallel-list directives aside). The list must be of strings: Kubernetes
 * lets other entries through to match nothing; we refuse them as the malformed patch they are.
 */
function retainKeys(base: JsonObject, rest: JsonObject): void {
  if (!Object.hasOwn(rest, directives.retainKeys)) return
  const list = rest[directives.retainKeys]
  delete rest[directives.retainKeys]
  if (!Array.isArray(list) || !list.every((key) => typeof key === 'string')) {
    throw errors.badRequest(strategicPatchMessages.retainKeys)
  }
  const keep = new Set<string>(list)
  for (const [key, value] of Object.entries(rest)) {
    const parallel = key.startsWith(directives.deleteFromPrimitiveList) || key.startsWith(directives.setElementOrder)
    if (value !== null && !parallel && !keep.has(key)) throw errors.badRequest(strategicPatchMessages.retainKeys)
  }
  for (const key of Object.keys(base)) if (!keep.has(key)) delete base[key]
}

/** Merges one patch member into the working copy `base`. */
function mergeField(base: JsonObject, key: string, value: unknown, path: string, context: MergeContext): void {
  const deleting = key.startsWith(directives.deleteFromPrimitiveList)
  const field = deleting ? directiveField(key, directives.deleteFromPrimitiveList, strategicPatchMessages.primitiveList) : key
  if (value === null) {
    delete base[field]
    return
  }
  const fieldPath = childPath(path, field)
  const current = base[field]
  const present = Object.hasOwn(base, field)
  if (deleting) {
    if (!Array.isArray(value)) throw errors.badRequest(strategicPatchMessages.primitiveList)
    if (present && Array.isArray(current)) setKey(base, field, deleteScalars(current, value))
  } else if (!present || jsonKind(current) !== jsonKind(value)) {
    setKey(base, field, patchAgainstNothing(value, fieldPath, context))
  } else if (isObject(value)) {
    setKey(base, field, mergeMap(current as JsonObject, value, fieldPath, context))
  } else if (Array.isArray(value)) {
    setKey(base, field, mergeList(current as unknown[], value, fieldPath, context))
  } else {
    setKey(base, field, value)
  }
}

function patchAgainstNothing(value: unknown, path: string, context: MergeContext): unknown {
  if (isObject(value)) return mergeMap(undefined, value, path, context)
  if (Array.isArray(value)) return newList(value, path, context)
  return value
}
