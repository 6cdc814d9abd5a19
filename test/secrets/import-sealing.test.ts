import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Environment } from '../../services/api/context.js'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import type { JsonObject } from '../../services/json.js'
import { SEALED } from '../../services/secrets/sealing.js'
import { backend, openTestStore, type TestStore } from '../support/store.js'

let source: TestStore
let target: TestStore
let uids = 0
const env: Environment = {
  now: () => new Date('2026-11-26T10:00:00Z'),
  newUid: () => `00000000-0000-4000-8000-${String(++uids).padStart(12, '0')}`,
  randomSuffix: () => 'x7k2p',
}
const alice = { actor: 'alice' }
const b64 = (text: string) => Buffer.from(text).toString('base64')

beforeAll(async () => {
  source = await openTestStore()
  target = await openTestStore()
})
afterAll(async () => {
  await source?.cleanup()
  await target?.cleanup()
})

describe(`import of an exported log (${backend})`, () => {
  it('seals the plain-text Secrets of an export on the way in, and reads them back as they were', async () => {
    const api = new ResourceApi({ store: source.store, env })
    await bootstrapNamespaces(api)
    const created = await api.create(alice, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'default' },
      data: { password: b64('exported-pass-1') },
    })
    await api.update(alice, { ...created, data: { password: b64('exported-pass-2') } })
    await api.create(alice, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'short', namespace: 'default' },
      data: { token: b64('exported-token-3') },
    })
    await api.delete(alice, 'secrets', 'default', 'short')

    // An export is what an authorized reader of the store sees: plain text.
    const exported = await source.store.events({ limit: 10_000 })
    expect(JSON.stringify(exported)).toContain(b64('exported-pass-2'))
    expect(JSON.stringify(exported)).not.toContain(SEALED)

    const result = await target.store.importLog([exported])
    expect(result.events).toBe(exported.length)

    const db = target.store.database.db
    const raw = await sql<{ text: string }>`
      select string_agg(r, E'\n') as text from (
        select e::text as r from events e union all select o::text from objects o union all select v::text from object_versions v) rows`.execute(
      db,
    )
    for (const value of ['exported-pass-1', 'exported-pass-2', 'exported-token-3']) {
      expect(raw.rows[0]!.text).not.toContain(value)
      expect(raw.rows[0]!.text).not.toContain(b64(value).replace(/=+$/, ''))
    }
    const sealed = await sql<{ n: number }>`select count(*)::int as n from events where kind = 'Secret' and object ? '$sealed'`.execute(db)
    expect(sealed.rows[0]!.n).toBe(exported.filter((e) => e.kind === 'Secret').length)

    expect(await target.store.events({ limit: 10_000 })).toEqual(exported)
    const current = await target.store.get({ kind: 'Secret', namespace: 'default', name: 'db' })
    expect((current!.data as JsonObject).password).toBe(b64('exported-pass-2'))
  })
})
