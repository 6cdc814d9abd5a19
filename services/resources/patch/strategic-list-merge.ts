import { errors } from '../../errors.js'
import { isObject, type JsonObject } from '../../json.js'
import { type JsonKind, canonicalJson, jsonKind, withoutKey } from './json-value.js'
import {
  mixedListTypes,
  noMergeKey,
  patchNotApplicable,
  strategicPatchFailure,
  strategicPatchMessages,
  unknownPatchType,
} from './patch-errors.js'
import { directives } from './strategic-directives.js'
import type { ListStrategy } from './strategic-merge-keys.js'
import { itemKey, orderMergedList } from './strategic-order.js'

/** What list merging needs from the map merge it is part of (passed in to keep imports acyclic). */
export interface MergeContext {
  /** How the list at a path (dotted, indexes dropped) is patched. */
  strategy(path: string): ListStrategy
  /** Merges a patch map into an original map (or into nothing) whose fields sit under `path`. */
  mergeMap(original: JsonObject | undefined, patch: JsonObject, path: string): JsonObject
}

/**
 * Patches the list at `path`: lists with a merge key merge item by item (`$patch: delete` items
 * remove, a `$patch: replace` item replaces the list), merged scalar lists become a union, and
 * all other lists are replaced by the patch's.
 */
export function mergeList(original: unknown[], patch: unknown[], path: string, context: MergeContext): unknown[] {
  const strategy = context.strategy(path)
  if (strategy.kind === 'replace') return newList(patch, path, context)
  if (original.length === 0 && patch.length === 0) return []
  if (elementKind([original, patch]) !== 'object') {
    return orderMergedList(unique([...original, ...patch]), patch, original, undefined)
  }
  if (strategy.kind !== 'merge') throw strategicPatchFailure('cannot merge lists without merge key for type string')
  const key = strategy.key
  const { base, items, replaced } = splitDirectiveItems(original as JsonObject[], patch as JsonObject[], key)
  if (replaced) {
    const replacement = items.map((item) => context.mergeMap(undefined, item, path))
    return orderMergedList(replacement, [], replacement, key)
  }
  return orderMergedList(mergeByKey(base, items, key, path, context), items, base, key)
}

/**
 * A patch list that replaces (or stands where there was no list): directive items are dropped
 * and objects are patched against nothing, so nested nulls and directives do not leak through.
 */
export function newList(patch: unknown[], path: string, context: MergeContext): unknown[] {
  return patch.flatMap((item) => {
    if (!isObject(item)) return [item]
    if (!Object.hasOwn(item, directives.patch)) return [context.mergeMap(undefined, item, path)]
    const directive = item[directives.patch]
    if (directive === 'replace' || directive === 'delete') return []
    if (directive === 'merge') return [context.mergeMap(undefined, withoutKey(item, directives.patch), path)]
    throw unknownPatchType(directive, item)
  })
}

/** `$deleteFromPrimitiveList`: every occurrence of the given scalars removed. */
export function deleteScalars(original: unknown[], values: unknown[]): unknown[] {
  if (values.some((value) => typeof value === 'object' && value !== null)) {
    throw errors.badRequest(strategicPatchMessages.primitiveList)
  }
  const deleted = new Set(values.map(canonicalJson))
  return original.filter((item) => !deleted.has(canonicalJson(item)))
}

/**
 * The one JSON type shared by the items of the lists. Kubernetes refuses lists of lists (422)
 * and lists mixing types.
 */
export function elementKind(lists: unknown[][]): JsonKind {
  let kind: JsonKind | undefined
  for (const item of lists.flat()) {
    const itemKind = jsonKind(item)
    if (kind === undefined && itemKind === 'array') throw patchNotApplicable(strategicPatchMessages.listOfLists)
    if (kind !== undefined && itemKind !== kind) {
      throw mixedListTypes(lists)
    }
    kind = itemKind
  }
  return kind ?? 'null'
}

/** The items without repeats, first occurrences kept. */
function unique(items: unknown[]): unknown[] {
  const seen = new Set<string>()
  return items.filter((item) => {
    const key = canonicalJson(item)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** Applies `$patch` items: deletions by merge key, and whether the whole list is replaced. */
function splitDirectiveItems(original: JsonObject[], patch: JsonObject[], key: string) {
  const deleted = new Set<string>()
  const items: JsonObject[] = []
  let replaced = false
  for (const item of patch) {
    if (!Object.hasOwn(item, directives.patch)) {
      items.push(item)
      continue
    }
    const directive = item[directives.patch]
    if (directive === 'delete') {
      if (!Object.hasOwn(item, key)) throw noMergeKey(item, key)
      deleted.add(itemKey(item, key))
    } else if (directive === 'replace') {
      replaced = true
    } else if (directive === 'merge') {
      items.push(withoutKey(item, directives.patch))
    } else {
      throw unknownPatchType(directive, item)
    }
  }
  if (replaced) return { base: items, items, replaced }
  const base = original.filter((entry) => !(Object.hasOwn(entry, key) && deleted.has(itemKey(entry, key))))
  return { base, items, replaced }
}

/** Each patch item merges into the first item with the same key (original or added before), or is appended. */
function mergeByKey(base: JsonObject[], items: JsonObject[], key: string, path: string, context: MergeContext) {
  const merged: unknown[] = [...base]
  const at = new Map<string, number>()
  const index = (entry: unknown, position: number) => {
    if (!isObject(entry) || !Object.hasOwn(entry, key)) return
    const id = itemKey(entry, key)
    if (!at.has(id)) at.set(id, position)
  }
  merged.forEach(index)
  for (const item of items) {
    if (!Object.hasOwn(item, key)) throw noMergeKey(item, key)
    const found = at.get(itemKey(item, key))
    if (found !== undefined) {
      merged[found] = context.mergeMap(merged[found] as JsonObject, item, path)
    } else {
      merged.push(context.mergeMap(undefined, item, path))
      index(merged[merged.length - 1], merged.length - 1)
    }
  }
  return merged
}
