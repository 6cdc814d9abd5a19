/**
 * `npm run bench -- store`: the event log against the local PostgreSQL (DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test), each figure beside a raw baseline from the same run.
 *
 * 1. appends/s with 1, 16 and 256 concurrent callers (one ~1 KB object per append, creates and
 *    updates), beside single-row INSERT transactions from 16 connections and 100-row INSERT
 *    transactions into a table of the events table's shape;
 * 2. the same appends on embedded PGlite, beside PGlite's own single-row INSERT;
 * 3. the as-of list of 10,000 pods at the middle revision beside the current list, at 100,000
 *    and at 1,000,000 events, and the as-of index choice (GiST vs btree) on the same data.
 *
 * BENCH_SECONDS (default 6) per throughput run, BENCH_ROUNDS (default 2) interleaved rounds,
 * BENCH_EVENTS (default 1000000) for the largest log.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'kysely'
import pg from 'pg'
import type { AppendCommand } from '../services/store/commands.js'
import { openStore } from '../services/app/open-store.js'
import type { Store } from '../services/store/store.js'
import { fmt, machine, median, podObject, ratio, table, throughput, timings } from './lib.js'

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const seconds = Number(process.env.BENCH_SECONDS ?? 6)
const rounds = Number(process.env.BENCH_ROUNDS ?? 2)
const largest = Number(process.env.BENCH_EVENTS ?? 1_000_000)

export async function run(): Promise<void> {
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  const version = (await admin.query('show server_version')).rows[0].server_version
  console.log(`\nstore benchmark — PostgreSQL ${version} (${url.replace(/:[^:@/]*@/, ':***@')}), ${machine()}`)
  const schemas: string[] = []
  const fresh = async (tag: string) => {
    const schema = `bench_${tag}_${process.pid}`
    schemas.push(schema)
    return openStore({ database: { backend: 'postgres', url, schema } })
  }
  try {
    await appendThroughput(admin, await fresh('append'))
    await pgliteThroughput()
    await asOfLists(admin, await fresh('asof'))
  } finally {
    for (const schema of schemas) await admin.query(`drop schema if exists "${schema}" cascade`)
    await admin.end()
  }
}

// ---- 1. append throughput --------------------------------------------------------------------

async function appendThroughput(admin: pg.Client, store: Store): Promise<void> {
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(store.database.db)).rows[0]!.s
  await admin.query(`create table "${schema}".raw_events (like "${schema}".events including all)`)
  const raw = new pg.Pool({ connectionString: url, max: 16, options: `-c search_path=${schema} -c synchronous_commit=on` })
  const payload = JSON.stringify(podObject('bench', 'raw', 1000))
  const meta = JSON.stringify({ actor: 'bench', requestId: '6f1d0c1e-1c53-4a4c-8d57-2b0a0a0a0a0a' })
  let rawRevision = 0
  const insertRow = `insert into raw_events (revision, tx_revision, type, kind, namespace, name, uid, object, meta, committed_at)
    values ($1, $1, 'Created', 'Pod', 'bench', $2, gen_random_uuid(), $3, $4, now())`
  const raw16 = () =>
    throughput(16, seconds, async () => {
      const r = ++rawRevision
      await raw.query(insertRow, [r, `raw-${r}`, payload, meta])
      return 1
    })
  const raw100 = () =>
    throughput(1, seconds, async () => {
      const params: unknown[] = []
      const rows: string[] = []
      for (let i = 0; i < 100; i++) {
        const r = ++rawRevision
        params.push(r, `raw-${r}`, payload, meta)
        const p = i * 4
        rows.push(`($${p + 1}, $${p + 1}, 'Created', 'Pod', 'bench', $${p + 2}, gen_random_uuid(), $${p + 3}, $${p + 4}, now())`)
      }
      await raw.query(
        `insert into raw_events (revision, tx_revision, type, kind, namespace, name, uid, object, meta, committed_at) values ${rows.join(',')}`,
        params,
      )
      return 100
    })

  let run = 0
  const ours = (callers: number) => throughput(callers, seconds, appender(store, `r${run++}`))
  const results: Record<string, number[]> = { raw16: [], raw100: [], ours1: [], ours16: [], ours256: [] }
  const runs: Array<[string, () => Promise<number>]> = [
    ['raw16', raw16],
    ['raw100', raw100],
    ['ours1', () => ours(1)],
    ['ours16', () => ours(16)],
    ['ours256', () => ours(256)],
  ]
  for (let round = 0; round < rounds; round++) {
    for (const [name, measure] of runs) {
      await admin.query('checkpoint')
      results[name]!.push(await measure())
    }
  }
  await raw.end()

  const m = (name: string) => median(results[name]!)
  const range = (name: string) => `(${fmt(Math.min(...results[name]!))}–${fmt(Math.max(...results[name]!))})`
  console.log(`\nappends/s, each one ~1 KB object (creates and optimistic updates), median of ${rounds} × ${seconds} s`)
  table([
    ['', 'per second', 'range'],
    ['revkube append, 1 caller', fmt(m('ours1')), range('ours1')],
    ['revkube append, 16 callers', fmt(m('ours16')), range('ours16')],
    ['revkube append, 256 callers', fmt(m('ours256')), range('ours256')],
    ['baseline: INSERT 1 row/tx, 16 connections', fmt(m('raw16')), range('raw16')],
    ['baseline: INSERT 100 rows/tx, 1 connection', fmt(m('raw100')), range('raw100')],
  ])
  console.log(`  256 callers ÷ 1-row INSERT ×16:  ${ratio(m('ours256'), m('raw16'))}   (target ≥ 2.5×)`)
  console.log(`  256 callers ÷ 100-row INSERT:    ${ratio(m('ours256'), m('raw100'))}   (target ≥ 0.35×)`)
}

/** A caller that alternates between creating an object and updating its last one (with its resourceVersion). */
function appender(store: Store, tag: string) {
  const last = new Map<number, { name: string; revision: number; generation: number }>()
  let n = 0
  return async (slot: number) => {
    const previous = last.get(slot)
    let command: AppendCommand
    if (previous && previous.generation === 1) {
      const generation = previous.generation + 1
      command = {
        op: 'put',
        type: 'Updated',
        kind: 'Pod',
        namespace: 'bench',
        name: previous.name,
        object: podObject('bench', previous.name, 1000, generation),
        precondition: { revision: previous.revision },
        meta: { actor: 'bench' },
      }
    } else {
      const name = `${tag}-${slot}-${n++}`
      command = {
        op: 'put',
        type: 'Created',
        kind: 'Pod',
        namespace: 'bench',
        name,
        object: podObject('bench', name),
        precondition: { exists: false },
        meta: { actor: 'bench' },
      }
    }
    const event = await store.appendOne(command)
    last.set(slot, { name: command.name, revision: event.revision, generation: command.op === 'put' && command.type === 'Updated' ? 2 : 1 })
    return 1
  }
}

