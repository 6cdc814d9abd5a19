/**
 * `npm run bench -- rest`: the Kubernetes REST API of a revkube server (a child process, as users
 * run it) against the local PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test),
 * beside the same through GraphQL in the same run:
 *
 * 1. a list of 10,000 pods as kubectl asks for it (the Table format, in pages of 500 as kubectl
 *    chunks, and whole), and as JSON, beside GraphQL's `objects(kind: "Pod", first: 10000) { raw }`;
 * 2. watch fan-out: delivery latency p50/p99 from a write to each of BENCH_WATCHERS (default 1,000)
 *    REST watchers (one HTTP stream each), beside as many GraphQL `watch` subscribers over WebSocket.
 *
 * The plain port is used (the secure one serves the same routes; TLS is not what is measured).
 * BENCH_PARTS=lists,watch runs some of them (default: both).
 */
import type { ChildProcess } from 'node:child_process'
import http from 'node:http'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'
import { bootstrapNamespaces } from '../services/api/namespaces.js'
import { ResourceApi } from '../services/api/resource-api.js'
import { openStore } from '../services/app/open-store.js'
import type { Store } from '../services/store/store.js'
import { dropSchemas, fmt, machine, median, percentile, podObject, ratio, startServerProcess, table, timings } from './lib.js'

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const PODS = 10_000
const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 1_000)
/** Changes per second in the fan-out run: 1,000 watchers make it 10,000 deliveries/s per API. */
const RATE = 10
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const parts = new Set((process.env.BENCH_PARTS ?? 'lists,watch').split(','))
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'

export async function run(): Promise<void> {
  console.log(`\nrest benchmark — ${url.replace(/:[^:@/]*@/, ':***@')}, ${machine()}`)
  const schema = `bench_rest_${process.pid}`
  const store = await openStore({ database: { backend: 'postgres', url, schema } })
  let server: { url: string; child: ChildProcess } | undefined
  try {
    await loadPods(store)
    // Every watcher and subscriber is a request in flight for a while; the bounds are not what is measured.
    server = await startServerProcess(url, schema, { REVKUBE_MAX_REQUESTS_INFLIGHT: '10000' })
    if (parts.has('lists')) await lists(server.url)
    if (parts.has('watch')) await fanOut(store, server.url)
  } finally {
    server?.child.kill('SIGTERM')
    agent.destroy()
    await store.close()
    await dropSchemas(url, schema)
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })

function request(target: string, options: { method?: string; accept?: string; body?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { accept: options.accept ?? 'application/json' }
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json'
      headers['content-length'] = Buffer.byteLength(options.body)
    }
    const req = http.request(target, { method: options.method ?? 'GET', agent, headers }, (res) => {
      let data = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (data += chunk))
      res.on('end', () => (res.statusCode! < 300 ? resolve(data) : reject(new Error(`${res.statusCode} ${data.slice(0, 300)}`))))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

async function loadPods(store: Store): Promise<void> {
  await bootstrapNamespaces(new ResourceApi({ store }))
  for (let next = 0; next < PODS; ) {
    const batch = []
    for (let k = 0; k < 500 && next < PODS; k++, next++) {
      const name = `pod-${next}`
      batch.push({
        op: 'put' as const,
        type: 'Created' as const,
        kind: 'Pod',
        namespace: 'default',
        name,
        object: podObject('default', name, 1000),
      })
    }
    await store.append(batch)
  }
}

/** kubectl's chunked list: pages of 500 until no continue token. */
async function chunked(base: string, accept: string): Promise<number> {
  let rows = 0
  let token: string | undefined
  do {
    const page = JSON.parse(
      await request(`${base}/api/v1/namespaces/default/pods?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`, { accept }),
    )
    rows += (page.rows ?? page.items).length
    token = page.metadata.continue
  } while (token)
  return rows
}

async function lists(base: string): Promise<void> {
  const whole = async (accept: string) => {
    const body = JSON.parse(await request(`${base}/api/v1/namespaces/default/pods`, { accept }))
    return (body.rows ?? body.items).length
  }
  const graphql = async () => {
    const body = JSON.stringify({ query: '{ objects(kind: "Pod", namespace: "default", first: 10000) { edges { node { raw } } } }' })
    const data = JSON.parse(await request(`${base}/graphql`, { method: 'POST', body }))
    return data.data.objects.edges.length
  }
  for (const count of [await chunked(base, TABLE), await whole(TABLE), await whole('application/json'), await graphql()]) {
    if (count !== PODS) throw new Error(`a list returned ${count} pods, not ${PODS}`)
  }
  const ms = async (fn: () => Promise<unknown>) => median(await timings(7, fn))
  const kubectl = await ms(() => chunked(base, TABLE))
  const table1 = await ms(() => whole(TABLE))
  const json = await ms(() => whole('application/json'))
  const gql = await ms(graphql)
  console.log(`\na list of ${fmt(PODS)} pods over HTTP (median of 7, ms)`)
  table([
    ['', 'ms', 'ratio to GraphQL'],
    ['REST, Table, pages of 500 (kubectl get pods)', fmt(kubectl, 1), ratio(kubectl, gql)],
    ['REST, Table, one page', fmt(table1, 1), ratio(table1, gql)],
    ['REST, JSON PodList (client-go list)', fmt(json, 1), ratio(json, gql)],
    ['baseline: GraphQL objects { raw }', fmt(gql, 1), '1.00×'],
  ])
}

interface Delivery {
  p50: number
  p99: number
  delivered: number
  expected: number
}

/** Writes RATE labelled ConfigMaps a second for SECONDS and measures when each reaches each watcher. */
async function measure(
  store: Store,
  label: string,
  subscribe: (onName: (name: string) => void) => Promise<() => Promise<void>>,
): Promise<Delivery> {
  const sentAt = new Map<string, number>()
  const latencies: number[] = []
  const stop = await subscribe((name) => {
    const sent = sentAt.get(name)
    if (sent !== undefined) latencies.push(performance.now() - sent)
  })
  let i = 0
  const end = performance.now() + SECONDS * 1000
  const writes: Promise<unknown>[] = []
  for (let tick = performance.now(); tick < end; tick += 1000 / RATE) {
    const wait = tick - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    const name = `${label}-${i++}`
    sentAt.set(name, performance.now())
    writes.push(
      store.append([
        {
          op: 'put',
          type: 'Created',
          kind: 'ConfigMap',
          namespace: 'default',
          name,
          object: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name, namespace: 'default', labels: { bench: label } },
            data: { v: '1' },
          },
        },
      ]),
    )
  }
  await Promise.all(writes)
  const expected = i * WATCHERS
  const deadline = Date.now() + 30_000
  while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  await stop()
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), delivered: latencies.length, expected }
}

