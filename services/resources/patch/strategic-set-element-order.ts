import { isObject, setKey, type JsonObject } from '../../json.js'
import { jsonEqual } from './json-value.js'
import { badArgType, noMergeKey, orderMismatch, strategicPatchMessages } from './patch-errors.js'
import { childPath, directiveField, directives } from './strategic-directives.js'
import { type MergeContext, elementKind, mergeList, newList } from './strategic-list-merge.js'
import { orderMergedList } from './strategic-order.js'

/**
 * `$setElementOrder/<field>: [...]` (apimachinery `mergePatchIntoOriginal`): the list at `field`
 * is merged with the patch's list, if any, and then put in the given order; items the order does
 * not mention keep their original places as far as possible. Runs before the other fields of the
 * map are merged, on that merge's private working copies: it writes the ordered list into `base`
 * and consumes both the directive and the list it ordered from `rest`.
 */
export function applySetElementOrder(base: JsonObject, rest: JsonObject, path: string, context: MergeContext) {
  for (const directive of Object.keys(rest)) {
    if (!directive.startsWith(directives.setElementOrder)) continue
    const order = rest[directive]
    delete rest[directive]
    if (!Array.isArray(order)) throw badArgType('[]interface {}', order)
    const field = directiveField(directive, directives.setElementOrder, strategicPatchMessages.setElementOrder)
    const fieldPath = childPath(path, field)
    const originalList = listAt(base, field)
    const patchList = listAt(rest, field)
    const strategy = context.strategy(fieldPath)
    const mergeKey = strategy.kind === 'merge' ? strategy.key : undefined
    checkPatchFollowsOrder(patchList ?? [], order, mergeKey)
    if (originalList === undefined && patchList === undefined) continue

    let merged: unknown[]
    if (patchList === undefined) merged = originalList ?? []
    else if (originalList === undefined) merged = newList(patchList, fieldPath, context)
    else merged = mergeList(originalList, patchList, fieldPath, context)
    delete rest[field]
    setKey(base, field, reorder(merged, order, originalList ?? [], patchList ?? [], mergeKey))
  }
}

function listAt(object: JsonObject, field: string): unknown[] | undefined {
  if (!Object.hasOwn(object, field)) return undefined
  const value = object[field]
  if (!Array.isArray(value)) throw badArgType('[]interface {}', value)
  return value
}

function reorder(merged: unknown[], order: unknown[], original: unknown[], patch: unknown[], mergeKey: string | undefined): unknown[] {
  if (merged.length === 0) return merged
  const kind = elementKind([original, patch])
  if (kind !== 'object') return orderMergedList(merged, order, original, undefined)
  // A list of objects without a merge key has no identity to order by.
  return mergeKey === undefined ? merged : orderMergedList(merged, order, original, mergeKey)
}

/**
 * The patch's items (deletions and other directive items aside) must appear in the order list,
 * in the same relative order.
 */
function checkPatchFollowsOrder(patch: unknown[], order: unknown[], mergeKey: string | undefined): void {
  if (patch.length === 0 || order.length === 0) return
  const kept = mergeKey === undefined ? patch : patch.filter((item) => !isDeletion(item))
  let p = 0
  let o = 0
  while (p < kept.length && o < order.length) {
    const item = kept[p]
    if (isObject(item) && Object.hasOwn(item, directives.patch)) {
      p++
      continue
    }
    if (sameElement(item, order[o], mergeKey)) p++
    o++
  }
  if (p < kept.length) {
    throw orderMismatch(patch, order)
  }
}

function isDeletion(item: unknown): boolean {
  if (!isObject(item)) throw badArgType('map[string]interface {}', item)
  return item[directives.patch] === 'delete'
}

function sameElement(a: unknown, b: unknown, mergeKey: string | undefined): boolean {
  if (mergeKey === undefined) return jsonEqual(a, b)
  for (const item of [a, b]) {
    if (!isObject(item)) throw badArgType('map[string]interface {}', item)
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey)
  }
  return jsonEqual((a as JsonObject)[mergeKey], (b as JsonObject)[mergeKey])
}
