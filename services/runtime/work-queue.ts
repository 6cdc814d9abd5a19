import type { Clock } from './clock.js'

/**
 * Kubernetes' work queue: each key at most once in the queue, a key that changes while it is
 * being processed comes round again afterwards, failed keys back off exponentially (5 ms doubling
 * to 1000 s), and keys can be scheduled for later. Remembers the newest revision that asked for
 * each key, so the writes it leads to can name their cause.
 */
export class WorkQueue {
  private readonly queue: string[] = []
  private readonly waiting = new Map<string, number>() // key → cause revision, for queued keys
  private readonly processing = new Set<string>()
  private readonly dirty = new Map<string, number>() // re-added while processing
  private readonly failures = new Map<string, number>()
  private readonly timers = new Map<string, () => void>()
  private readonly rests = new Map<string, NodeJS.Timeout>()
  private readonly sleepers: Array<() => void> = []
  private closed = false

  constructor(private readonly clock: Clock) {}

  add(key: string, cause = 0): void {
    if (this.closed) return
    if (this.processing.has(key)) {
      this.dirty.set(key, Math.max(this.dirty.get(key) ?? 0, cause))
      return
    }
    const queued = this.waiting.get(key)
    if (queued !== undefined) {
      this.waiting.set(key, Math.max(queued, cause))
      return
    }
    this.waiting.set(key, cause)
    this.queue.push(key)
    this.sleepers.shift()?.()
  }

  /** Adds the key after `ms` (sooner if something adds it meanwhile). */
  addAfter(key: string, ms: number, cause = 0): void {
    if (this.closed) return
    if (ms <= 0) return this.add(key, cause)
    this.timers.get(key)?.()
    this.timers.set(
      key,
      this.clock.after(ms, () => {
        this.timers.delete(key)
        this.add(key, cause)
      }),
    )
  }

  /** Adds the key again after its back-off, which doubles with each failure in a row. */
  addRateLimited(key: string, cause = 0): void {
    const failures = this.failures.get(key) ?? 0
    this.failures.set(key, failures + 1)
    this.addAfter(key, Math.min(5 * 2 ** failures, 1_000_000), cause)
  }

  /** The key succeeded: its back-off starts over. */
  forget(key: string): void {
    this.failures.delete(key)
  }

  /** The next key to process and the revision that asked for it; undefined once shut down. */
  async next(): Promise<{ key: string; cause: number } | undefined> {
    while (this.queue.length === 0) {
      if (this.closed) return undefined
      await new Promise<void>((resolve) => this.sleepers.push(resolve))
    }
    const key = this.queue.shift()!
    const cause = this.waiting.get(key) ?? 0
    this.waiting.delete(key)
    this.processing.add(key)
    return { key, cause }
  }

  /**
   * Processing of `key` finished; if it was added meanwhile it goes back in the queue — after
   * `restMs` of real time when given, during which the key still counts as being processed.
   */
  done(key: string, restMs = 0): void {
    if (restMs > 0 && !this.closed) {
      const timer = setTimeout(() => {
        this.rests.delete(key)
        this.done(key)
      }, restMs)
      timer.unref()
      this.rests.set(key, timer)
      return
    }
    this.processing.delete(key)
    const again = this.dirty.get(key)
    if (again !== undefined) {
      this.dirty.delete(key)
      this.add(key, again)
    }
  }

  /** Nothing queued and nothing being processed (scheduled retries may still be pending). */
  get idle(): boolean {
    return this.queue.length === 0 && this.processing.size === 0
  }

  get length(): number {
    return this.queue.length
  }

  shutdown(): void {
    this.closed = true
    for (const cancel of this.timers.values()) cancel()
    this.timers.clear()
    for (const timer of this.rests.values()) clearTimeout(timer)
    this.rests.clear()
    for (const wake of this.sleepers.splice(0)) wake()
  }
}