/** WATCHERS REST watches, each its own HTTP stream of newline-delimited events. */
const restWatchers = (base: string) => async (onName: (name: string) => void) => {
  const requests: http.ClientRequest[] = []
  let open = 0
  const watchAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity })
  for (let w = 0; w < WATCHERS; w++) {
    const req = http.get(
      `${base}/api/v1/namespaces/default/configmaps?watch=true&labelSelector=bench%3Drest`,
      { agent: watchAgent },
      (res) => {
        open++
        let buffer = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          buffer += chunk
          let newline = buffer.indexOf('\n')
          while (newline >= 0) {
            const event = JSON.parse(buffer.slice(0, newline))
            buffer = buffer.slice(newline + 1)
            if (event.type === 'ADDED') onName(event.object.metadata.name)
            newline = buffer.indexOf('\n')
          }
        })
        res.on('error', () => undefined)
      },
    )
    req.on('error', () => undefined)
    requests.push(req)
  }
  const deadline = Date.now() + 60_000
  while (open < WATCHERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  if (open < WATCHERS) throw new Error(`only ${open} of ${WATCHERS} REST watches opened`)
  return async () => {
    for (const req of requests) req.destroy()
    watchAgent.destroy()
  }
}

/** WATCHERS GraphQL watch subscriptions, 50 to a WebSocket. */
const graphqlSubscribers = (base: string) => async (onName: (name: string) => void) => {
  const clients = Array.from({ length: Math.ceil(WATCHERS / 50) }, () =>
    createClient({ url: `${base.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 }),
  )
  const disposers = Array.from({ length: WATCHERS }, (_, i) =>
    clients[i % clients.length]!.subscribe(
      { query: 'subscription { watch(kind: "ConfigMap", labelSelector: "bench=graphql") { type object { metadata { name } } } }' },
      {
        next: (r: any) => {
          if (r.data?.watch.type === 'ADDED') onName(r.data.watch.object.metadata.name)
        },
        error: () => undefined,
        complete: () => undefined,
      },
    ),
  )
  await new Promise((r) => setTimeout(r, 1500 + WATCHERS * 4))
  return async () => {
    for (const dispose of disposers) dispose()
    await Promise.all(clients.map((c) => c.dispose()))
  }
}

async function fanOut(store: Store, base: string): Promise<void> {
  const rest = await measure(store, 'rest', restWatchers(base))
  const graphql = await measure(store, 'graphql', graphqlSubscribers(base))
  console.log(
    `\nwatch fan-out: ${RATE} ConfigMap creations/s for ${SECONDS} s, latency from the write to each of ${fmt(WATCHERS)} watchers, ms`,
  )
  table([
    ['', 'p50', 'p99', 'deliveries', 'p99 ratio'],
    [
      `REST watch, ${fmt(WATCHERS)} HTTP streams`,
      rest.p50.toFixed(1),
      rest.p99.toFixed(1),
      `${fmt(rest.delivered)} of ${fmt(rest.expected)}`,
      ratio(rest.p99, graphql.p99),
    ],
    [
      `baseline: GraphQL watch, ${fmt(WATCHERS)} subscribers`,
      graphql.p50.toFixed(1),
      graphql.p99.toFixed(1),
      `${fmt(graphql.delivered)} of ${fmt(graphql.expected)}`,
      '1.00×',
    ],
  ])
}
