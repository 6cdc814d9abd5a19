import { Observable, type Subscription } from 'rxjs'
import type { Logger } from '../log.js'
import type { LogEvent } from './commands.js'
import type { Database } from './database.js'
import { readEvents, readHead, type OpenObject } from './reads.js'

export interface TailOptions {
  /** Events read per query while catching up. @default 1000 */
  pageSize?: number
  /** How often the head is polled in case a wake-up was missed. @default 1000 */
  pollIntervalMs?: number
  /** Opens each object read from the log (the store's unsealing); events this process committed arrive opened. */
  open?: OpenObject
  log: Logger
}

/**
 * Follows the log for every tail of this process. Tails read the log from their last revision
 * whenever there may be more: after this process commits (served from memory when the batch
 * continues the tail exactly), on LISTEN/NOTIFY wake-ups from other processes, and on a slow
 * poll of the head. Revisions are gapless and in commit order, so "revision > last seen" never
 * misses anything, whatever wake-ups are lost.
 */
export class LogFollower {
  private signals = 0
  private readonly waiters = new Set<() => void>()
  private recent: LogEvent[][] = []
  private polledHead = 0
  private tails = 0
  private poller: NodeJS.Timeout | undefined
  private wakeupSubscription: Subscription | undefined
  private readonly committedSubscription: Subscription
  private closed = false
  private readonly pageSize: number
  private readonly pollIntervalMs: number

  constructor(
    private readonly database: Database,
    committed: Observable<LogEvent[]>,
    private readonly options: TailOptions,
  ) {
    this.pageSize = options.pageSize ?? 1000
    this.pollIntervalMs = options.pollIntervalMs ?? 1000
    this.committedSubscription = committed.subscribe((batch) => {
      this.recent.push(batch)
      if (this.recent.length > 32) this.recent.shift()
      this.signal()
    })
  }

  /**
   * Every event with revision > `after`, in order and without gaps: first what the log holds,
   * then each new commit as it lands. Survives lost connections (it retries with back-off).
   */
  tail(after: number): Observable<LogEvent> {
    return new Observable<LogEvent>((subscriber) => {
      let cursor = after
      let stopped = false
      this.started()

      const run = async () => {
        let failures = 0
        while (!stopped && !this.closed) {
          const seen = this.signals
          const fromMemory = this.recentAfter(cursor)
          if (fromMemory.length > 0) {
            for (const event of fromMemory) {
              if (stopped) return
              subscriber.next(event)
              cursor = event.revision
            }
            continue
          }
          let page: LogEvent[]
          try {
            page = await readEvents(this.database.db, { after: cursor, limit: this.pageSize }, this.options.open)
            failures = 0
          } catch (error) {
            failures++
            this.options.log.warn('tail: reading the log failed; retrying', { after: cursor, error: (error as Error).message })
            await this.wait(seen, Math.min(100 * 2 ** failures, 5000), true)
            continue
          }
          for (const event of page) {
            if (stopped) return
            subscriber.next(event)
            cursor = event.revision
          }
          if (page.length < this.pageSize) await this.wait(seen, this.pollIntervalMs * 2)
        }
        if (!stopped) subscriber.complete()
      }
      void run()

      return () => {
        stopped = true
        this.stopped()
        this.signal()
      }
    })
  }

  close(): void {
    this.closed = true
    this.committedSubscription.unsubscribe()
    this.stopPolling()
    this.signal()
  }

  /** Locally committed events that continue exactly from `cursor`, if memory still holds them. */
  private recentAfter(cursor: number): LogEvent[] {
    const out: LogEvent[] = []
    let expected = cursor + 1
    for (const batch of this.recent) {
      const last = batch[batch.length - 1]
      if (!last || last.revision < expected) continue
      const first = batch[0]!.revision
      if (first > expected) break
      for (let i = expected - first; i < batch.length; i++) out.push(batch[i]!)
      expected = last.revision + 1
    }
    return out
  }

  private signal(): void {
    this.signals++
    for (const wake of this.waiters) wake()
    this.waiters.clear()
  }

  /** Waits for a signal after `seen`, or at most `ms`; `sleepOnly` ignores signals (back-off). */
  private wait(seen: number, ms: number, sleepOnly = false): Promise<void> {
    if (!sleepOnly && this.signals > seen) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.waiters.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      if (!sleepOnly) this.waiters.add(done)
    })
  }

  private started(): void {
    if (this.tails++ > 0) return
    this.wakeupSubscription = this.database.wakeups.subscribe(() => this.signal())
    this.poller = setInterval(() => void this.poll(), this.pollIntervalMs)
    this.poller.unref()
  }

  private stopped(): void {
    if (--this.tails === 0) this.stopPolling()
  }

  private stopPolling(): void {
    if (this.poller) clearInterval(this.poller)
    this.poller = undefined
    this.wakeupSubscription?.unsubscribe()
    this.wakeupSubscription = undefined
  }

  private async poll(): Promise<void> {
    try {
      const head = await readHead(this.database.db)
      if (head.revision !== this.polledHead) {
        this.polledHead = head.revision
        this.signal()
      }
    } catch {
      // The tails retry on their own; the poll only wakes them.
    }
  }
}