// ---- 2. PGlite -----------------------------------------------------------------------------------

async function pgliteThroughput(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'revkube-bench-'))
  try {
    const store = await openStore({ database: { backend: 'pglite', dataDir: join(dir, 'store') } })
    const one = await throughput(1, seconds, appender(store, 'p1'))
    const many = await throughput(256, seconds, appender(store, 'p256'))
    await store.close()

    const lite = await PGlite.create({ dataDir: join(dir, 'raw') })
    await lite.exec('create table raw_events (revision bigint primary key, name text, object jsonb, meta jsonb)')
    const payload = JSON.stringify(podObject('bench', 'raw', 1000))
    let r = 0
    const rawOne = await throughput(1, seconds, async () => {
      r++
      await lite.query('insert into raw_events values ($1, $2, $3, $4)', [r, `raw-${r}`, payload, '{"actor":"bench"}'])
      return 1
    })
    await lite.close()
    console.log(`\nembedded PGlite (on disk, WAL flushed after each commit batch), appends/s over ${seconds} s`)
    table([
      ['', 'per second'],
      ['revkube append, 1 caller', fmt(one)],
      ['revkube append, 256 callers', fmt(many)],
      ['baseline: PGlite INSERT 1 row/tx (no WAL flush)', fmt(rawOne)],
    ])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---- 3. as-of lists --------------------------------------------------------------------------------

const PODS = 10_000
const NAMESPACES = 10

async function asOfLists(admin: pg.Client, store: Store): Promise<void> {
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(store.database.db)).rows[0]!.s
  console.log(`\nas-of list of ${fmt(PODS)} pods at the middle revision vs the current list (median of 7, ms end to end in Node)`)
  const rows: string[][] = [['events in the log', 'current', 'as of middle', 'ratio', 'GiST query', 'btree query']]
  const asOfAt: number[] = []
  let loaded = 0
  const loadStarted = performance.now()
  for (const size of [100_000, largest].filter((s, i, all) => all.indexOf(s) === i)) {
    loaded = await load(store, loaded, size)
    await admin.query(`analyze "${schema}".events, "${schema}".objects, "${schema}".object_versions`)
    const head = (await store.head()).revision
    const middle = Math.floor(head / 2)
    const current: number[] = []
    const asOf: number[] = []
    for (let i = 0; i < 8; i++) {
      const [c] = await timings(1, () => store.list({ kind: 'Pod' }))
      const [a] = await timings(1, () => store.list({ kind: 'Pod', at: middle }))
      if (i > 0) current.push(c!), asOf.push(a!) // the first pair warms the caches
    }
    const check = await store.list({ kind: 'Pod', at: middle })
    if (check.items.length !== PODS) throw new Error(`as-of list returned ${check.items.length} pods, expected ${PODS}`)
    const [gist, btree] = await indexChoice(admin, store, schema, middle)
    asOfAt.push(median(asOf))
    rows.push([fmt(head), fmt(median(current), 1), fmt(median(asOf), 1), ratio(median(asOf), median(current)), fmt(gist, 1), fmt(btree, 1)])
  }
  const rate = loaded / ((performance.now() - loadStarted) / 1000)
  table(rows)
  if (asOfAt.length === 2) {
    const change = (asOfAt[1]! / asOfAt[0]! - 1) * 100
    console.log(
      `  as-of at ${fmt(largest)} vs 100,000 events: ${change >= 0 ? '+' : ''}${change.toFixed(0)}%   (target within ±30%; as-of ÷ current target ≤ 2×)`,
    )
  }
  console.log(
    `  (GiST / btree columns: the as-of query alone with each index, ms; the log loaded at ${fmt(rate)} events/s in batches of 500)`,
  )
}

