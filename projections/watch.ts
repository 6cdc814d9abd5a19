import { asyncScheduler, defer, EMPTY, from, interval, map, Observable, type SchedulerLike } from 'rxjs'
import type { LogEvent } from '../services/store/commands.js'
import type { JsonObject } from '../services/store/schema.js'
import type { Store } from '../services/store/store.js'
import { eventObject, listObjects } from './cluster-state.js'
import type { Change, Projection } from './projection.js'

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'

export interface WatchEvent {
  type: WatchEventType
  /** The object; for BOOKMARK only its kind and metadata.resourceVersion. */
  object: JsonObject
  revision: number
}

export interface WatchOptions {
  kind: string
  apiVersion: string
  namespace?: string
  /** Which objects the watcher sees (label and field selectors). @default all */
  matches?: (object: JsonObject) => boolean
  /** Events after this revision; without it, ADDED for every current object first, then changes. */
  fromRevision?: number
  /** How often a BOOKMARK carries the current revision. @default 10000 */
  bookmarkIntervalMs?: number
  scheduler?: SchedulerLike
}

/**
 * What a watcher sees of one event, with Kubernetes' selector semantics: an object that starts
 * matching arrives as ADDED, one that stops matching as DELETED, a deleted one as DELETED with
 * its last state. Pure.
 */
export function transition(event: LogEvent, previous: JsonObject | undefined, matches: (o: JsonObject) => boolean): WatchEvent | undefined {
  const before = previous !== undefined && matches(previous)
  const after = eventObject(event)
  const now = after !== undefined && matches(after)
  if (before && now) return { type: 'MODIFIED', object: after, revision: event.revision }
  if (now) return { type: 'ADDED', object: after, revision: event.revision }
  if (before) return { type: 'DELETED', object: after ?? event.object, revision: event.revision }
  return undefined
}

/**
 * Watches one kind: a resumable stream of ADDED / MODIFIED / DELETED events and periodic
 * BOOKMARKs. From an old revision it replays the log (with the state at that revision, so
 * selector transitions come out right) and then joins the live projection without gap or repeat.
 */
export function watch(projection: Projection, store: Store, options: WatchOptions): Observable<WatchEvent> {
  const matches = (o: JsonObject) => inNamespace(o, options.namespace) && (options.matches?.(o) ?? true)
  const ofKind = (c: Change) =>
    c.event.kind === options.kind && (options.namespace === undefined || c.event.namespace === options.namespace)
  const bookmarks = interval(options.bookmarkIntervalMs ?? 10_000, options.scheduler ?? asyncScheduler).pipe(
    map(
      (): WatchEvent => ({
        type: 'BOOKMARK',
        object: { apiVersion: options.apiVersion, kind: options.kind, metadata: { resourceVersion: String(projection.revision) } },
        revision: projection.revision,
      }),
    ),
  )

  return new Observable<WatchEvent>((subscriber) => {
    // Live changes are buffered from the start; the backlog goes out first, then them.
    const buffered: Change[] = []
    let live = false
    let cursor = projection.revision
    const changes = projection.changes.subscribe((change) => {
      if (!ofKind(change)) return
      if (!live) return void buffered.push(change)
      emit(change)
    })
    const emit = (change: Change) => {
      if (change.event.revision <= cursor) return
      cursor = change.event.revision
      const event = transition(change.event, change.previous, matches)
      if (event) subscriber.next(event)
    }
    if (options.fromRevision !== undefined && options.fromRevision > cursor) cursor = options.fromRevision
    let bookmarkSubscription: { unsubscribe(): void } | undefined
    const backlog =
      options.fromRevision === undefined ? initial(projection, options, matches) : replay(store, options, matches, projection.revision)
    const running = backlog.subscribe({
      next: (event) => subscriber.next(event),
      error: (error) => subscriber.error(error),
      complete: () => {
        live = true
        for (const change of buffered.splice(0)) emit(change)
        bookmarkSubscription = bookmarks.subscribe((bookmark) => subscriber.next(bookmark))
      },
    })
    return () => {
      changes.unsubscribe()
      running.unsubscribe()
      bookmarkSubscription?.unsubscribe()
    }
  })
}

/** ADDED for every matching object in the state now. */
function initial(projection: Projection, options: WatchOptions, matches: (o: JsonObject) => boolean): Observable<WatchEvent> {
  return defer(() => {
    const revision = projection.revision
    const objects = listObjects(projection.state, options.kind, options.namespace).filter(matches)
    return from(objects.map((object): WatchEvent => ({ type: 'ADDED', object, revision })))
  })
}

/** The log's events after `fromRevision` up to `until`, as transitions over the state at `fromRevision`. */
function replay(store: Store, options: WatchOptions, matches: (o: JsonObject) => boolean, until: number): Observable<WatchEvent> {
  const from = options.fromRevision!
  if (from >= until) return EMPTY
  return new Observable<WatchEvent>((subscriber) => {
    let stopped = false
    void (async () => {
      const known = new Map<string, JsonObject>()
      let page = await store.list({ kind: options.kind, at: from, ...(options.namespace && { namespace: options.namespace }), limit: 5000 })
      for (;;) {
        for (const o of page.items) known.set(keyOf(o), o)
        if (!page.continue) break
        page = await store.list({ kind: options.kind, limit: 5000, continue: page.continue })
      }
      for (let after = from; after < until && !stopped; ) {
        const events = await store.events({
          after,
          to: until,
          kind: options.kind,
          ...(options.namespace && { namespace: options.namespace }),
          limit: 1000,
        })
        if (events.length === 0) break
        for (const event of events) {
          const key = `${event.namespace}/${event.name}`
          const seen = transition(event, known.get(key), matches)
          const object = eventObject(event)
          if (object) known.set(key, object)
          else known.delete(key)
          if (seen && !stopped) subscriber.next(seen)
        }
        after = events[events.length - 1]!.revision
      }
      subscriber.complete()
    })().catch((error) => subscriber.error(error))
    return () => {
      stopped = true
    }
  })
}

function inNamespace(object: JsonObject, namespace: string | undefined): boolean {
  return namespace === undefined || ((object.metadata ?? {}) as JsonObject).namespace === namespace
}

function keyOf(object: JsonObject): string {
  const metadata = (object.metadata ?? {}) as JsonObject
  return `${String(metadata.namespace ?? '')}/${String(metadata.name)}`
}
