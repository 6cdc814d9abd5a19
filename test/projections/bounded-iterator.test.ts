import { Subject } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { boundedIterator } from '../../projections/bounded-iterator.js'

describe('boundedIterator', () => {
  it('delivers values in order to a consumer that keeps up, then completes', async () => {
    const source = new Subject<number>()
    const iterator = boundedIterator(source, 3, () => new Error('overflow'))
    source.next(1)
    source.next(2)
    const got: number[] = []
    const reading = (async () => {
      for await (const v of iterator) got.push(v)
    })()
    source.next(3)
    source.complete()
    await reading
    expect(got).toEqual([1, 2, 3])
  })

  it('cuts off a consumer more than `limit` values behind, naming the last value it saw', async () => {
    const source = new Subject<number>()
    const iterator = boundedIterator(source, 2, (last) => new Error(`too slow after ${last}`))
    source.next(1)
    expect((await iterator.next()).value).toBe(1)
    for (const v of [2, 3, 4]) source.next(v)
    await expect(iterator.next()).rejects.toThrow('too slow after 1')
    expect(source.observed).toBe(false)
  })

  it('unsubscribes when the consumer stops', async () => {
    const source = new Subject<number>()
    const iterator = boundedIterator(source, 10, () => new Error('overflow'))
    source.next(1)
    await iterator.next()
    await iterator.return!()
    expect(source.observed).toBe(false)
    expect((await iterator.next()).done).toBe(true)
  })
})
