import { readFileSync } from 'node:fs'
import { createClient } from 'graphql-ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createLogger } from '../../services/log.js'
import { startServer, type RunningServer } from '../../services/app/server.js'
import { parsePrometheusText, sampleValue, scrape, type Family } from '../support/prometheus-text.js'
import { backend, dropSchema, freshDatabaseConfig } from '../support/store.js'
import { waitFor } from '../support/wait.js'

const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string

const EXPECTED: Array<[string, Family['type']]> = [
  ['revkube_eventlog_append_duration_seconds', 'histogram'],
  ['revkube_eventlog_events_appended_total', 'counter'],
  ['revkube_eventlog_head_revision', 'gauge'],
  ['revkube_projection_revision', 'gauge'],
  ['revkube_projection_lag_revisions', 'gauge'],
  ['revkube_subscriptions', 'gauge'],
  ['revkube_controller_queue_depth', 'gauge'],
  ['revkube_controller_reconciles_total', 'counter'],
  ['revkube_controller_reconcile_errors_total', 'counter'],
  ['revkube_graphql_request_duration_seconds', 'histogram'],
  ['revkube_build_info', 'gauge'],
]

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: metrics-web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: metrics-web}}
  template:
    metadata: {labels: {app: metrics-web}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
`

describe(`/metrics (${backend})`, () => {
  let server: RunningServer
  let cleanup: () => Promise<void>
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    })
    const result = (await response.json()) as { data?: any; errors?: unknown[] }
    if (result.errors) throw new Error(JSON.stringify(result.errors))
    return result.data
  }

  beforeAll(async () => {
    const database = await freshDatabaseConfig()
    server = await startServer({ database, port: 0, host: '127.0.0.1', controllers: true, simNodes: 0 }, createLogger({ level: 'error' }))
    await waitFor(() => server.leading, 'leadership')
    cleanup = async () => {
      await server.stop()
      if (database.backend === 'postgres' && database.schema) await dropSchema(database.url, database.schema)
    }
  })
  afterAll(() => cleanup())

  it('serves every revkube metric in the Prometheus text format, with its type, and the process defaults', async () => {
    const families = await scrape(server.url)
    for (const [name, type] of EXPECTED) expect([name, families.get(name)?.type]).toEqual([name, type])
    expect(sampleValue(families, 'revkube_build_info', { version })).toBe(1)
    expect(families.has('process_cpu_user_seconds_total')).toBe(true)
    expect(families.has('nodejs_eventloop_lag_seconds')).toBe(true)
    for (const family of families.values()) {
      if (!family.name.startsWith('revkube_')) continue
      expect(family.name).not.toMatch(/^revkube_revkube_/)
      expect(family.help).not.toBe('')
      if (family.type === 'counter') expect(family.name).toMatch(/_total$/)
    }
  })

  it('counts the events an applied manifest appends, the append latency, and the GraphQL operation', async () => {
    const before = await scrape(server.url)
    const applied = await gql(`mutation ApplyConfig($m: String!) { apply(manifest: $m) { revision } }`, {
      m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: counted, namespace: default}\ndata: {a: "1"}\n',
    })
    await gql(`{ revision { revision } }`)
    const after = await scrape(server.url)

    const created = (f: Map<string, Family>) => sampleValue(f, 'revkube_eventlog_events_appended_total', { type: 'Created' }) ?? 0
    const appends = (f: Map<string, Family>) => sampleValue(f, 'revkube_eventlog_append_duration_seconds_count') ?? 0
    const operations = (f: Map<string, Family>, labels: Record<string, string>) =>
      sampleValue(f, 'revkube_graphql_request_duration_seconds_count', labels) ?? 0
    expect(created(after)).toBeGreaterThanOrEqual(created(before) + 1)
    expect(appends(after)).toBeGreaterThanOrEqual(appends(before) + 1)
    expect(operations(after, { operation_type: 'mutation', operation_name: 'ApplyConfig' })).toBe(
      operations(before, { operation_type: 'mutation', operation_name: 'ApplyConfig' }) + 1,
    )
    expect(operations(after, { operation_type: 'query', operation_name: 'anonymous' })).toBe(
      operations(before, { operation_type: 'query', operation_name: 'anonymous' }) + 1,
    )

    const revision = Number(applied.apply[0].revision)
    expect(sampleValue(after, 'revkube_eventlog_head_revision')).toBeGreaterThanOrEqual(revision)
    await server.projection.waitFor(revision)
    const settled = await scrape(server.url)
    expect(sampleValue(settled, 'revkube_projection_revision')).toBeGreaterThanOrEqual(revision)
    expect(sampleValue(settled, 'revkube_projection_lag_revisions')).toBe(
      Math.max(0, (sampleValue(settled, 'revkube_eventlog_head_revision') ?? 0) - server.projection.revision),
    )
  })

  it('counts reconciles per controller as the controllers work on a new Deployment', async () => {
    const reconciles = async (controller: string) =>
      sampleValue(await scrape(server.url), 'revkube_controller_reconciles_total', { controller }) ?? 0
    const before = { deployment: await reconciles('deployment'), replicaset: await reconciles('replicaset') }
    await gql(`mutation($m: String!) { apply(manifest: $m) { revision } }`, { m: deployment })
    await waitFor(async () => (await reconciles('deployment')) > before.deployment, 'the deployment controller to reconcile')
    await waitFor(async () => (await reconciles('replicaset')) > before.replicaset, 'the replicaset controller to reconcile')
    const families = await scrape(server.url)
    expect(sampleValue(families, 'revkube_controller_queue_depth', { controller: 'deployment' })).toBeGreaterThanOrEqual(0)
    expect(sampleValue(families, 'revkube_controller_reconcile_errors_total', { controller: 'deployment' })).toBeGreaterThanOrEqual(0)
  })

  it('reports open subscriptions by transport', async () => {
    const open = async (transport: string) => sampleValue(await scrape(server.url), 'revkube_subscriptions', { transport })
    expect([await open('sse'), await open('ws')]).toEqual([0, 0])
    const query = `subscription { watch(kind: "configmaps", fromRevision: "0") { type } }`
    const abort = new AbortController()
    const sse = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query }),
      signal: abort.signal,
    })
    expect(sse.status).toBe(200)
    await waitFor(async () => (await open('sse')) === 1, 'one SSE subscription')
    const client = createClient({ url: `${server.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 })
    const dispose = client.subscribe({ query }, { next: () => undefined, error: () => undefined, complete: () => undefined })
    await waitFor(async () => (await open('ws')) === 1, 'one WebSocket subscription')
    abort.abort()
    dispose()
    await client.dispose()
    await waitFor(async () => (await open('sse')) === 0 && (await open('ws')) === 0, 'both subscriptions released')
  })
})

describe('the exposition parser these tests use', () => {
  const ok = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 3\n'
  it('reads families, types, labels and values', () => {
    const families = parsePrometheusText(ok)
    expect(families.get('a_total')).toMatchObject({ type: 'counter', help: 'A.' })
    expect(sampleValue(families, 'a_total', { x: '1' })).toBe(3)
  })

  it.each([
    ['a missing final newline', ok.trimEnd()],
    ['a malformed label', '# TYPE a gauge\na{x=1} 1\n'],
    ['a malformed value', '# TYPE a gauge\na one\n'],
    ['a duplicate series', '# TYPE a gauge\na 1\na 2\n'],
    ['a family split in two', '# TYPE a gauge\na{x="1"} 1\n# TYPE b gauge\nb 1\na{x="2"} 1\n'],
    ['buckets that are not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['a +Inf bucket unlike _count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n'],
  ])('rejects %s', (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow()
  })
})
