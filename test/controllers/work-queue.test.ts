import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../services/controllers/runtime/clock.js'
import { WorkQueue } from '../../services/controllers/runtime/work-queue.js'

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
