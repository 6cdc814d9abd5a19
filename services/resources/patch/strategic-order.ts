import { isObject } from '../json.js'
import { jsonEqual } from './json-value.js'
import { badArgType, noMergeKey } from './patch-errors.js'

/**
 * The order of a merged list, as apimachinery's strategic merge patch settles it: the items the
 * patch names (or `$setElementOrder` lists) keep that relative order, the others keep the
 * original's, and the two runs are interleaved by their positions in the original list. So a new
 * container lands after the last original one the patch precedes it with, not always at the end.
 * Items are identified by `mergeKey` for lists of objects, by value for lists of scalars.
 */
export function orderMergedList(
  merged: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string | undefined,
): unknown[] {
  if (mergeKey !== undefined) for (const list of [merged, patchOrder, serverOrder]) requireMergeKeys(list, mergeKey)
  const named = merged.filter((item) => indexIn(patchOrder, item, mergeKey) >= 0)
  const serverOnly = merged.filter((item) => indexIn(patchOrder, item, mergeKey) < 0)
  return interleave(
    sortBy(serverOnly, serverOrder, mergeKey),
    sortBy(named, patchOrder, mergeKey),
    serverOrder,
    mergeKey,
  )
}

/** Every item must be an object carrying the merge key. */
export function requireMergeKeys(list: unknown[], mergeKey: string): void {
  for (const item of list) {
    if (!isObject(item)) throw badArgType('map[string]interface {}', item)
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey)
  }
}

/** Whether two list items are the same item: equal merge key values, or equal scalars. */
export function sameItem(a: unknown, b: unknown, mergeKey: string | undefined): boolean {
  if (mergeKey === undefined) return jsonEqual(a, b)
  return isObject(a) && isObject(b) && jsonEqual(a[mergeKey], b[mergeKey])
}

function indexIn(order: unknown[], item: unknown, mergeKey: string | undefined): number {
  return order.findIndex((candidate) => sameItem(candidate, item, mergeKey))
}

/** A stable sort by position in `order`; items not in it go last. */
function sortBy(list: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const rank = (item: unknown) => {
    const at = indexIn(order, item, mergeKey)
    return at < 0 ? order.length : at
  }
  return list
    .map((item, position) => ({ item, position, rank: rank(item) }))
    .sort((a, b) => a.rank - b.rank || a.position - b.position)
    .map(({ item }) => item)
}

/**
 * Merges two sorted runs: an original-only item goes first only when both items are in the
 * original list and it comes earlier there; otherwise the patch's item goes first.
 */
function interleave(serverOnly: unknown[], named: unknown[], serverOrder: unknown[], mergeKey: string | undefined) {
  const out: unknown[] = []
  let i = 0
  let j = 0
  while (i < serverOnly.length || j < named.length) {
    if (j >= named.length) out.push(serverOnly[i++])
    else if (i >= serverOnly.length) out.push(named[j++])
    else {
      const left = indexIn(serverOrder, serverOnly[i], mergeKey)
      const right = indexIn(serverOrder, named[j], mergeKey)
      out.push(left >= 0 && right >= 0 && left < right ? serverOnly[i++] : named[j++])
    }
  }
  return out
}
