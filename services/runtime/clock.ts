/**
 * Time as controllers see it. Real time in production; a fake clock in tests, which moves only
 * when told, so minReadySeconds, back-off, heartbeats and schedules run fast and deterministically.
 */
export interface Clock {
  now(): Date
  /** Calls `fn` after `ms`; returns a cancel function. */
  after(ms: number, fn: () => void): () => void
}

export const realClock: Clock = {
  now: () => new Date(),
  after: (ms, fn) => {
    const timer = setTimeout(fn, Math.max(0, ms))
    timer.unref?.()
    return () => clearTimeout(timer)
  },
}

/** A clock that stands still until `advance` moves it, firing what fell due on the way. */
export class FakeClock implements Clock {
  private current: number
  private readonly timers = new Map<number, { at: number; fn: () => void }>()
  private nextId = 0

  constructor(start: Date | string = '2026-11-26T12:00:00Z') {
    this.current = new Date(start).getTime()
  }

  now(): Date {
    return new Date(this.current)
  }

  after(ms: number, fn: () => void): () => void {
    const id = this.nextId++
    this.timers.set(id, { at: this.current + Math.max(0, ms), fn })
    return () => this.timers.delete(id)
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.current + ms
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined
      for (const entry of this.timers) if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry
      if (!next) break
      this.timers.delete(next[0])
      this.current = next[1].at
      next[1].fn()
    }
    this.current = target
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.size
  }
}
