import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../services/runtime/clock.js'
import { restAfter } from '../../services/runtime/runner.js'
import { WorkQueue } from '../../services/runtime/work-queue.js'

describe('WorkQueue', () => {
  it('holds each key once and remembers the newest revision that asked for it', async () => {
    const queue = new WorkQueue(new FakeClock())
    queue.add('a', 3)
    queue.add('b', 4)
    queue.add('a', 7)
    expect(queue.length).toBe(2)
    expect(await queue.next()).toEqual({ key: 'a', cause: 7 })
    expect(await queue.next()).toEqual({ key: 'b', cause: 4 })
  })

  it('brings back a key that changed while it was being processed, after it is done', async () => {
    const queue = new WorkQueue(new FakeClock())
    queue.add('a', 1)
    const item = await queue.next()
    queue.add('a', 2)
    expect(queue.length).toBe(0)
    queue.done(item!.key)
    expect(await queue.next()).toEqual({ key: 'a', cause: 2 })
  })

  it('lets a key that took long rest before it comes round again, still counted as in progress', async () => {
    const queue = new WorkQueue(new FakeClock())
    queue.add('big', 1)
    const item = await queue.next()
    queue.add('big', 2)
    queue.done(item!.key, 30)
    queue.add('big', 3)
    expect(queue.length).toBe(0)
    expect(queue.idle).toBe(false)
    queue.add('small', 4)
    expect(await queue.next()).toEqual({ key: 'small', cause: 4 })
    queue.done('small')
    expect(await queue.next()).toEqual({ key: 'big', cause: 3 })
  })

  it('rests a key four times as long as its reconcile took, from 2 ms, at most 2 s', () => {
    expect([0.5, 1.9, 2, 10, 400, 1000].map(restAfter)).toEqual([0, 0, 8, 40, 1600, 2000])
  })

  it('backs off failures exponentially from 5 ms, and starts over after a success', async () => {
    const clock = new FakeClock()
    const queue = new WorkQueue(clock)
    const delays: number[] = []
    for (let i = 0; i < 4; i++) {
      const before = clock.now().getTime()
      queue.addRateLimited('a')
      let waited = 0
      while (queue.length === 0) {
        clock.advance(1)
        waited++
      }
      delays.push(waited)
      const item = await queue.next()
      queue.done(item!.key)
      void before
    }
    expect(delays).toEqual([5, 10, 20, 40])
    queue.forget('a')
    queue.addRateLimited('a')
    clock.advance(5)
    expect(queue.length).toBe(1)
  })

  it('adds a key after a delay, on the clock', () => {
    const clock = new FakeClock()
    const queue = new WorkQueue(clock)
    queue.addAfter('later', 30_000)
    clock.advance(29_999)
    expect(queue.length).toBe(0)
    clock.advance(1)
    expect(queue.length).toBe(1)
  })

  it('ends waiting workers when shut down', async () => {
    const queue = new WorkQueue(new FakeClock())
    const waiting = queue.next()
    queue.shutdown()
    expect(await waiting).toBeUndefined()
  })
})
