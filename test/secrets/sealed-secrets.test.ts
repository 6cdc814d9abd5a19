import { sql } from 'kysely'
import { firstValueFrom, take, toArray } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Environment } from '../../services/api/context.js'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import { isStatusError } from '../../services/errors.js'
import type { JsonObject } from '../../services/json.js'
import { SEALED, UNREADABLE_ANNOTATION } from '../../services/secrets/sealing.js'
import { LAST_APPLIED } from '../../services/secrets/sensitive-fields.js'
import type { LogEvent } from '../../services/store/commands.js'
import type { Store } from '../../services/store/store.js'
import { backend, openTestStore, type TestStore } from '../support/store.js'

let t: TestStore
let api: ResourceApi
let uids = 0
const env: Environment = {
  now: () => new Date('2026-11-26T10:00:00Z'),
  newUid: () => `00000000-0000-4000-8000-${String(++uids).padStart(12, '0')}`,
  randomSuffix: () => 'x7k2p',
}
const alice = { actor: 'alice', requestId: 'req-1' }

beforeAll(async () => {
  t = await openTestStore()
  api = new ResourceApi({ store: t.store, env })
  await bootstrapNamespaces(api)
})
afterAll(() => t.cleanup())

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')
const unb64 = (text: unknown) => Buffer.from(String(text), 'base64').toString('utf8')
const meta = (o: JsonObject) => o.metadata as JsonObject
const data = (o: JsonObject | undefined) =>
  Object.fromEntries(Object.entries((o?.data ?? {}) as Record<string, string>).map(([k, v]) => [k, unb64(v)]))
const secret = (name: string, values: Record<string, string>, extra: JsonObject = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'default', labels: { app: name } },
  type: 'Opaque',
  data: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, b64(v)])),
  ...extra,
})
const key = (name: string) => ({ kind: 'Secret', namespace: 'default', name })

/** Every row of the log's tables as PostgreSQL prints it: every column, metadata and meta included. */
async function rawTables(store: Store): Promise<string> {
  const dump = await sql<{ text: string }>`
    select string_agg(r::text, E'\n') as text from (
      select e::text as r from events e union all
      select o::text from objects o union all
      select v::text from object_versions v) rows`.execute(store.database.db)
  return dump.rows[0]!.text
}

/** The value and its base64 (with and without padding) appear nowhere in the raw tables. */
function expectAbsent(raw: string, values: string[]): void {
  for (const value of values) {
    expect(raw).not.toContain(value)
    expect(raw).not.toContain(b64(value).replace(/=+$/, ''))
  }
}