/** Grows the log to `target` events: first the pods are created, then pods are updated and config maps churn. */
async function load(store: Store, from: number, target: number): Promise<number> {
  let next = from
  let seed = from * 7919 + 17
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed % n
  }
  const generation = new Map<number, number>()
  const command = (i: number): AppendCommand => {
    if (i < PODS) {
      const name = `pod-${i}`
      const namespace = `ns-${i % NAMESPACES}`
      return { op: 'put', type: 'Created', kind: 'Pod', namespace, name, object: podObject(namespace, name), meta: { actor: 'load' } }
    }
    if (random(10) < 7) {
      const p = random(PODS)
      const g = (generation.get(p) ?? 1) + 1
      generation.set(p, g)
      const name = `pod-${p}`
      const namespace = `ns-${p % NAMESPACES}`
      return {
        op: 'put',
        type: 'StatusUpdated',
        kind: 'Pod',
        namespace,
        name,
        object: podObject(namespace, name, 1000, g),
        meta: { actor: 'load' },
      }
    }
    const name = `cm-${random(50_000)}`
    return {
      op: 'put',
      type: 'Applied',
      kind: 'ConfigMap',
      namespace: 'ns-0',
      name,
      object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns-0' }, data: { value: 'x'.repeat(900) } },
      meta: { actor: 'load' },
    }
  }
  const progress = process.stdout.isTTY
  while (next < target) {
    const calls: Promise<unknown>[] = []
    for (let c = 0; c < 4 && next < target; c++) {
      const batch: AppendCommand[] = []
      for (let k = 0; k < 500 && next < target; k++) batch.push(command(next++))
      calls.push(store.append(batch))
    }
    await Promise.all(calls)
    if (progress) process.stdout.write(`\r  loading the log: ${fmt(next)} / ${fmt(target)} events`)
  }
  if (progress) process.stdout.write('\r\x1b[K')
  return next - from
}

/**
 * Times the as-of query alone (current objects begun by R ∪ ended versions alive at R, joined to
 * their events) with the schema's GiST index, and with a btree on (kind, valid_to, valid_from).
 */
async function indexChoice(admin: pg.Client, store: Store, schema: string, at: number): Promise<[number, number]> {
  const query = (versions: ReturnType<typeof sql>) => sql<{ object: unknown }>`
    select object from objects where kind = 'Pod' and revision <= ${at}
    union all
    select e.object from object_versions v join events e on e.revision = v.valid_from where ${versions}`
  const gist = query(sql`hashtextextended(v.kind, 0) = hashtextextended('Pod', 0) and v.kind = 'Pod'
    and int8range(v.valid_from, v.valid_to) @> ${at}::bigint`)
  const btree = query(sql`v.kind = 'Pod' and v.valid_from <= ${at} and v.valid_to > ${at}`)
  const db = store.database.db
  const measure = async (q: typeof gist) => {
    const rows = (await q.execute(db)).rows.length
    if (rows !== PODS) throw new Error(`the as-of query returned ${rows} rows, expected ${PODS}`)
    return median(await timings(7, () => q.execute(db)))
  }
  const gistMs = await measure(gist)
  await admin.query(`create index bench_btree on "${schema}".object_versions (kind, valid_to, valid_from)`)
  await admin.query(`analyze "${schema}".object_versions`)
  const btreeMs = await measure(btree)
  await admin.query(`drop index "${schema}".bench_btree`)
  return [gistMs, btreeMs]
}
