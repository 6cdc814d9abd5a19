/**
 * `npm run bench -- graphql`: the GraphQL API of a revkube server (a child process, as users run
 * it) against the local PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test),
 * each figure beside a baseline from the same run.
 *
 * 1. mutations/s: `apply` of one small ConfigMap from 1 and 64 concurrent HTTP clients, beside the
 *    resource API called in-process at the same concurrency (the GraphQL overhead ratio);
 * 2. `objects(kind: "Pod")` of 10,000 pods now vs `at:` the middle revision of a BENCH_EVENTS-event
 *    log (default 1,000,000);
 * 3. subscription delivery latency p50/p99 with 500 WebSocket subscribers, beside 1 subscriber;
 * 4. the cost of authentication and RBAC: apply and list throughput from 16 clients as a user
 *    bound to `edit` (--auth=token, every request authenticated and authorized), beside the same
 *    server with --auth=none.
 *
 * BENCH_PARTS=mutations,lists,subscriptions,auth runs some of them (default: all).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import { createInterface } from 'node:readline'
import { createClient } from 'graphql-ws'
import pg from 'pg'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { Projection } from '../projections/projection.js'
import { bootstrapNamespaces } from '../services/api/namespaces.js'
import { ResourceApi } from '../services/api/resource-api.js'
import type { AppendCommand } from '../services/store/commands.js'
import { openStore } from '../services/app/open-store.js'
import type { Store } from '../services/store/store.js'
import { fmt, machine, median, percentile, podObject, ratio, table, throughput, timings } from './lib.js'

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const events = Number(process.env.BENCH_EVENTS ?? 1_000_000)
const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const PODS = 10_000
/** Changes per second in the subscription run: 500 subscribers make it 10,000 deliveries/s. */
const RATE = 20
const parts = new Set((process.env.BENCH_PARTS ?? 'mutations,lists,subscriptions,auth').split(','))

export async function run(): Promise<void> {
  console.log(`\ngraphql benchmark — ${url.replace(/:[^:@/]*@/, ':***@')}, ${machine()}`)
  const schema = `bench_graphql_${process.pid}`
  const store = await openStore({ database: { backend: 'postgres', url, schema } })
  let server: { url: string; child: ChildProcess } | undefined
  try {
    if (parts.has('mutations') || parts.has('lists') || parts.has('subscriptions')) {
      if (parts.has('lists')) await loadLog(store, events)
      server = await startServer(schema)
      if (parts.has('mutations')) await mutations(store, server.url)
      if (parts.has('lists')) await lists(store, server.url)
      if (parts.has('subscriptions')) await subscriptions(store, server.url)
    }
    if (parts.has('auth')) await authorization()
  } finally {
    server?.child.kill('SIGTERM')
    agent.destroy()
    await store.close()
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`drop schema if exists "${schema}" cascade`)
    await admin.end()
  }
}

async function startServer(
  schema: string,
  env: Record<string, string> = { REVKUBE_AUTH: 'none' },
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/app/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      REVKUBE_DB_SCHEMA: schema,
      PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      REVKUBE_CONTROLLERS: 'false',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.includes('revkube is serving')) resolve({ url: `${JSON.parse(line).url}/graphql`, child })
    })
    child.once('exit', (code) => reject(new Error(`the server exited (${code})`)))
  })
}