describe(`sealed Secrets in the log (${backend})`, () => {
  const plain = {
    created: 'correct-horse-battery-staple',
    fromStringData: 'string-data-token-31',
    updated: 'rotated-password-42',
    patched: 'merge-patched-value-77',
    applied: 'applied-through-kubectl-95',
  }

  it('stores no secret value, nor its base64, in any column of events, objects or object_versions', async () => {
    await api.create(alice, secret('db', { password: plain.created }, { stringData: { token: plain.fromStringData } }))
    const current = await api.get('secrets', 'default', 'db')
    await api.update(alice, { ...current, data: { ...(current.data as JsonObject), password: b64(plain.updated) } })
    await api.patch(alice, 'secrets', 'default', 'db', { data: { extra: b64(plain.patched) } }, 'merge')
    await api.apply(alice, [secret('applied', { key: plain.applied })])
    await api.apply(alice, [secret('applied', { key: plain.applied, other: plain.applied })])
    await api.delete(alice, 'secrets', 'default', 'db')

    const raw = await rawTables(t.store)
    expect(raw).toContain('"$sealed"')
    expectAbsent(raw, Object.values(plain))
    // The rest stays readable: names, labels, type, the actor.
    expect(raw).toContain('""app"": ""applied""')
    expect(raw).toContain('""type"": ""Opaque""')
    expect(raw).toContain('""actor"": ""alice""')

    const rows = await sql<{ type: string; sealed: boolean; has_data: boolean }>`
      select type, object ? '$sealed' as sealed, object ? 'data' as has_data from events where kind = 'Secret' order by revision`.execute(
      t.store.database.db,
    )
    expect(rows.rows.map((r) => r.type)).toEqual(['Created', 'Updated', 'Updated', 'Created', 'Updated', 'Deleted'])
    expect(rows.rows.every((r) => r.sealed && !r.has_data)).toBe(true)
  })

  it('gives every reader of the store plain text: get, list, as-of, history, events, tail, snapshot', async () => {
    const created = await api.create(alice, secret('web', { password: 'v1-plain' }))
    expect(data(created)).toEqual({ password: 'v1-plain' })
    const v1 = Number(meta(created).resourceVersion)
    const updated = await api.update(alice, { ...created, data: { password: b64('v2-plain') } })
    const v2 = Number(meta(updated).resourceVersion)

    expect(data(await api.get('secrets', 'default', 'web'))).toEqual({ password: 'v2-plain' })
    expect(data(await t.store.get(key('web')))).toEqual({ password: 'v2-plain' })
    expect(data(await t.store.get(key('web'), { at: v1 }))).toEqual({ password: 'v1-plain' })
    expect(data(await t.store.get(key('web'), { at: v2 }))).toEqual({ password: 'v2-plain' })
    const listed = (await api.list('secrets', { namespace: 'default' })).items.find((o) => meta(o).name === 'web')
    expect(data(listed)).toEqual({ password: 'v2-plain' })
    const asOf = (await t.store.list({ kind: 'Secret', namespace: 'default', at: v1 })).items.find((o) => meta(o).name === 'web')
    expect(data(asOf)).toEqual({ password: 'v1-plain' })
    expect((await t.store.history(key('web'))).map((e) => data(e.object))).toEqual([{ password: 'v1-plain' }, { password: 'v2-plain' }])
    expect(data((await t.store.event(v1))!.object)).toEqual({ password: 'v1-plain' })
    expect((await t.store.events({ after: v1 - 1, kind: 'Secret', name: 'web' })).map((e) => data(e.object))).toEqual([
      { password: 'v1-plain' },
      { password: 'v2-plain' },
    ])

    const tailed = await firstValueFrom(t.store.tail(v1 - 1).pipe(take(2), toArray()))
    expect(tailed.map((e: LogEvent) => data(e.object))).toEqual([{ password: 'v1-plain' }, { password: 'v2-plain' }])
    const snapshot: JsonObject[] = []
    await t.store.snapshot((rows) => snapshot.push(...rows.filter((r) => r.kind === 'Secret' && r.name === 'web').map((r) => r.object)))
    expect(snapshot.map(data)).toEqual([{ password: 'v2-plain' }])
    expect(snapshot[0]).not.toHaveProperty(SEALED)
  })

  it('returns the last state of a deleted Secret in plain text, and keeps it sealed in the log', async () => {
    await api.create(alice, secret('gone', { password: 'last-words-9' }))
    const deleted = await api.delete(alice, 'secrets', 'default', 'gone')
    expect(data(deleted)).toEqual({ password: 'last-words-9' })
    const [, last] = await t.store.history(key('gone'))
    expect(last!.type).toBe('Deleted')
    expect(data(last!.object)).toEqual({ password: 'last-words-9' })
    expectAbsent(await rawTables(t.store), ['last-words-9'])
  })

  it('seals the last-applied annotation of kubectl apply with the data', async () => {
    await api.apply(alice, [secret('kubectl', { token: 'apply-token-13' })])
    const object = await api.get('secrets', 'default', 'kubectl')
    expect(String(meta(object).annotations && (meta(object).annotations as JsonObject)[LAST_APPLIED])).toContain(b64('apply-token-13'))
    const row = await sql<{ object: JsonObject }>`select object from objects where kind = 'Secret' and name = 'kubectl'`.execute(
      t.store.database.db,
    )
    expect(JSON.stringify(row.rows[0]!.object)).not.toContain(b64('apply-token-13'))
  })

  it('reads a tampered envelope, or one moved to another Secret, as the unreadable marker, never as garbage', async () => {
    await api.create(alice, secret('victim', { password: 'victim-pass' }))
    await api.create(alice, secret('thief', { password: 'thief-pass' }))
    const db = t.store.database.db
    await sql`
      update objects set object = jsonb_set(object, '{$sealed,data}', to_jsonb(translate(object->'$sealed'->>'data', 'ABCDEFGH', 'BCDEFGHA')))
      where kind = 'Secret' and name = 'victim'`.execute(db)
    await sql`
      update objects t set object = jsonb_set(t.object, '{$sealed}', v.object->'$sealed')
      from objects v where t.kind = 'Secret' and t.name = 'thief' and v.kind = 'Secret' and v.name = 'web'`.execute(db)
    for (const name of ['victim', 'thief']) {
      const read = await api.get('secrets', 'default', name)
      expect(read.data).toBeUndefined()
      expect(read).not.toHaveProperty(SEALED)
      expect((meta(read).annotations as JsonObject)[UNREADABLE_ANNOTATION]).toMatch(/^unreadable: authentication failed/)
      expect(meta(read).name).toBe(name)
    }
    // The rest of the store is unaffected.
    expect(data(await api.get('secrets', 'default', 'web'))).toEqual({ password: 'v2-plain' })
  })

  it('refuses to write an unreadable Secret back (it would lose its data), but deletes it', async () => {
    const read = await api.get('secrets', 'default', 'victim')
    const error = await api.update(alice, { ...read, metadata: { ...meta(read), labels: { changed: 'yes' } } }).catch((e) => e)
    expect(isStatusError(error, 'BadRequest')).toBe(true)
    expect(error.message).toMatch(/cannot be changed until its encryption key is restored, but it can be deleted/)
    const forged = await api
      .create(alice, { ...secret('forged', {}), [SEALED]: { alg: 'A256GCM', key: 'x', iv: '', data: '', tag: '' } })
      .catch((e) => e)
    expect(isStatusError(forged, 'BadRequest')).toBe(true)
    await api.delete(alice, 'secrets', 'default', 'victim')
    await expect(api.get('secrets', 'default', 'victim')).rejects.toThrow(/not found/)
  })

  it('rotates the key: current objects are re-sealed under the new key id, old versions still read', async () => {
    const created = await api.create(alice, secret('rotating', { password: 'before-rotation' }))
    const v1 = Number(meta(created).resourceVersion)
    await api.update(alice, { ...created, data: { password: b64('still-before') } })
    const db = t.store.database.db
    const oldKey = t.store.sealer.keyring.primary.id
    const thief = await sql<{ object: JsonObject }>`select object from objects where kind = 'Secret' and name = 'thief'`.execute(db)

    const result = await t.store.rotateEncryptionKey()
    expect(result.keyId).not.toBe(oldKey)
    expect(t.store.sealer.keyring.ids().slice(0, 2)).toEqual([result.keyId, oldKey]) // the key file in ./data may hold older ones from earlier runs
    expect(result.unreadable).toBe(1) // "thief" holds another Secret's envelope
    const keys = await sql<{ name: string; key: string }>`
      select name, object->'$sealed'->>'key' as key from objects where kind = 'Secret' and object ? '$sealed' order by name`.execute(db)
    for (const row of keys.rows) expect(row.key).toBe(row.name === 'thief' ? oldKey : result.keyId)
    expect(result.resealed).toBe(keys.rows.length - 1)
    const thiefAfter = await sql<{ object: JsonObject }>`select object from objects where kind = 'Secret' and name = 'thief'`.execute(db)
    expect(thiefAfter.rows[0]!.object).toEqual(thief.rows[0]!.object)

    // The log is immutable: its events keep the key that sealed them.
    const eventKeys = await sql<{
      key: string
    }>`select distinct object->'$sealed'->>'key' as key from events where kind = 'Secret'`.execute(db)
    expect(eventKeys.rows.map((r) => r.key)).toEqual([oldKey])

    expect(data(await api.get('secrets', 'default', 'rotating'))).toEqual({ password: 'still-before' })
    expect(data(await t.store.get(key('rotating'), { at: v1 }))).toEqual({ password: 'before-rotation' })
    expect((await t.store.history(key('rotating'))).map((e) => data(e.object))).toEqual([
      { password: 'before-rotation' },
      { password: 'still-before' },
    ])

    const after = await api.update(alice, {
      ...(await api.get('secrets', 'default', 'rotating')),
      data: { password: b64('after-rotation') },
    })
    const [event] = await t.store.events({ after: Number(meta(after).resourceVersion) - 1, limit: 1 })
    const stored = await sql<{
      key: string
    }>`select object->'$sealed'->>'key' as key from events where revision = ${event!.revision}`.execute(db)
    expect(stored.rows[0]!.key).toBe(result.keyId)
    expect((await t.store.resealCurrentObjects()).resealed).toBe(0)
  })

  it('seals Secrets stored in plain text before sealing existed when it re-seals', async () => {
    await api.create(alice, secret('legacy', { password: 'legacy-pass' }))
    const db = t.store.database.db
    const plainObject = await api.get('secrets', 'default', 'legacy')
    await sql`update objects set object = ${JSON.stringify(plainObject)}::jsonb where kind = 'Secret' and name = 'legacy'`.execute(db)
    expect(data(await api.get('secrets', 'default', 'legacy'))).toEqual({ password: 'legacy-pass' })
    const result = await t.store.resealCurrentObjects()
    expect(result.resealed).toBe(1)
    const row = await sql<{ object: JsonObject }>`select object from objects where kind = 'Secret' and name = 'legacy'`.execute(db)
    expect(row.rows[0]!.object).toHaveProperty(SEALED)
    expect(data(await api.get('secrets', 'default', 'legacy'))).toEqual({ password: 'legacy-pass' })
  })
})
