/**
 * `npm run bench -- replay`: `revkube replay` and `revkube export` against a revkube server (a
 * child process, as users run it) over the local PostgreSQL (DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test), each figure beside baselines from the same run.
 *
 * 1. the log: BENCH_EVENTS events (default 1,000,000) written by the bulk restore of
 *    `revkube import` (services/store/import-log.ts), events/s;
 * 2. replay: the whole log pulled over GraphQL and folded with `evolve` (the command's own core,
 *    in process, progress off), beside pulling the same pages without folding, beside reading the
 *    log from PostgreSQL directly (no GraphQL), and beside folding in memory alone;
 * 3. export: every field of every event pulled and written as NDJSON (to nowhere).
 */
import type { ChildProcess } from 'node:child_process'
import pg from 'pg'
import { emptyState } from '../projections/cluster-state.js'
import { evolve } from '../projections/evolve.js'
import { RevkubeClient } from '../cli/client.js'
import { foldable, replayLog } from '../cli/commands/replay.js'
import { formatLogLine } from '../cli/log-lines.js'
import { logPages, toLogLine } from '../cli/log-pages.js'
import type { LogEvent } from '../services/store/commands.js'
import { openStore } from '../services/app/open-store.js'
import type { Store } from '../services/store/store.js'
import { fmt, machine, median, podObject, ratio, startServerProcess, table } from './lib.js'

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const events = Number(process.env.BENCH_EVENTS ?? 1_000_000)
const PODS = 10_000
/** Events folded in memory for the fold-only baseline (a prefix: the whole log would not fit the heap). */
const IN_MEMORY = 250_000

export async function run(): Promise<void> {
  console.log(`\nreplay benchmark — ${url.replace(/:[^:@/]*@/, ':***@')}, ${machine()}`)
  const schema = `bench_replay_${process.pid}`
  const store = await openStore({ database: { backend: 'postgres', url, schema } })
  let server: { url: string; child: ChildProcess } | undefined
  try {
    const importRate = await seed(store, events)
    console.log(
      `\nthe log: ${fmt(events)} events (pods created, then status churn; config maps created, updated, deleted), written by the bulk restore`,
    )
    table([
      ['', 'events/s'],
      ['bulk restore (revkube import path), PostgreSQL', fmt(importRate)],
    ])
    server = await startServerProcess(url, schema)
    await replay(store, server.url)
  } finally {
    server?.child.kill('SIGTERM')
    await store.close()
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`drop schema if exists "${schema}" cascade`)
    await admin.end()
  }
}

