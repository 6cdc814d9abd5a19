import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listObjects } from '../../projections/cluster-state.js'
import { Projection } from '../../projections/projection.js'
import { stateAt } from '../../projections/state-at.js'
import { watch, type WatchEvent } from '../../projections/watch.js'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import type { JsonObject } from '../../services/json.js'
import { matchesLabels, parseLabelSelector } from '../../services/resources/label-selector.js'
import type { LogEvent } from '../../services/store/commands.js'
import { backend, openTestStore, type TestStore } from '../support/store.js'
import { freshNamespace } from '../support/namespaces.js'
import { waitFor } from '../support/wait.js'

let t: TestStore
let api: ResourceApi
let projection: Projection
const ctx = { actor: 'test' }

beforeAll(async () => {
  t = await openTestStore()
  api = new ResourceApi({ store: t.store })
  await bootstrapNamespaces(api)
  projection = await Projection.start(t.store)
})
afterAll(async () => {
  projection.stop()
  await t.cleanup()
})

const pod = (name: string, labels: Record<string, string>, extra: JsonObject = {}, namespace = 'default'): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'app', image: 'busybox' }] },
  ...extra,
})
const selecting = (selector: string) => {
  const parsed = parseLabelSelector(selector)
  return (o: JsonObject) => matchesLabels(parsed, (o.metadata as JsonObject).labels as Record<string, string>)
}
const summary = (events: WatchEvent[]) =>
  events
    .filter((e) => e.type !== 'BOOKMARK')
    .map((e) => `${e.type} ${(e.object.metadata as JsonObject).name} ${(e.object.metadata as JsonObject).resourceVersion}`)

async function relabel(name: string, labels: Record<string, string>) {
  const current = await api.get('pods', 'default', name)
  return api.update(ctx, { ...current, metadata: { ...(current.metadata as JsonObject), labels } })
}

describe(`watch (${backend})`, () => {
  it('sees objects enter and leave its selector as ADDED and DELETED', async () => {
    const seen: WatchEvent[] = []
    const start = (await t.store.head()).revision
    const sub = watch(projection, t.store, { kind: 'Pod', apiVersion: 'v1', matches: selecting('app=web'), fromRevision: start }).subscribe(
      (e) => seen.push(e),
    )
    await api.create(ctx, pod('a', { app: 'web' }))
    await api.create(ctx, pod('b', { app: 'db' }))
    await relabel('a', { app: 'web', version: '2' })
    await relabel('a', { app: 'db' })
    await relabel('b', { app: 'web' })
    await relabel('a', { app: 'web' })
    await api.delete(ctx, 'pods', 'default', 'a')
    const head = (await t.store.head()).revision
    await waitFor(() => projection.revision >= head && seen.length >= 6, 'the watch to see every change')
    sub.unsubscribe()
    expect(summary(seen).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual([
      'ADDED a',
      'MODIFIED a',
      'DELETED a',
      'ADDED b',
      'ADDED a',
      'DELETED a',
    ])
    // The DELETED of a deletion carries the last state, with the deletion's revision.
    expect(seen.at(-1)!.revision).toBe(head)
  })

  it('starts with ADDED for every matching object, then follows changes', async () => {
    const ns = await freshNamespace(api)
    await api.create(ctx, pod('b', { app: 'web' }, {}, ns))
    await api.create(ctx, pod('d', { app: 'db' }, {}, ns))
    const head = (await t.store.head()).revision
    await waitFor(() => projection.revision >= head, 'the projection')
    const seen: WatchEvent[] = []
    const sub = watch(projection, t.store, { kind: 'Pod', apiVersion: 'v1', namespace: ns, matches: selecting('app=web') }).subscribe((e) =>
      seen.push(e),
    )
    expect(summary(seen).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual(['ADDED b'])
    await api.create(ctx, pod('c', { app: 'web' }, {}, ns))
    await waitFor(() => seen.length === 2, 'the new pod')
    sub.unsubscribe()
    expect(summary(seen).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual(['ADDED b', 'ADDED c'])
  })

  it('resumed from any revision, gives exactly the events after it', async () => {
    const all: WatchEvent[] = []
    const sub = watch(projection, t.store, { kind: 'Pod', apiVersion: 'v1', fromRevision: 0 }).subscribe((e) => all.push(e))
    for (let i = 0; i < 5; i++) await api.create(ctx, pod(`r${i}`, { app: i % 2 ? 'web' : 'db' }))
    await relabel('r1', { app: 'db' })
    const head = (await t.store.head()).revision
    await waitFor(() => all.length > 0 && all.at(-1)!.revision === head, 'the full watch to reach the head')
    sub.unsubscribe()
    for (const from of [...new Set(all.map((e) => e.revision))].slice(0, 8)) {
      const resumed: WatchEvent[] = []
      const s = watch(projection, t.store, { kind: 'Pod', apiVersion: 'v1', fromRevision: from }).subscribe((e) => resumed.push(e))
      await waitFor(() => resumed.length > 0 && resumed.at(-1)!.revision === head, `the watch from ${from} to reach the head`)
      s.unsubscribe()
      expect(summary(resumed)).toEqual(summary(all.filter((e) => e.revision > from)))
    }
  })
})

describe(`projections (${backend})`, () => {
  it('start from the current objects and equal the store', async () => {
    const fresh = await Projection.start(t.store)
    try {
      for (const kind of ['Pod', 'Namespace']) expect(listObjects(fresh.state, kind)).toEqual((await t.store.list({ kind })).items)
    } finally {
      fresh.stop()
    }
  })

  it('rebuild the state at any revision from the log, equal to the as-of reads (stateAt)', async () => {
    const events: LogEvent[] = []
    for (let after = 0; ; ) {
      const page = await t.store.events({ after, limit: 500 })
      events.push(...page)
      if (page.length < 500) break
      after = page.at(-1)!.revision
    }
    const head = events.at(-1)!.revision
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: head }), async (at) => {
        const state = await stateAt([events], at)
        for (const kind of ['Pod', 'Namespace']) expect(listObjects(state, kind)).toEqual((await t.store.list({ kind, at })).items)
      }),
      { numRuns: 25 },
    )
  })
})

describe(`slow watchers (${backend})`, () => {
  it('are cut off with a 410 naming the revision to resume from, and can resume from it', async () => {
    const watching = new ResourceApi({ store: t.store, projection })
    const start = (await t.store.head()).revision
    const iterator = watching.watchIterator('pods', { fromRevision: start }, 3)
    for (let i = 0; i < 3; i++) await api.create(ctx, pod(`slow-${i}`, { app: 'slow' }))
    await waitFor(() => projection.revision >= start + 3, 'the projection')
    const first = await iterator.next()
    expect(first.value.type).toBe('ADDED')
    for (let i = 3; i < 8; i++) await api.create(ctx, pod(`slow-${i}`, { app: 'slow' }))
    await waitFor(() => projection.revision >= start + 8, 'the projection')
    const error = await iterator.next().then(
      () => undefined,
      (e) => e,
    )
    expect(error?.reason).toBe('Gone')
    expect(error?.message).toBe(`the watch fell behind: more than 3 events were waiting; resume from revision ${first.value.revision}`)
    const resumed: WatchEvent[] = []
    const sub = watching.watch('pods', { fromRevision: first.value.revision }).subscribe((e) => resumed.push(e))
    await waitFor(() => resumed.length === 7, 'the resumed watch')
    sub.unsubscribe()
    expect(resumed.map((e) => (e.object.metadata as JsonObject).name)).toEqual(Array.from({ length: 7 }, (_, i) => `slow-${i + 1}`))
  })
})
