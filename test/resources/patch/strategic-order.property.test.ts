import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jsonEqual } from '../../../services/resources/patch/json-value.js'
import { orderMergedList } from '../../../services/resources/patch/strategic-order.js'

/**
 * orderMergedList finds positions in indexes; this naive reference searches the lists item by
 * item, as apimachinery does. They must agree on every list, repeats and equal keys of different
 * key order included.
 */
function reference(merged: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string | undefined) {
  const same = (a: unknown, b: unknown) =>
    mergeKey === undefined ? jsonEqual(a, b) : jsonEqual((a as any)[mergeKey], (b as any)[mergeKey])
  const indexIn = (order: unknown[], item: unknown) => order.findIndex((candidate) => same(candidate, item))
  const sortBy = (list: unknown[], order: unknown[]) =>
    list
      .map((item, position) => ({ item, position, rank: indexIn(order, item) < 0 ? Infinity : indexIn(order, item) }))
      .sort((a, b) => (a.rank === b.rank ? a.position - b.position : a.rank < b.rank ? -1 : 1))
      .map(({ item }) => item)
  const serverOnly = sortBy(
    merged.filter((item) => indexIn(patchOrder, item) < 0),
    serverOrder,
  )
  const named = sortBy(
    merged.filter((item) => indexIn(patchOrder, item) >= 0),
    patchOrder,
  )
  const out: unknown[] = []
  let i = 0
  let j = 0
  while (i < serverOnly.length || j < named.length) {
    if (j >= named.length) out.push(serverOnly[i++])
    else if (i >= serverOnly.length) out.push(named[j++])
    else {
      const left = indexIn(serverOrder, serverOnly[i])
      const right = indexIn(serverOrder, named[j])
      out.push(left >= 0 && right >= 0 && left < right ? serverOnly[i++] : named[j++])
    }
  }
  return out
}

const scalar = fc.oneof(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer({ min: 0, max: 3 }), fc.constant(null))
/** Merge key values: scalars, and objects whose keys come in either order. */
const keyValue = fc.oneof(
  scalar,
  fc.tuple(scalar, scalar).chain(([x, y]) => fc.constantFrom({ x, y }, { y, x })),
)
const item = fc.record({ name: keyValue, n: fc.nat(5) })
const lists = <T>(arbitrary: fc.Arbitrary<T>) => fc.tuple(...[0, 1, 2].map(() => fc.array(arbitrary, { maxLength: 7 })))

describe('orderMergedList', () => {
  it('orders lists of objects by merge key as the naive search does', () => {
    fc.assert(
      fc.property(lists(item), ([merged, patch, server]) => {
        expect(orderMergedList(merged!, patch!, server!, 'name')).toEqual(reference(merged!, patch!, server!, 'name'))
      }),
      { numRuns: 2000 },
    )
  })

  it('orders lists of scalars by value as the naive search does', () => {
    fc.assert(
      fc.property(lists(scalar), ([merged, patch, server]) => {
        expect(orderMergedList(merged!, patch!, server!, undefined)).toEqual(reference(merged!, patch!, server!, undefined))
      }),
      { numRuns: 2000 },
    )
  })
})
