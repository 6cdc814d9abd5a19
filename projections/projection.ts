import { BehaviorSubject, filter, firstValueFrom, Subject, timeout, type Observable, type Subscription } from 'rxjs'
import type { Logger } from '../services/log.js'
import type { LogEvent } from '../services/store/commands.js'
import type { JsonObject } from '../services/store/schema.js'
import type { Store } from '../services/store/store.js'
import { emptyState, getObject, type ClusterState } from './cluster-state.js'
import { evolve, load } from './evolve.js'

/** One applied event and the object it replaced (undefined for a creation). */
export interface Change {
  event: LogEvent
  previous: JsonObject | undefined
}

/**
 * The live cluster state of this process: loaded from the store's current objects, then kept
 * current by folding the log's tail through `evolve`. `changes` emits each applied event with
 * the object it replaced, synchronously after the state has taken it.
 *
 * @example
 * import { getObject } from './projections/cluster-state.js'
 * import { Projection } from './projections/projection.js'
 * import { openStore } from './services/app/open-store.js'
 *
 * const store = await openStore({ database: { backend: 'pglite', dataDir: 'memory://' } })
 * const projection = await Projection.start(store)
 * const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, data: { a: '1' } }
 * const event = await store.appendOne({ op: 'put', type: 'Created', kind: 'ConfigMap', namespace: 'default', name: 'x', object })
 * await projection.waitFor(event.revision)
 * console.log(getObject(projection.state, 'ConfigMap', 'default', 'x')?.data) // { a: '1' }
 * projection.stop()
 * await store.close()
 */
export class Projection {
  readonly state: ClusterState = emptyState()
  private readonly changeSubject = new Subject<Change>()
  private readonly revisionSubject = new BehaviorSubject<number>(0)
  private subscription: Subscription | undefined

  readonly changes: Observable<Change> = this.changeSubject.asObservable()
  /** The revision the state is at, emitted as it advances. */
  readonly revision$: Observable<number> = this.revisionSubject.asObservable()

  private constructor(readonly store: Store) {}

  /** Loads the current objects in one snapshot (not the whole log) and follows the log from there. */
  static async start(store: Store, options: { log?: Logger } = {}): Promise<Projection> {
    const projection = new Projection(store)
    const revision = await store.snapshot((rows) => {
      for (const row of rows) load(projection.state, row.kind, row.namespace, row.name, row.object)
    })
    projection.state.revision = revision
    projection.revisionSubject.next(revision)
    projection.subscription = store.tail(revision).subscribe({
      next: (event) => projection.apply(event),
      error: (error) => options.log?.error('projection: the log tail failed', { error }),
    })
    return projection
  }

  get revision(): number {
    return this.state.revision
  }

  /** Resolves once the state has applied `revision` (read-your-writes for this process). */
  async waitFor(revision: number, timeoutMs = 10_000): Promise<void> {
    if (this.state.revision >= revision) return
    await firstValueFrom(
      this.revisionSubject.pipe(
        filter((r) => r >= revision),
        timeout(timeoutMs),
      ),
    )
  }

  stop(): void {
    this.subscription?.unsubscribe()
    this.changeSubject.complete()
    this.revisionSubject.complete()
  }

  private apply(event: LogEvent): void {
    if (event.revision <= this.state.revision) return
    const previous = getObject(this.state, event.kind, event.namespace, event.name)
    evolve(this.state, event)
    this.changeSubject.next({ event, previous })
    this.revisionSubject.next(event.revision)
  }
}
