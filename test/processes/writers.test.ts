import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../services/app/open-store.js'
import type { Store } from '../../services/store/store.js'
import { expectConsistentLog } from '../support/log-checks.js'
import { spawnTs, type Child } from '../support/process.js'
import { databaseUrl, dropSchema, uniqueSchema } from '../support/store.js'
import { waitFor } from '../support/wait.js'

const fixture = 'test/fixtures/writer-process.ts'
const acks = (child: Child) =>
  child.lines
    .filter((l) => l.startsWith('ack '))
    .map((l) => {
      const [, revision, name] = l.split(' ')
      return { revision: Number(revision), name: name! }
    })

describe.runIf(databaseUrl)('writer processes against PostgreSQL', () => {
  const url = databaseUrl!
  let schema: string
  let store: Store
  beforeAll(async () => {
    schema = uniqueSchema('procs')
    store = await openStore({ database: { backend: 'postgres', url, schema } })
  })
  afterAll(async () => {
    await store.close()
    await dropSchema(url, schema)
  })

  it('two processes appending at once get revisions 1..N, each ack exactly once, no lost update, and the same tail', async () => {
    const start = (id: string) => spawnTs(fixture, [JSON.stringify({ url, schema, id, concurrency: 16, tail: true, sharedKeys: 8 })])
    const writers = [start('a'), start('b')]
    await Promise.all(writers.map((w) => w.waitForLine(/^ready$/)))

    // "Revision R visible ⇒ every revision ≤ R visible", checked from a third connection meanwhile.
    let checks = 0
    const until = Date.now() + 4000
    while (Date.now() < until) {
      const r = await sql<{ n: number; max: number | null }>`select count(*)::int as n, max(revision) as max from events`.execute(
        store.database.db,
      )
      expect(r.rows[0]!.n).toBe(r.rows[0]!.max ?? 0)
      checks++
    }
    for (const w of writers) w.send('stop')
    await Promise.all(writers.map((w) => w.waitForLine(/^appended /)))

    const head = await expectConsistentLog(store)
    for (const w of writers) w.send(`final ${head}`)
    const tails = await Promise.all(writers.map((w) => w.waitForLine(/^tail /)))
    await Promise.all(writers.map((w) => w.exited))

    const all = [...acks(writers[0]!), ...acks(writers[1]!)]
    expect(all.length).toBe(head)
    expect(new Set(all.map((a) => a.revision)).size).toBe(head)
    const stored = await sql<{ revision: number; name: string }>`select revision, name from events order by revision`.execute(
      store.database.db,
    )
    const byRevision = new Map(stored.rows.map((r) => [r.revision, r.name]))
    for (const a of all) expect(byRevision.get(a.revision)).toBe(a.name)

    // Read-modify-write increments under resourceVersion preconditions lose nothing: each shared
    // counter holds the number of increments both processes had acknowledged.
    const increments = new Map<string, number>()
    for (const a of all.filter((a) => a.name.startsWith('shared-'))) increments.set(a.name, (increments.get(a.name) ?? 0) + 1)
    expect(increments.size).toBe(8)
    for (const [name, n] of increments) {
      const counter = await store.get({ kind: 'ConfigMap', namespace: 'load', name })
      expect(Number((counter!.data as { count: string }).count)).toBe(n)
    }

    expect(tails[0]).toBe(tails[1])
    expect(tails[0]).toMatch(new RegExp(`^tail ${head} true [0-9a-f]{64}$`))
    expect(checks).toBeGreaterThan(10)
    expect(head).toBeGreaterThan(500)
  })

  it('SIGKILL in the middle of a burst loses no acknowledged append and leaves no partial batch', async () => {
    const before = (await store.head()).revision
    const name = `revkube-killed-${process.pid}`
    const writer = spawnTs(fixture, [
      JSON.stringify({ url: `${url}?application_name=${name}`, schema, id: 'k', concurrency: 64, tail: false, sharedKeys: 4 }),
    ])
    await writer.waitForLine(/^ready$/)
    await waitFor(() => acks(writer).length >= 1500, '1500 acknowledged appends')
    writer.process.kill('SIGKILL')
    const { signal } = await writer.exited
    expect(signal).toBe('SIGKILL')

    // A transaction the writer sent before it died may still commit (unacknowledged); wait until
    // PostgreSQL has noticed the dead connections.
    await waitFor(async () => {
      const r = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where application_name = ${name}`.execute(
        store.database.db,
      )
      return r.rows[0]!.n === 0
    }, "the killed writer's connections to close")
    const acknowledged = acks(writer)
    const head = await expectConsistentLog(store)
    expect(head).toBeGreaterThanOrEqual(before + acknowledged.length)
    const stored = await sql<{ revision: number; name: string }>`
      select revision, name from events where revision > ${before}`.execute(store.database.db)
    const byRevision = new Map(stored.rows.map((r) => [r.revision, r.name]))
    for (const a of acknowledged) expect(byRevision.get(a.revision)).toBe(a.name)

    // The log goes on from where the killed writer left it.
    const next = await store.appendOne({
      op: 'put',
      type: 'Created',
      kind: 'ConfigMap',
      namespace: 'load',
      name: 'after-kill',
      object: { metadata: { name: 'after-kill', namespace: 'load' } },
    })
    expect(next.revision).toBe(head + 1)
  })
})
