/** One controller's counts since the process started. */
export interface ControllerCounts {
  /** Reconciles run (each key taken from the queue once). */
  reconciles: number
  /** Reconciles that threw or whose writes failed (the key goes back with back-off). */
  errors: number
}

/**
 * What the controllers have done, for /metrics: counts per controller that outlive a leadership
 * term (a new runner carries on counting where the last one stopped), and the queue depths of the
 * runner working now. Runners increment plain numbers; the metrics read them at scrape time.
 */
export class ControllerStats {
  private readonly counts = new Map<string, ControllerCounts>()
  private depths: (() => Iterable<[string, number]>) | undefined

  /** The counts of the named controller, created at zero. */
  countsOf(controller: string): ControllerCounts {
    let counts = this.counts.get(controller)
    if (!counts) this.counts.set(controller, (counts = { reconciles: 0, errors: 0 }))
    return counts
  }

  /** Every controller that has run in this process and its counts. */
  all(): Iterable<[string, ControllerCounts]> {
    return this.counts.entries()
  }

  /** A runner reports its queues while it runs; undefined when it stops. */
  reportQueues(depths: (() => Iterable<[string, number]>) | undefined): void {
    this.depths = depths
  }

  /** Keys waiting in each running controller's queue (none while this process does not lead). */
  queueDepths(): Iterable<[string, number]> {
    return this.depths?.() ?? []
  }
}
