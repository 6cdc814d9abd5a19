import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { spawnTs, type Child } from '../support/process.js'
import { backend, databaseUrl, dropSchema, uniqueSchema } from '../support/store.js'
import { waitFor } from '../support/wait.js'

const SHUTTING_DOWN = { errors: [{ message: 'the server is shutting down', extensions: { code: 'SHUTTING_DOWN' } }] }
const WATCH = 'subscription { watch(kind: "configmaps", namespace: "default", fromRevision: "0") { type object { metadata { name } } } }'
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: default}\ndata: {k: v}\n`

const dirs: string[] = []
const schemas: string[] = []
afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  for (const schema of schemas) await dropSchema(databaseUrl!, schema)
})

/** Where a server keeps its data: a fresh PGlite folder, or a fresh schema on PostgreSQL. */
function freshDataEnv(): NodeJS.ProcessEnv {
  if (databaseUrl) {
    const schema = uniqueSchema('shutdown')
    schemas.push(schema)
    return { DATABASE_URL: databaseUrl, REVKUBE_DB_SCHEMA: schema }
  }
  const dir = mkdtempSync(join(tmpdir(), 'revkube-shutdown-'))
  dirs.push(dir)
  return { DATABASE_URL: '', REVKUBE_DATA_DIR: dir }
}

/** `npm start`'s entry point with JSON logs; resolves once it serves, with its URL. */
async function serve(env: NodeJS.ProcessEnv): Promise<{ child: Child; url: string }> {
  const child = spawnTs('services/app/main.ts', ['--no-controllers'], {
    PORT: '0',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'debug',
    REVKUBE_AUTH: 'none',
    ...env,
  })
  let url = ''
  await waitFor(
    () => {
      if (child.process.exitCode !== null) throw new Error(`the server exited: ${child.stderr()}`)
      const line = child
        .stderr()
        .split('\n')
        .find((l) => l.includes('"revkube is serving"'))
      if (line) url = JSON.parse(line).url
      return url !== ''
    },
    'the server to serve',
    60_000,
  )
  return { child, url }
}

async function gql(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  })
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } }
}

/** A GraphQL-over-SSE subscription, its frames collected as they arrive. */
async function sseSubscription(url: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: WATCH }),
  })
  const frames: Array<{ event: string; data: string }> = []
  const ended = (async () => {
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let boundary: number
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, boundary)
        buffer = buffer.slice(boundary + 2)
        const event = /^event: (.*)$/m.exec(frame)?.[1]
        if (event) frames.push({ event, data: /^data: (.*)$/m.exec(frame)?.[1] ?? '' })
      }
    }
  })()
  return { frames, ended }
}

/** A graphql-transport-ws subscription over a raw WebSocket, every message and the close recorded. */
async function wsSubscription(url: string) {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws')
  const messages: any[] = []
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  socket.on('message', (data) => messages.push(JSON.parse(String(data))))
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }))
  await waitFor(() => messages.some((m) => m.type === 'connection_ack'), 'connection_ack')
  socket.send(JSON.stringify({ id: 'w1', type: 'subscribe', payload: { query: WATCH } }))
  return { messages, closed }
}

describe(`SIGTERM (${backend})`, () => {
  it('ends SSE and WebSocket subscriptions with a last message, lets acknowledged appends land, and exits 0 with the data intact', async () => {
    const data = freshDataEnv()
    const { child, url } = await serve(data)
    expect(
      (
        await gql(
          url,
          'mutation($m: String!) { apply(manifest: $m) { revision } }',
          { m: configMap('before') },
          { 'x-request-id': 'before-sigterm' },
        )
      ).status,
    ).toBe(200)

    const sse = await sseSubscription(url)
    const ws = await wsSubscription(url)
    await waitFor(
      () => sse.frames.some((f) => f.event === 'next') && ws.messages.some((m) => m.type === 'next'),
      'both subscriptions to deliver the backlog',
    )

    // Writes racing the signal: each one the server acknowledged must survive; each it refused must not exist.
    const racing = Array.from({ length: 8 }, (_, i) =>
      gql(url, 'mutation($m: String!) { apply(manifest: $m) { revision } }', { m: configMap(`racing-${i}`) }).then(
        (result) => ({ name: `racing-${i}`, ...result }),
        () => ({ name: `racing-${i}`, status: 0, body: {} as { data?: any; errors?: any[] } }),
      ),
    )
    await new Promise((resolve) => setTimeout(resolve, 5))
    child.process.kill('SIGTERM')

    await sse.ended
    const tail = sse.frames.slice(-2)
    expect(tail.map((f) => f.event)).toEqual(['next', 'complete'])
    expect(JSON.parse(tail[0]!.data)).toEqual(SHUTTING_DOWN)

    expect(await ws.closed).toEqual({ code: 1001, reason: 'the server is shutting down' })
    expect(ws.messages.slice(-2)).toEqual([
      { id: 'w1', type: 'next', payload: SHUTTING_DOWN },
      { id: 'w1', type: 'complete' },
    ])

    expect((await child.exited).code).toBe(0)
    const outcomes = await Promise.all(racing)
    const lines = child.stderr().trim().split('\n')
    for (const line of lines)
      expect(JSON.parse(line)).toMatchObject({
        level: expect.any(Number),
        time: expect.any(Number),
        pid: child.process.pid,
        hostname: expect.any(String),
        msg: expect.any(String),
      })
    const records = lines.map((l) => JSON.parse(l))
    expect(records).toContainEqual(
      expect.objectContaining({ msg: 'graphql request', requestId: 'before-sigterm', operationType: 'mutation' }),
    )
    expect(records.map((r) => r.msg)).toEqual(expect.arrayContaining(['stopping', 'stopped']))

    // The data is all there after a restart.
    const again = await serve(data)
    try {
      const names = async () =>
        new Set<string>(
          (
            await gql(again.url, '{ objects(kind: "configmaps", namespace: "default") { edges { node { metadata { name } } } } }')
          ).body.data.objects.edges.map((e: any) => e.node.metadata.name),
        )
      const present = await names()
      expect(present.has('before')).toBe(true)
      for (const outcome of outcomes) {
        if (outcome.status === 200 && outcome.body.data) expect([outcome.name, present.has(outcome.name)]).toEqual([outcome.name, true])
        if (outcome.status === 503) {
          expect(outcome.body.errors?.[0]?.extensions?.code).toBe('SHUTTING_DOWN')
          expect([outcome.name, present.has(outcome.name)]).toEqual([outcome.name, false])
        }
      }
    } finally {
      again.child.process.kill('SIGTERM')
      expect((await again.child.exited).code).toBe(0)
    }
  })

  it('cuts a request still open when the grace period runs out, and still exits 0', async () => {
    const { child, url } = await serve({ ...freshDataEnv(), REVKUBE_SHUTDOWN_TIMEOUT: '300ms' })
    const { hostname, port } = new URL(url)
    const socket = connect(Number(port), hostname)
    const cut = new Promise<void>((resolve) => socket.on('close', () => resolve()))
    socket.on('error', () => undefined)
    await new Promise((resolve) => socket.once('connect', resolve))
    // A request whose body never finishes arriving: it stays open until the server gives up on it.
    socket.write(`POST /graphql HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":`)
    await new Promise((resolve) => setTimeout(resolve, 100))
    child.process.kill('SIGTERM')
    await cut
    expect((await child.exited).code).toBe(0)
    expect(child.stderr()).toContain('the grace period ran out')
  })
})
