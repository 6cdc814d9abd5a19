import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppendCommand } from '../../services/store/commands.js'
import type { Store } from '../../services/store/store.js'
import { backend, makeObject, openTestStore, type TestStore } from '../support/store.js'

let t: TestStore
let store: Store
beforeAll(async () => {
  t = await openTestStore()
  store = t.store
})
afterAll(() => t.cleanup())

const cm = (name: string, data: Record<string, string> = {}) => makeObject('ConfigMap', 'apps', name, { data })
const create = (name: string, data: Record<string, string> = {}): AppendCommand => ({
  op: 'put',
  type: 'Created',
  kind: 'ConfigMap',
  namespace: 'apps',
  name,
  object: cm(name, data),
  precondition: { exists: false },
  meta: { actor: 'alice', reason: 'test' },
})

describe(`append (${backend})`, () => {
  it('stores the object with resourceVersion equal to its revision and a uid', async () => {
    const event = await store.appendOne(create('first'))
    const stored = await store.get({ kind: 'ConfigMap', namespace: 'apps', name: 'first' })
    expect(stored).toEqual(event.object)
    expect((stored!.metadata as any).resourceVersion).toBe(String(event.revision))
    expect((stored!.metadata as any).uid).toMatch(/^[0-9a-f-]{36}$/)
    expect(event.meta).toEqual({ actor: 'alice', reason: 'test' })
    expect((await store.head()).revision).toBe(event.revision)
  })

  it('fails a conflicting command alone and commits its batch-mates', async () => {
    const base = await store.appendOne(create('shared'))
    const outcomes = await store.append([
      create('ok-1'),
      create('shared'), // AlreadyExists
      {
        op: 'put',
        type: 'Updated',
        kind: 'ConfigMap',
        namespace: 'apps',
        name: 'shared',
        object: cm('shared', { v: '2' }),
        precondition: { revision: base.revision - 1 },
      }, // Conflict
      { op: 'delete', kind: 'ConfigMap', namespace: 'apps', name: 'missing' }, // NotFound
      create('ok-2'),
      {
        op: 'put',
        type: 'Updated',
        kind: 'ConfigMap',
        namespace: 'apps',
        name: 'shared',
        object: cm('shared', { v: '3' }),
        precondition: { revision: base.revision },
      },
    ])
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.reason))).toEqual(['ok', 'AlreadyExists', 'Conflict', 'NotFound', 'ok', 'ok'])
    const revisions = outcomes.flatMap((o) => (o.ok ? [o.event.revision] : []))
    expect(revisions).toEqual([base.revision + 1, base.revision + 2, base.revision + 3])
    expect(await store.get({ kind: 'ConfigMap', namespace: 'apps', name: 'ok-1' })).toBeDefined()
    expect(await store.get({ kind: 'ConfigMap', namespace: 'apps', name: 'ok-2' })).toBeDefined()
    expect((await store.get({ kind: 'ConfigMap', namespace: 'apps', name: 'shared' }))!.data).toEqual({ v: '3' })
    const errors = outcomes.flatMap((o) => (o.ok ? [] : [o.error.message]))
    expect(errors).toEqual([
      'configmaps "shared" already exists',
      'Operation cannot be fulfilled on configmaps "shared": the object has been modified; please apply your changes to the latest version and try again',
      'configmaps "missing" not found',
    ])
  })

  it('groups concurrent callers into shared transactions without gaps', async () => {
    const before = (await store.head()).revision
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.appendOne(create(`burst-${i}`))))
    const revisions = results.map((e) => e.revision).sort((a, b) => a - b)
    expect(revisions).toEqual(Array.from({ length: 200 }, (_, i) => before + 1 + i))
    const transactions = new Set(results.map((e) => e.txRevision))
    expect(transactions.size).toBeLessThan(200)
  })

  it('records a deletion as an event carrying the last state and removes the current object', async () => {
    const created = await store.appendOne(create('doomed', { keep: 'me' }))
    const deleted = await store.appendOne({ op: 'delete', kind: 'ConfigMap', namespace: 'apps', name: 'doomed', meta: { actor: 'bob' } })
    expect(deleted.type).toBe('Deleted')
    expect(deleted.object.data).toEqual({ keep: 'me' })
    expect((deleted.object.metadata as any).resourceVersion).toBe(String(deleted.revision))
    expect(deleted.uid).toBe(created.uid)
    expect(await store.get({ kind: 'ConfigMap', namespace: 'apps', name: 'doomed' })).toBeUndefined()
    expect(await store.get({ kind: 'ConfigMap', namespace: 'apps', name: 'doomed' }, { at: created.revision })).toEqual(created.object)
  })

  it('gives a re-created name a new uid and keeps both lives in its history', async () => {
    const first = await store.appendOne(create('phoenix'))
    await store.appendOne({ op: 'delete', kind: 'ConfigMap', namespace: 'apps', name: 'phoenix' })
    const second = await store.appendOne(create('phoenix'))
    expect(second.uid).not.toBe(first.uid)
    const history = await store.history({ kind: 'ConfigMap', namespace: 'apps', name: 'phoenix' })
    expect(history.map((e) => e.type)).toEqual(['Created', 'Deleted', 'Created'])
  })

  it('refuses an object over 1.5 MiB and writes nothing', async () => {
    const before = await store.head()
    const [big] = await store.append([create('huge', { blob: 'x'.repeat(1_600_000) })])
    expect(big!.ok).toBe(false)
    expect(!big!.ok && big!.error.reason).toBe('RequestEntityTooLarge')
    expect(await store.head()).toEqual(before)
    expect(await store.get({ kind: 'ConfigMap', namespace: 'apps', name: 'huge' })).toBeUndefined()
  })

  it('keeps an unconditional put as create-or-replace', async () => {
    const put = (v: string): AppendCommand => ({
      op: 'put',
      type: 'Applied',
      kind: 'ConfigMap',
      namespace: 'apps',
      name: 'upsert',
      object: cm('upsert', { v }),
    })
    const a = await store.appendOne(put('1'))
    const b = await store.appendOne(put('2'))
    expect(b.uid).toBe(a.uid)
    expect((await store.get({ kind: 'ConfigMap', namespace: 'apps', name: 'upsert' }))!.data).toEqual({ v: '2' })
  })

  it('stores cluster-scoped objects under the empty namespace', async () => {
    const ns = await store.appendOne({
      op: 'put',
      type: 'Created',
      kind: 'Namespace',
      namespace: '',
      name: 'prod',
      object: makeObject('Namespace', '', 'prod'),
    })
    expect(ns.namespace).toBe('')
    expect((await store.list({ kind: 'Namespace' })).items).toHaveLength(1)
  })
})

describe(`the event log is immutable (${backend})`, () => {
  it('rejects UPDATE, DELETE and TRUNCATE on events', async () => {
    await store.appendOne(create('immutable'))
    const db = store.database.db
    await expect(sql`update events set type = 'Tampered'`.execute(db)).rejects.toThrow(/append-only: UPDATE/)
    await expect(sql`delete from events`.execute(db)).rejects.toThrow(/append-only: DELETE/)
    await expect(sql`truncate events`.execute(db)).rejects.toThrow(/append-only: TRUNCATE/)
    const types = await sql<{ n: number }>`select count(*)::int as n from events where type = 'Tampered'`.execute(db)
    expect(types.rows[0]!.n).toBe(0)
  })
})
