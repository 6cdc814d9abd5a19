/**
 * `npm run bench -- projections`: the in-memory projections, against the local PostgreSQL
 * (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), each figure beside a baseline
 * from the same run.
 *
 * 1. replay: events/s folded into the views from a BENCH_EVENTS-event log (default 1,000,000) read
 *    from PostgreSQL, beside reading the same log without folding; and folded from memory alone;
 * 2. start-up: time until a projection serves, from the current objects, beside replaying the log;
 * 3. watch fan-out: 1,000 watchers on pods while 2,000 changes/s are written, delivery latency
 *    p50/p99 from the write call, beside a single watcher in the same run;
 * 4. memory: heap per pod for 150,000 pods in the views, beside each pod's JSON size.
 */
import { sql } from 'kysely'
import pg from 'pg'
import { emptyState } from '../projections/cluster-state.js'
import { evolve, load } from '../projections/evolve.js'
import { Projection } from '../projections/projection.js'
import { watch } from '../projections/watch.js'
import type { AppendCommand, LogEvent } from '../services/store/commands.js'
import { openStore } from '../services/app/open-store.js'
import type { Store } from '../services/store/store.js'
import { fmt, machine, median, percentile, podObject, ratio, table } from './lib.js'

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const events = Number(process.env.BENCH_EVENTS ?? 1_000_000)
const PODS = 10_000

export async function run(): Promise<void> {
  console.log(`\nprojections benchmark — ${url.replace(/:[^:@/]*@/, ':***@')}, ${machine()}`)
  const schema = `bench_projections_${process.pid}`
  const store = await openStore({ database: { backend: 'postgres', url, schema } })
  try {
    const loadRate = await loadLog(store, events)
    await replay(store, loadRate)
    await startup(store)
    await fanOut(store)
  } finally {
    await store.close()
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`drop schema if exists "${schema}" cascade`)
    await admin.end()
  }
  memory()
}

/** A log of pod creations, then status churn across the pods (70%) and config maps (30%). */
async function loadLog(store: Store, total: number): Promise<number> {
  let seed = 17
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
  const command = (i: number): AppendCommand => {
    if (i < PODS || random(10) < 7) {
      const p = i < PODS ? i : random(PODS)
      const name = `pod-${p}`
      const namespace = `ns-${p % 10}`
      const object = podObject(namespace, name, 1000, i)
      ;(object.metadata as Record<string, unknown>).ownerReferences = [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `rs-${p % 100}`,
          uid: `00000000-0000-4000-8000-${String(p % 100).padStart(12, '0')}`,
          controller: true,
        },
      ]
      return { op: 'put', type: i < PODS ? 'Created' : 'StatusUpdated', kind: 'Pod', namespace, name, object }
    }
    const name = `cm-${random(50_000)}`
    return {
      op: 'put',
      type: 'Applied',
      kind: 'ConfigMap',
      namespace: 'ns-0',
      name,
      object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns-0' }, data: { v: 'x'.repeat(800) } },
    }
  }
  const started = performance.now()
  for (let next = 0; next < total; ) {
    const calls: Promise<unknown>[] = []
    for (let c = 0; c < 4 && next < total; c++) {
      const batch: AppendCommand[] = []
      for (let k = 0; k < 500 && next < total; k++) batch.push(command(next++))
      calls.push(store.append(batch))
    }
    await Promise.all(calls)
    if (process.stdout.isTTY) process.stdout.write(`\r  loading the log: ${fmt(next)} / ${fmt(total)} events`)
  }
  if (process.stdout.isTTY) process.stdout.write('\r\x1b[K')
  await sql`analyze`.execute(store.database.db)
  return total / ((performance.now() - started) / 1000)
}

async function replay(store: Store, loadRate: number): Promise<void> {
  const readAll = async (fold: boolean) => {
    const state = emptyState()
    const kept: LogEvent[] = []
    const started = performance.now()
    for (let after = 0; ; ) {
      const page = await store.events({ after, limit: 5000 })
      for (const event of page) fold ? evolve(state, event) : kept.push(event)
      if (page.length < 5000) break
      after = page[page.length - 1]!.revision
    }
    return { seconds: (performance.now() - started) / 1000, kept }
  }
  const read = await readAll(false)
  const folded = await readAll(true)
  const log = read.kept
  const memoryRuns: number[] = []
  for (let i = 0; i < 3; i++) {
    const state = emptyState()
    const started = performance.now()
    for (const event of log) evolve(state, event)
    memoryRuns.push(log.length / ((performance.now() - started) / 1000))
  }
  console.log(`\nreplay of a ${fmt(log.length)}-event log (loaded at ${fmt(loadRate)} events/s)`)
  table([
    ['', 'events/s', ''],
    ['fold into the views, reading the log from PostgreSQL', fmt(log.length / folded.seconds), ''],
    ['baseline: read the log from PostgreSQL, no fold', fmt(log.length / read.seconds), ratio(read.seconds, folded.seconds)],
    ['fold into the views from memory (median of 3)', fmt(median(memoryRuns)), '(target ≥ 300,000)'],
  ])
}

