import { map, share, type Observable } from 'rxjs'
import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import { emptyState, getObject } from '../../projections/cluster-state.js'
import { evolve } from '../../projections/evolve.js'
import type { Change, Projection } from '../../projections/projection.js'
import { watch, type WatchEvent } from '../../projections/watch.js'
import type { JsonObject } from '../../services/json.js'
import type { LogEvent } from '../../services/store/commands.js'
import type { Store } from '../../services/store/store.js'

// Bookmark timing on rxjs' virtual time: the watch, the fold and the bookmark interval are the real
// ones; the log's tail is a marble stream, and a frame is a millisecond.

const pod = (name: string, revision: number, labels: Record<string, string> = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', resourceVersion: String(revision), labels },
  spec: { containers: [{ name: 'app', image: 'nginx' }] },
})

function logEvent(type: 'Created' | 'Updated' | 'Deleted', object: JsonObject): LogEvent {
  const metadata = object.metadata as JsonObject
  const revision = Number(metadata.resourceVersion)
  return {
    revision,
    txRevision: revision,
    type,
    kind: 'Pod',
    namespace: 'default',
    name: String(metadata.name),
    uid: `uid-${String(metadata.name)}`,
    object,
    meta: {},
    committedAt: new Date(0),
  }
}

/**
 * What `watch` reads of a projection, folded by the projection's own `evolve` from `initial` and
 * then from the events of `tail` as they come, each emitted as a Change once the state has it.
 */
function projectionOf(initial: LogEvent[], tail: Observable<LogEvent>): Projection {
  const state = emptyState()
  for (const event of initial) evolve(state, event)
  const changes = tail.pipe(
    map((event): Change => {
      const previous = getObject(state, event.kind, event.namespace, event.name)
      evolve(state, event)
      return { event, previous }
    }),
    share(),
  )
  return {
    state,
    changes,
    get revision() {
      return state.revision
    },
  } as unknown as Projection
}

/** The live watch and its bookmarks never read the store: only a watch resumed from a revision replays it. */
const noStore = {} as Store
const brief = (e: WatchEvent) =>
  `${e.type} ${e.type === 'BOOKMARK' ? '' : `${String((e.object.metadata as JsonObject).name)} `}${e.revision}`

function scheduler() {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected))
}

describe('watch bookmarks, on virtual time', () => {
  it('come every interval after the initial objects, carrying the revision the projection is at then, between the changes', () => {
    const test = scheduler()
    test.run(({ hot, expectObservable }) => {
      const tail = hot('---b---c', { b: logEvent('Created', pod('b', 2)), c: logEvent('Updated', pod('b', 3, { v: '2' })) })
      const projection = projectionOf([logEvent('Created', pod('a', 1))], tail)
      const seen = watch(projection, noStore, { kind: 'Pod', apiVersion: 'v1', bookmarkIntervalMs: 5, scheduler: test }).pipe(map(brief))
      expectObservable(seen, '^ 11ms !').toBe('a--b-1-c--2', {
        a: 'ADDED a 1',
        b: 'ADDED b 2',
        1: 'BOOKMARK 2',
        c: 'MODIFIED b 3',
        2: 'BOOKMARK 3',
      })
    })
  })

  it('carry an object of the kind with only its resourceVersion, and come every 10 s by default', () => {
    const test = scheduler()
    test.run(({ cold, expectObservable }) => {
      const projection = projectionOf([logEvent('Created', pod('a', 7))], cold('-'))
      const bookmarks = watch(projection, noStore, { kind: 'Pod', apiVersion: 'v1', matches: () => false, scheduler: test })
      const bookmark = { type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'Pod', metadata: { resourceVersion: '7' } }, revision: 7 }
      expectObservable(bookmarks, '^ 20s !').toBe('10s b 9999ms b', { b: bookmark })
    })
  })

  it('stop with the watch: none after it is unsubscribed', () => {
    const test = scheduler()
    test.run(({ cold, expectObservable, expectSubscriptions }) => {
      const tail = cold('--x', { x: logEvent('Created', pod('b', 2)) })
      const projection = projectionOf([], tail)
      const seen = watch(projection, noStore, { kind: 'Pod', apiVersion: 'v1', bookmarkIntervalMs: 4, scheduler: test }).pipe(map(brief))
      expectObservable(seen, '^ 5ms !').toBe('--b-1-', { b: 'ADDED b 2', 1: 'BOOKMARK 2' })
      expectSubscriptions(tail.subscriptions).toBe('^ 5ms !')
    })
  })
})
