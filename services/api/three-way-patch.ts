import { isObject, setKey, type JsonObject } from '../json.js'
import type { KindDefinition, MergeKeys } from '../resources/kind.js'
import { listStrategy } from '../resources/patch/strategic-merge-keys.js'

/**
 * The strategic merge patch `kubectl apply` sends: set what the manifest sets; remove what the
 * previously applied manifest set and this one no longer does; leave alone everything else — the
 * fields controllers and other writers own. Lists that merge by key get `$patch: delete` entries
 * for removed items; merged scalar lists (finalizers) get `$deleteFromPrimitiveList`. Pure.
 */
export function threeWayPatch(definition: KindDefinition, lastApplied: JsonObject | undefined, desired: JsonObject): JsonObject {
  return mergeObjects(definition.mergeKeys, '', lastApplied ?? {}, desired)
}

function mergeObjects(keys: MergeKeys | undefined, path: string, original: JsonObject, modified: JsonObject): JsonObject {
  const patch: JsonObject = {}
  for (const [key, value] of Object.entries(modified)) {
    const at = path === '' ? key : `${path}.${key}`
    const before = Object.hasOwn(original, key) ? original[key] : undefined
    if (isObject(value) && isObject(before)) {
      setKey(patch, key, mergeObjects(keys, at, before, value))
    } else if (Array.isArray(value) && Array.isArray(before)) {
      const strategy = listStrategy(keys, at)
      if (strategy.kind === 'merge') setKey(patch, key, mergeLists(keys, at, strategy.key, before, value))
      else {
        setKey(patch, key, value)
        if (strategy.kind === 'set') {
          const kept = new Set(value)
          const removed = before.filter((item) => !kept.has(item))
          if (removed.length > 0) patch[`$deleteFromPrimitiveList/${key}`] = removed
        }
      }
    } else {
      setKey(patch, key, value)
    }
  }
  for (const key of Object.keys(original)) if (!Object.hasOwn(modified, key)) setKey(patch, key, null)
  return patch
}

function mergeLists(keys: MergeKeys | undefined, path: string, mergeKey: string, original: unknown[], modified: unknown[]): unknown[] {
  const keyOf = (item: unknown) => (isObject(item) ? JSON.stringify(item[mergeKey]) : undefined)
  const originals = new Map(original.filter(isObject).map((item) => [keyOf(item), item]))
  const kept = new Set<string | undefined>()
  const items = modified.map((item) => {
    const key = keyOf(item)
    kept.add(key)
    const before = originals.get(key)
    return isObject(item) && before ? mergeObjects(keys, path, before, item) : item
  })
  for (const [key, item] of originals) {
    if (!kept.has(key)) items.push({ [mergeKey]: item[mergeKey], $patch: 'delete' })
  }
  return items
}