async function startup(store: Store): Promise<void> {
  const started = performance.now()
  const projection = await Projection.start(store)
  const snapshotSeconds = (performance.now() - started) / 1000
  const objects = [...projection.state.objects.values()].reduce((n, ns) => n + [...ns.values()].reduce((m, names) => m + names.size, 0), 0)
  projection.stop()
  const replayStarted = performance.now()
  const state = emptyState()
  for (let after = 0; ; ) {
    const page = await store.events({ after, limit: 5000 })
    for (const event of page) evolve(state, event)
    if (page.length < 5000) break
    after = page[page.length - 1]!.revision
  }
  const replaySeconds = (performance.now() - replayStarted) / 1000
  console.log(`\nstart-up with ${fmt((await store.head()).revision)} events in the log (${fmt(objects)} current objects)`)
  table([
    ['', 'seconds', ''],
    ['projection start (current objects, then the tail)', snapshotSeconds.toFixed(2), '(target ≤ 10 s)'],
    ['baseline: replay the whole log', replaySeconds.toFixed(2), ratio(replaySeconds, snapshotSeconds)],
  ])
}

async function fanOut(store: Store): Promise<void> {
  const projection = await Projection.start(store)
  const measure = async (watchers: number, seconds: number, perSecond: number) => {
    const sentAt = new Map<number, number>()
    const latencies: number[] = []
    const subscriptions = Array.from({ length: watchers }, () =>
      watch(projection, store, { kind: 'Pod', apiVersion: 'v1', fromRevision: projection.revision, bookmarkIntervalMs: 60_000 }).subscribe(
        (e) => {
          const sent = sentAt.get(Number(((e.object.metadata as Record<string, unknown>).annotations as Record<string, string>).seq))
          if (sent !== undefined) latencies.push(performance.now() - sent)
        },
      ),
    )
    let seq = 0
    const tickMs = 10
    const perTick = Math.round((perSecond * tickMs) / 1000)
    const end = performance.now() + seconds * 1000
    const writes: Promise<unknown>[] = []
    for (let tick = performance.now(); tick < end; tick += tickMs) {
      const wait = tick - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      const batch: AppendCommand[] = []
      for (let i = 0; i < perTick; i++) {
        const s = seq++
        const p = s % PODS
        const name = `pod-${p}`
        const namespace = `ns-${p % 10}`
        const object = podObject(namespace, name, 1000, s)
        ;(object.metadata as Record<string, unknown>).annotations = { seq: String(s) }
        sentAt.set(s, performance.now())
        batch.push({ op: 'put', type: 'StatusUpdated', kind: 'Pod', namespace, name, object })
      }
      writes.push(store.append(batch))
    }
    await Promise.all(writes)
    const head = (await store.head()).revision
    await projection.waitFor(head, 30_000)
    await new Promise((r) => setTimeout(r, 50))
    subscriptions.forEach((s) => s.unsubscribe())
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), delivered: latencies.length, sent: seq }
  }
  const single = await measure(1, 3, 2000)
  const many = await measure(1000, 5, 2000)
  projection.stop()
  console.log('\nwatch fan-out: 2,000 pod changes/s, latency from the write call to each watcher, ms')
  table([
    ['', 'p50', 'p99', 'deliveries'],
    ['1,000 watchers', many.p50.toFixed(1), many.p99.toFixed(1), `${fmt(many.delivered)} of ${fmt(many.sent * 1000)}`],
    ['baseline: 1 watcher', single.p50.toFixed(1), single.p99.toFixed(1), `${fmt(single.delivered)} of ${fmt(single.sent)}`],
  ])
  console.log('  (target: p99 ≤ 100 ms with 1,000 watchers)')
}

function memory(): void {
  const count = 150_000
  const pods = Array.from({ length: count }, (_, i) => JSON.stringify(podObject(`ns-${i % 50}`, `pod-${i}`, 1000, 1)))
  const jsonBytes = pods.reduce((n, p) => n + p.length, 0) / count
  // The JSON strings stay alive through both measurements, so the difference is the views alone.
  global.gc?.()
  const before = process.memoryUsage().heapUsed
  const state = emptyState()
  for (let i = 0; i < count; i++) load(state, 'Pod', `ns-${i % 50}`, `pod-${i}`, JSON.parse(pods[i]!))
  global.gc?.()
  const perPod = (process.memoryUsage().heapUsed - before) / count
  console.log(`\nmemory: ${fmt(count)} pods in the views${global.gc ? '' : ' (run node with --expose-gc for exact figures)'}`)
  table([
    ['', 'bytes per pod'],
    ['heap used by the views', fmt(perPod)],
    ['baseline: the pod as JSON', fmt(jsonBytes)],
    ['heap beyond the JSON size', fmt(perPod - jsonBytes)],
  ])
  console.log('  (target: ≤ 2,048 bytes beyond the JSON size)')
  if (state.revision < 0 || pods.length < 0) console.log('') // keeps both alive until here
}