/** Node's own HTTP client with keep-alive: the lightest real client, so the server's cost shows, not the client's. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 128 })

async function gql(endpoint: string, query: string, variables?: Record<string, unknown>, token?: string) {
  const body = JSON.stringify({ query, variables })
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(token && { authorization: `Bearer ${token}` }),
  }
  const text = await new Promise<string>((resolve, reject) => {
    const request = http.request(endpoint, { method: 'POST', agent, headers }, (response) => {
      let data = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => (data += chunk))
      response.on('end', () => resolve(data))
    })
    request.on('error', reject)
    request.end(body)
  })
  const result = JSON.parse(text) as { data?: any; errors?: Array<{ message: string }> }
  if (result.errors) throw new Error(result.errors[0]!.message)
  return result.data
}

/** Pods created, then status churn over the pods, so the middle revision has every pod. */
async function loadLog(store: Store, total: number): Promise<void> {
  const api = new ResourceApi({ store })
  await bootstrapNamespaces(api)
  let seed = 17
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
  const command = (i: number): AppendCommand => {
    const p = i < PODS ? i : random(PODS)
    const name = `pod-${p}`
    return {
      op: 'put',
      type: i < PODS ? 'Created' : 'StatusUpdated',
      kind: 'Pod',
      namespace: 'default',
      name,
      object: podObject('default', name, 1000, i),
    }
  }
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
}

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: default}\ndata: {key: value}\n`

async function mutations(store: Store, endpoint: string): Promise<void> {
  // The same composition as the server: the resource API with its projection.
  const projection = await Projection.start(store)
  const api = new ResourceApi({ store, projection })
  let n = 0
  const viaGraphQL = (callers: number) =>
    throughput(callers, seconds, async () => {
      await gql(endpoint, 'mutation($m: String!) { apply(manifest: $m) { revision } }', { m: configMap(`g${n++}`) })
      return 1
    })
  const inProcess = (callers: number) =>
    throughput(callers, seconds, async () => {
      const [result] = await api.apply({ actor: 'bench' }, configMap(`i${n++}`))
      if (result!.action === 'failed') throw result!.error
      return 1
    })
  const rows: string[][] = [['', 'GraphQL over HTTP', 'resource API in-process', 'ratio']]
  for (const callers of [1, 64]) {
    const g = await viaGraphQL(callers)
    const i = await inProcess(callers)
    rows.push([`apply, ${callers} concurrent client${callers > 1 ? 's' : ''}`, `${fmt(g)}/s`, `${fmt(i)}/s`, ratio(g, i)])
  }
  projection.stop()
  console.log(`\nmutations/s: apply of one ConfigMap, ${seconds} s each`)
  table(rows)
  console.log('  (target: GraphQL ≥ 0.5× in-process at 64 clients)')
}

async function lists(store: Store, endpoint: string): Promise<void> {
  const head = (await store.head()).revision
  const middle = Math.floor(head / 2)
  const query = `query($at: At) { objects(kind: "Pod", first: 10000, at: $at) { revision edges { node { raw } } } }`
  const count = (data: any) => data.objects.edges.length
  if (count(await gql(endpoint, query, { at: { revision: String(middle) } })) !== PODS) throw new Error('the as-of list is missing pods')
  const current: number[] = []
  const asOf: number[] = []
  for (let i = 0; i < 7; i++) {
    current.push(...(await timings(1, () => gql(endpoint, query))))
    asOf.push(...(await timings(1, () => gql(endpoint, query, { at: { revision: String(middle) } }))))
  }
  console.log(`\nobjects(kind: "Pod") of ${fmt(PODS)} pods over HTTP, a ${fmt(head)}-event log (median of 7, ms)`)
  table([
    ['', 'ms'],
    ['now', fmt(median(current), 1)],
    [`at the middle revision (${fmt(middle)})`, fmt(median(asOf), 1)],
    ['ratio', ratio(median(asOf), median(current))],
  ])
  console.log('  (target: at: ≤ 2× now)')
}

async function subscriptions(store: Store, endpoint: string): Promise<void> {
  const measure = async (subscribers: number, perSecond: number, duration: number) => {
    const clients = Array.from({ length: Math.ceil(subscribers / 50) }, () =>
      createClient({ url: endpoint.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 }),
    )
    const sentAt = new Map<string, number>()
    const latencies: number[] = []
    let ready = 0
    const disposers = Array.from({ length: subscribers }, (_, i) =>
      clients[i % clients.length]!.subscribe(
        { query: 'subscription { watch(kind: "ConfigMap", labelSelector: "bench=sub") { type object { metadata { name } } } }' },
        {
          next: (r: any) => {
            if (r.data.watch.type === 'BOOKMARK') return
            const sent = sentAt.get(r.data.watch.object.metadata.name)
            if (sent !== undefined) latencies.push(performance.now() - sent)
          },
          error: () => undefined,
          complete: () => undefined,
        },
      ),
    )
    // Let every subscription start (each gets ADDED for current matches: none yet).
    await new Promise((r) => setTimeout(r, 1500 + subscribers * 4))
    ready = subscribers
    let i = 0
    const end = performance.now() + duration * 1000
    const writes: Promise<unknown>[] = []
    for (let tick = performance.now(); tick < end; tick += 1000 / perSecond) {
      const wait = tick - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      const name = `sub-${subscribers}-${i++}`
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
              metadata: { name, namespace: 'default', labels: { bench: 'sub' } },
              data: { v: '1' },
            },
          },
        ]),
      )
    }
    await Promise.all(writes)
    const expected = i * subscribers
    const deadline = Date.now() + 30_000
    while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    disposers.forEach((d) => d())
    await Promise.all(clients.map((c) => c.dispose()))
    void ready
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), delivered: latencies.length, expected }
  }
  const one = await measure(1, RATE, 3)
  const many = await measure(500, RATE, seconds)
  console.log(`\nsubscription delivery: ${RATE} ConfigMap creations/s, latency from the write to each WebSocket subscriber, ms`)
  table([
    ['', 'p50', 'p99', 'deliveries'],
    ['500 subscribers', many.p50.toFixed(1), many.p99.toFixed(1), `${fmt(many.delivered)} of ${fmt(many.expected)}`],
    ['baseline: 1 subscriber', one.p50.toFixed(1), one.p99.toFixed(1), `${fmt(one.delivered)} of ${fmt(one.expected)}`],
  ])
}

/** The same server twice: --auth=none, and --auth=token with a user bound to `edit` (RBAC evaluated on every request). */
async function authorization(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'revkube-bench-auth-'))
  const tokenFile = join(dir, 'tokens.csv')
  await writeFile(tokenFile, 'dev-token,dev,uid-dev,"developers"\n')
  const schemas = [`bench_auth_none_${process.pid}`, `bench_auth_rbac_${process.pid}`]
  const servers: Array<{ url: string; child: ChildProcess }> = []
  try {
    const open = await startServer(schemas[0]!, { REVKUBE_AUTH: 'none', REVKUBE_DATA_DIR: join(dir, 'none') })
    servers.push(open)
    const secured = await startServer(schemas[1]!, {
      REVKUBE_AUTH: 'token',
      REVKUBE_TOKEN_FILE: tokenFile,
      REVKUBE_DATA_DIR: join(dir, 'rbac'),
      REVKUBE_CONFIG: join(dir, 'cli.json'),
    })
    servers.push(secured)
    const { readFileSync } = await import('node:fs')
    const admin = readFileSync(join(dir, 'rbac', 'admin.token'), 'utf8').trim()
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'dev-edit', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'developers' }],
    }
    await gql(secured.url, 'mutation($o: JSON!) { create(object: $o) { revision } }', { o: binding }, admin)
    await new Promise((resolve) => setTimeout(resolve, 500))
    for (const server of servers) {
      const token = server === secured ? 'dev-token' : undefined
      for (let i = 0; i < 1000; i += 100) {
        await gql(
          server.url,
          'mutation($m: String!) { apply(manifest: $m) { revision } }',
          { m: Array.from({ length: 100 }, (_, k) => configMap(`seed-${i + k}`)).join('---\n') },
          token,
        )
      }
    }
    let n = 0
    const applies = (server: { url: string }, token?: string) =>
      throughput(16, seconds, async () => {
        await gql(server.url, 'mutation($m: String!) { apply(manifest: $m) { revision } }', { m: configMap(`a${n++}`) }, token)
        return 1
      })
    const listQuery = '{ objects(kind: "ConfigMap", namespace: "default", first: 100) { edges { node { metadata { name } } } } }'
    const lists = (server: { url: string }, token?: string) =>
      throughput(16, seconds, async () => {
        await gql(server.url, listQuery, undefined, token)
        return 1
      })
    // Alternate the two servers over three rounds and take medians: neither gets the warmer database.
    const measured = { applyRbac: [] as number[], applyNone: [] as number[], listRbac: [] as number[], listNone: [] as number[] }
    for (let round = 0; round < 3; round++) {
      const first = round % 2 === 0
      if (first) measured.applyRbac.push(await applies(secured, 'dev-token'))
      measured.applyNone.push(await applies(open))
      if (!first) measured.applyRbac.push(await applies(secured, 'dev-token'))
      if (first) measured.listRbac.push(await lists(secured, 'dev-token'))
      measured.listNone.push(await lists(open))
      if (!first) measured.listRbac.push(await lists(secured, 'dev-token'))
    }
    const [applyRbac, applyNone, listRbac, listNone] = [measured.applyRbac, measured.applyNone, measured.listRbac, measured.listNone].map(
      median,
    ) as [number, number, number, number]
    const rows: string[][] = [
      ['16 clients, median of 3 alternating rounds', '--auth=token, RBAC (user bound to edit)', '--auth=none', 'ratio'],
    ]
    rows.push(['apply of one ConfigMap', `${fmt(applyRbac)}/s`, `${fmt(applyNone)}/s`, ratio(applyRbac, applyNone)])
    rows.push(['objects(ConfigMap), 100 per page', `${fmt(listRbac)}/s`, `${fmt(listNone)}/s`, ratio(listRbac, listNone)])
    console.log(`\nthe cost of authentication and RBAC, ${seconds} s each`)
    table(rows)
    console.log('  (target: with RBAC ≥ 0.85× without, i.e. at most 15% slower)')
  } finally {
    for (const server of servers) server.child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 500))
    const db = new pg.Client({ connectionString: url })
    await db.connect()
    for (const schema of schemas) await db.query(`drop schema if exists "${schema}" cascade`)
    await db.end()
    await rm(dir, { recursive: true, force: true })
  }
}