/** Writes the log through importLog in pages of 5,000 (as `revkube import` does), 500 events per transaction; returns events/s. */
async function seed(store: Store, total: number): Promise<number> {
  let seed = 17
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
  const uid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`
  const configMaps = new Map<string, string>()
  const started = Date.now() - total
  let nextUid = PODS
  const event = (revision: number): LogEvent => {
    const i = revision - 1
    const base = {
      revision,
      txRevision: revision - (i % 500),
      meta: { actor: 'bench' },
      committedAt: new Date(started + Math.floor(i / 500)),
    }
    if (i < PODS || random(10) < 7) {
      const p = i < PODS ? i : random(PODS)
      const name = `pod-${p}`
      const namespace = `ns-${p % 10}`
      const object = podObject(namespace, name, 1000, i) as { metadata: Record<string, unknown> }
      object.metadata.uid = uid(p)
      object.metadata.resourceVersion = String(revision)
      return { ...base, type: i < PODS ? 'Created' : 'StatusUpdated', kind: 'Pod', namespace, name, uid: uid(p), object }
    }
    const name = `cm-${random(50_000)}`
    const existing = configMaps.get(name)
    const deleting = existing !== undefined && random(10) === 0
    const id = existing ?? uid(nextUid++)
    if (deleting) configMaps.delete(name)
    else configMaps.set(name, id)
    const object = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'ns-0', uid: id, resourceVersion: String(revision) },
      data: { v: 'x'.repeat(800) },
    }
    return {
      ...base,
      type: deleting ? 'Deleted' : existing ? 'Updated' : 'Created',
      kind: 'ConfigMap',
      namespace: 'ns-0',
      name,
      uid: id,
      object,
    }
  }
  function* pages(): Generator<LogEvent[]> {
    for (let next = 1; next <= total; ) {
      const page: LogEvent[] = []
      while (page.length < 5000 && next <= total) page.push(event(next++))
      yield page
    }
  }
  const t = performance.now()
  await store.importLog(pages(), {
    onProgress: (n) => {
      if (process.stdout.isTTY) process.stdout.write(`\r  loading the log: ${fmt(n)} / ${fmt(total)} events`)
    },
  })
  if (process.stdout.isTTY) process.stdout.write('\r\x1b[K')
  return total / ((performance.now() - t) / 1000)
}

async function replay(store: Store, server: string): Promise<void> {
  const client = new RevkubeClient(server, undefined)
  const head = (await store.head()).revision
  const rate = (n: number, t: number) => n / ((performance.now() - t) / 1000)

  // Warm up the server (JIT, PostgreSQL's cache) on part of the log, so no figure pays for it alone.
  for await (const page of logPages(client, { after: 0, to: Math.min(head, 100_000), fields: 'full' })) void page

  let t = performance.now()
  const replayed = await replayLog(client, { to: head })
  const replayRate = rate(replayed.events, t)

  // The same pages, not folded; keep a prefix for the fold-only baseline.
  const kept: LogEvent[] = []
  let read = 0
  t = performance.now()
  for await (const page of logPages(client, { after: 0, to: head, fields: 'fold' })) {
    read += page.length
    for (const e of page) if (kept.length < IN_MEMORY) kept.push(foldable(e))
  }
  const readRate = rate(read, t)

  let direct = 0
  t = performance.now()
  for (let after = 0; ; ) {
    const page = await store.events({ after, limit: 10_000 })
    direct += page.length
    if (page.length < 10_000) break
    after = page[page.length - 1]!.revision
  }
  const directRate = rate(direct, t)

  const memoryRuns: number[] = []
  for (let i = 0; i < 3; i++) {
    const state = emptyState()
    t = performance.now()
    for (const e of kept) evolve(state, e)
    memoryRuns.push(rate(kept.length, t))
  }
  const folded = kept.length
  kept.length = 0

  let exported = 0
  let bytes = 0
  t = performance.now()
  for await (const page of logPages(client, { after: 0, to: head, fields: 'full' })) {
    for (const e of page) {
      bytes += formatLogLine(toLogLine(e)).length
    }
    exported += page.length
  }
  const exportRate = rate(exported, t)

  console.log(`\nreplay of the ${fmt(head)}-event log over GraphQL (pages of 10,000; the server in its own process)`)
  table([
    ['', 'events/s', 'vs replay'],
    ['revkube replay: pull the log over GraphQL and fold it with evolve', fmt(replayRate), ''],
    ['baseline: pull the same pages over GraphQL, no fold', fmt(readRate), ratio(readRate, replayRate)],
    ['baseline: read the log from PostgreSQL in process, no GraphQL, no fold', fmt(directRate), ratio(directRate, replayRate)],
    [
      `baseline: fold in memory alone (the first ${fmt(folded)} events, median of 3)`,
      fmt(median(memoryRuns)),
      ratio(median(memoryRuns), replayRate),
    ],
    [`revkube export: every field, as NDJSON (${fmt(bytes / 2 ** 20)} MiB)`, fmt(exportRate), ratio(exportRate, replayRate)],
  ])
  console.log(
    `  (replayed state: ${fmt([...replayed.state.objects.values()].reduce((n, ns) => n + [...ns.values()].reduce((m, names) => m + names.size, 0), 0))} objects at revision ${fmt(replayed.state.revision)})`,
  )
}
