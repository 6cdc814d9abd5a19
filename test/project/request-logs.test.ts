import { hostname } from 'node:os'
import { createClient } from 'graphql-ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createLogger } from '../../services/log.js'
import { startServer, type RunningServer } from '../../services/app/server.js'
import { backend, dropSchema, freshDatabaseConfig } from '../support/store.js'
import { waitFor } from '../support/wait.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('log lines', () => {
  it('are pino NDJSON with LOG_FORMAT=json: level, time, pid, hostname, msg, then the fields and the child fields', () => {
    const lines: string[] = []
    const log = createLogger({ format: 'json', level: 'debug', write: (line) => lines.push(line) })
    log.child({ component: 'test' }).warn('careful', { n: 3, error: new Error('boom') })
    log.debug('detail')
    expect(lines).toHaveLength(2)
    const first = JSON.parse(lines[0]!)
    expect(first).toMatchObject({
      level: 40,
      pid: process.pid,
      hostname: hostname(),
      msg: 'careful',
      component: 'test',
      n: 3,
      error: { message: 'boom', type: 'Error' },
    })
    expect(typeof first.time).toBe('number')
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 20, msg: 'detail' })
  })

  it('stay key="value" text by default, filtered by level', () => {
    const lines: string[] = []
    const log = createLogger({ level: 'info', write: (line) => lines.push(line) })
    log.debug('hidden')
    log.info('shown', { name: 'web', replicas: 3 })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}shown name="web" replicas=3$/)
  })
})

describe(`GraphQL request logs (${backend})`, () => {
  let server: RunningServer
  let cleanup: () => Promise<void>
  const lines: string[] = []
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, any>)
  const requestLog = (requestId: string) => records().find((r) => r.requestId === requestId && /^graphql request/.test(r.msg))
  const post = (query: string, headers: Record<string, string> = {}, variables?: unknown) =>
    fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    })

  beforeAll(async () => {
    const database = await freshDatabaseConfig()
    const log = createLogger({ format: 'json', level: 'debug', write: (line) => lines.push(line) })
    server = await startServer({ database, port: 0, host: '127.0.0.1', controllers: false, simNodes: 0 }, log)
    cleanup = async () => {
      await server.stop()
      if (database.backend === 'postgres' && database.schema) await dropSchema(database.url, database.schema)
    }
  })
  afterAll(() => cleanup())

  it('log each request at debug with its request id, operation and duration, and return the id in x-request-id', async () => {
    const response = await post('query Head { revision { revision } }', { 'x-request-id': 'req-logs-1' })
    expect(response.headers.get('x-request-id')).toBe('req-logs-1')
    await response.json()
    await waitFor(() => requestLog('req-logs-1') !== undefined, 'the request log line')
    expect(requestLog('req-logs-1')).toMatchObject({
      level: 20,
      msg: 'graphql request',
      transport: 'http',
      operationType: 'query',
      operationName: 'Head',
      status: 200,
    })
    expect(requestLog('req-logs-1')!.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('give a request without X-Request-Id a UUID, the same in the response, the log and the events it wrote', async () => {
    const response = await post(
      'mutation($m: String!) { apply(manifest: $m) { revision } }',
      {},
      { m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: logged, namespace: default}\n' },
    )
    const requestId = response.headers.get('x-request-id')!
    expect(requestId).toMatch(UUID)
    const revision = Number(((await response.json()) as any).data.apply[0].revision)
    await waitFor(() => requestLog(requestId) !== undefined, 'the request log line')
    expect(requestLog(requestId)).toMatchObject({ operationType: 'mutation', operationName: 'anonymous' })
    expect((await server.store.event(revision))?.meta).toMatchObject({ requestId })
  })

  it('log a client mistake at warn with its error code, and an unparsable request too', async () => {
    const response = await post('mutation Bad { delete(kind: "configmaps", namespace: "default", name: "nowhere") { kind } }', {
      'x-request-id': 'req-logs-bad',
    })
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND')
    await waitFor(() => requestLog('req-logs-bad') !== undefined, 'the failure log line')
    expect(requestLog('req-logs-bad')).toMatchObject({
      level: 40,
      msg: 'graphql request failed',
      operationName: 'Bad',
      errors: [{ code: 'NOT_FOUND' }],
    })

    const broken = await post('query Broken { revision { ', { 'x-request-id': 'req-logs-syntax' })
    expect(broken.headers.get('x-request-id')).toBe('req-logs-syntax')
    await broken.text()
    await waitFor(() => requestLog('req-logs-syntax') !== undefined, 'the syntax error log line')
    expect(requestLog('req-logs-syntax')).toMatchObject({
      level: 40,
      msg: 'graphql request failed',
      operationType: 'unknown',
      operationName: 'anonymous',
    })
  })

  it('log operations over graphql-ws with a request id of their own', async () => {
    const client = createClient({ url: `${server.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 })
    try {
      await new Promise<void>((resolve, reject) =>
        client.subscribe(
          { query: 'query OverSocket { revision { revision } }' },
          { next: () => undefined, error: reject, complete: resolve },
        ),
      )
    } finally {
      await client.dispose()
    }
    await waitFor(() => records().some((r) => r.operationName === 'OverSocket'), 'the WebSocket operation log line')
    expect(records().find((r) => r.operationName === 'OverSocket')).toMatchObject({
      level: 20,
      msg: 'graphql request',
      transport: 'ws',
      operationType: 'query',
      requestId: expect.stringMatching(UUID),
    })
  })
})
