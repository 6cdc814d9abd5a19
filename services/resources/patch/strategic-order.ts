import { isObject } from '../../json.js'
import { canonicalJson } from './json-value.js'
import { badArgType, noMergeKey } from './patch-errors.js'

/**
 * The order of a merged list, as apimachinery's strategic merge patch settles it: the items the
 * patch names (or `$setElementOrder` lists) keep that relative order, the others keep the
 * original's, and the two runs are interleaved by their positions in the original list. So a new
 * container lands after the last original one the patch precedes it with, not always at the end.
 * Items are identified by `mergeKey` for lists of objects, by value for lists of scalars. Positions
 * are looked up in indexes, so ordering n items costs n log n, not n² (a patch may list 100,000).
 */
export function orderMergedList(merged: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string | undefined): unknown[] {
  if (mergeKey !== undefined) for (const list of [merged, patchOrder, serverOrder]) requireMergeKeys(list, mergeKey)
  const inPatch = positions(patchOrder, mergeKey)
  const inServer = positions(serverOrder, mergeKey)
  const items = merged.map((item) => ({ item, key: itemKey(item, mergeKey) }))
  const named = items.filter(({ key }) => inPatch.has(key))
  const serverOnly = items.filter(({ key }) => !inPatch.has(key))
  return interleave(sortBy(serverOnly, inServer), sortBy(named, inPatch), inServer)
}

/** A list item and its {@link itemKey}. */
interface Keyed {
  item: unknown
  key: string
}

/** Every item must be an object carrying the merge key. */
export function requireMergeKeys(list: unknown[], mergeKey: string): void {
  for (const item of list) {
    if (!isObject(item)) throw badArgType('map[string]interface {}', item)
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey)
  }
}

/**
 * What identifies a list item: its merge key's value, or the scalar itself, as canonical JSON. Two
 * items are the same item exactly when their keys are equal. Objects in a list merged by key have
 * been checked to carry the key ({@link requireMergeKeys}).
 */
export function itemKey(item: unknown, mergeKey: string | undefined): string {
  return canonicalJson(mergeKey === undefined ? item : (item as Record<string, unknown>)[mergeKey])
}

/** Each item's first position in a list, by {@link itemKey}. */
function positions(list: unknown[], mergeKey: string | undefined): Map<string, number> {
  const out = new Map<string, number>()
  list.forEach((item, index) => {
    const key = itemKey(item, mergeKey)
    if (!out.has(key)) out.set(key, index)
  })
  return out
}

/** A stable sort by position in an order; items not in it go last. */
function sortBy(list: Keyed[], order: Map<string, number>): Keyed[] {
  return list
    .map((entry, position) => ({ entry, position, rank: order.get(entry.key) ?? Number.MAX_SAFE_INTEGER }))
    .sort((a, b) => a.rank - b.rank || a.position - b.position)
    .map(({ entry }) => entry)
}

/**
 * Merges two sorted runs: an original-only item goes first only when both items are in the
 * original list and it comes earlier there; otherwise the patch's item goes first.
 */
function interleave(serverOnly: Keyed[], named: Keyed[], serverOrder: Map<string, number>): unknown[] {
  const out: unknown[] = []
  let i = 0
  let j = 0
  while (i < serverOnly.length || j < named.length) {
    if (j >= named.length) out.push(serverOnly[i++]!.item)
    else if (i >= serverOnly.length) out.push(named[j++]!.item)
    else {
      const left = serverOrder.get(serverOnly[i]!.key)
      const right = serverOrder.get(named[j]!.key)
      out.push(left !== undefined && right !== undefined && left < right ? serverOnly[i++]!.item : named[j++]!.item)
    }
  }
  return out
}
