import { readFileSync } from 'node:fs'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Subscription } from 'rxjs'
import type { Projection } from '../../projections/projection.js'
import { ControllerStats } from '../runtime/controller-stats.js'
import type { Store } from '../store/store.js'

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

/** Distinct event types counted by name; more than this (a caller inventing types) are counted as "other". */
const MAX_EVENT_TYPES = 32

/**
 * One server's Prometheus metrics, on a registry of its own (several servers may share a process).
 * Hot paths only count (an append's latency, a committed batch's events, a GraphQL operation's
 * latency); everything else is read at scrape time from the parts it describes, which register
 * themselves as they start.
 */
export class ServerMetrics {
  readonly registry = new Registry()
  /** Reconcile counts and queue depths; hand it to the controllers' runner. */
  readonly controllers = new ControllerStats()

  private store: Store | undefined
  private committed: Subscription | undefined
  private projection: Projection | undefined
  private subscriptions: (() => Readonly<Record<string, number>>) | undefined
  private inflight: (() => Readonly<Record<string, number>>) | undefined
  private head: number | undefined
  private readonly eventTypes = new Set<string>()

  private readonly appendDuration = new Histogram({
    name: 'revkube_eventlog_append_duration_seconds',
    help: 'Time from an append to its acknowledgement (committed or refused), as the caller waits for it.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  })

  private readonly appended = new Counter({
    name: 'revkube_eventlog_events_appended_total',
    help: 'Events this process appended to the log, by event type (Created, Updated, StatusUpdated, DeletionRequested, Deleted).',
    labelNames: ['type'] as const,
    registers: [this.registry],
  })

  private readonly graphqlDuration = new Histogram({
    name: 'revkube_graphql_request_duration_seconds',
    help: 'Time to answer a GraphQL operation (a subscription: to set it up), by operation type and name.',
    labelNames: ['operation_type', 'operation_name'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  })

  constructor() {
    const self = this
    collectDefaultMetrics({ register: this.registry })
    new Gauge({
      name: 'revkube_build_info',
      help: 'Always 1; the version of revkube serving.',
      labelNames: ['version'] as const,
      registers: [this.registry],
    }).set({ version }, 1)
    new Gauge({
      name: 'revkube_eventlog_head_revision',
      help: 'The newest revision in the event log.',
      registers: [this.registry],
      collect() {
        if (self.head !== undefined) this.set(self.head)
      },
    })
    new Gauge({
      name: 'revkube_projection_revision',
      help: 'The revision the in-memory cluster state has applied.',
      registers: [this.registry],
      collect() {
        if (self.projection) this.set(self.projection.revision)
      },
    })
    new Gauge({
      name: 'revkube_projection_lag_revisions',
      help: 'Revisions the in-memory cluster state is behind the head of the log.',
      registers: [this.registry],
      collect() {
        if (self.projection && self.head !== undefined) this.set(Math.max(0, self.head - self.projection.revision))
      },
    })
    new Gauge({
      name: 'revkube_subscriptions',
      help: 'GraphQL subscriptions open, by transport (sse or ws).',
      labelNames: ['transport'] as const,
      registers: [this.registry],
      collect() {
        for (const [transport, open] of Object.entries(self.subscriptions?.() ?? {})) this.set({ transport }, open)
      },
    })
    new Gauge({
      name: 'revkube_graphql_inflight_requests',
      help: 'GraphQL operations running now, by pool (reads, mutations); each pool is bounded and answers 429 when full.',
      labelNames: ['pool'] as const,
      registers: [this.registry],
      collect() {
        for (const [pool, running] of Object.entries(self.inflight?.() ?? {})) this.set({ pool }, running)
      },
    })
    new Gauge({
      name: 'revkube_controller_queue_depth',
      help: 'Keys waiting in a controller’s work queue (while this process leads).',
      labelNames: ['controller'] as const,
      registers: [this.registry],
      collect() {
        this.reset()
        for (const [controller, depth] of self.controllers.queueDepths()) this.set({ controller }, depth)
      },
    })
    new Counter({
      name: 'revkube_controller_reconciles_total',
      help: 'Reconciles a controller has run.',
      labelNames: ['controller'] as const,
      registers: [this.registry],
      collect() {
        this.reset()
        for (const [controller, counts] of self.controllers.all()) this.inc({ controller }, counts.reconciles)
      },
    })
    new Counter({
      name: 'revkube_controller_reconcile_errors_total',
      help: 'Reconciles that failed (threw, or a write failed) and were queued again with back-off.',
      labelNames: ['controller'] as const,
      registers: [this.registry],
      collect() {
        this.reset()
        for (const [controller, counts] of self.controllers.all()) this.inc({ controller }, counts.errors)
      },
    })
  }

  /** Pass as the store's `onAppended`. */
  readonly observeAppend = (seconds: number): void => this.appendDuration.observe(seconds)

  /** Pass as the GraphQL telemetry's `observe`. */
  readonly observeOperation = (operationType: string, operationName: string, seconds: number): void =>
    this.graphqlDuration.observe({ operation_type: operationType, operation_name: operationName }, seconds)

  /** Counts the events the store commits from now on, and reads its head at each scrape. */
  watchStore(store: Store): void {
    this.store = store
    this.committed?.unsubscribe()
    this.committed = store.committed.subscribe((events) => {
      let type = events[0]!.type
      let run = 0
      for (const event of events) {
        if (event.type !== type) {
          this.countAppended(type, run)
          type = event.type
          run = 0
        }
        run++
      }
      this.countAppended(type, run)
    })
  }

  watchProjection(projection: Projection): void {
    this.projection = projection
  }

  /** Where the open subscriptions are counted, by transport. */
  watchSubscriptions(counts: () => Readonly<Record<string, number>>): void {
    this.subscriptions = counts
  }

  /** Where the operations running now are counted, by pool. */
  watchInflight(counts: () => Readonly<Record<string, number>>): void {
    this.inflight = counts
  }

  get contentType(): string {
    return this.registry.contentType
  }

  /** The exposition in Prometheus' text format. */
  async metrics(): Promise<string> {
    this.head = await this.readHead()
    return this.registry.metrics()
  }

  /** Stops following the store. */
  close(): void {
    this.committed?.unsubscribe()
    this.committed = undefined
  }

  private countAppended(type: string, n: number): void {
    if (!this.eventTypes.has(type)) {
      if (this.eventTypes.size >= MAX_EVENT_TYPES) type = 'other'
      else this.eventTypes.add(type)
    }
    this.appended.inc({ type }, n)
  }

  /** The head, or the last one read if the database does not answer within a second. */
  private async readHead(): Promise<number | undefined> {
    if (!this.store) return this.head
    let timer: NodeJS.Timeout | undefined
    const head = await Promise.race([
      this.store.head().then(
        (h) => h.revision,
        () => undefined,
      ),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 1000))),
    ])
    clearTimeout(timer)
    return head ?? this.head
  }
}
