import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { sampleValue, scrape } from '../support/prometheus-text.js'
import { type ServerProcess, startServerProcess } from '../support/server-process.js'
import { waitFor } from '../support/wait.js'

/**
 * The soak: one server, run as users run it (a child process of `npm start`'s entry point, tokens
 * and RBAC on), under every attack of the hardening issue at once — token-less multi-megabyte
 * documents, deeply nested documents, JSON-patch copy bombs, malformed strategic-merge patches,
 * storms of `changes` aliases from a caller with no permissions, bursts of concurrent reads past
 * the in-flight limit, oversized WebSocket frames, floods of anonymous requests with huge headers —
 * beside fuzzed documents and ordinary writes, for SOAK_SECONDS (default 20). Throughout, /livez
 * answers within a second; every answer is data or a client error (429 included), never a 5xx. At
 * the end the server is alive, its log is gapless and holds every acknowledged write, and its heap
 * is back under a bound.
 */

const SECONDS = Number(process.env.SOAK_SECONDS ?? 20)
/** The heap the server may hold once the attacks have stopped: the attacks must leave nothing behind. */
const HEAP_BOUND = 400 * 1024 * 1024

let server: ServerProcess
let url = ''
let admin = ''

beforeAll(async () => {
  // Small pools, so the bursts below overflow them and the server must say 429, not fall over.
  server = await startServerProcess(
    { viewer: [], nobody: [] },
    { REVKUBE_MAX_REQUESTS_INFLIGHT: '40', REVKUBE_MAX_MUTATING_REQUESTS_INFLIGHT: '20' },
  )
  url = server.url
  admin = server.tokens.admin!
  await gqlOk(admin, `mutation($o: JSON!) { create(object: $o) { revision } }`, {
    o: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'viewer-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'viewer' }],
    },
  })
  await gqlOk(admin, `mutation($m: String!) { apply(manifest: $m) { revision } }`, { m: configMap('soak-target', 'v') })
  // A log long enough for a range read to matter.
  for (let i = 0; i < 20; i++) {
    const documents = Array.from({ length: 50 }, (_, j) => configMap(`history-${i}-${j}`, String(j))).join('---\n')
    await gqlOk(admin, `mutation($m: String!) { apply(manifest: $m) { revision } }`, { m: documents })
  }
}, 120_000)

afterAll(() => server?.stop())

const configMap = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: default}\ndata: {k: "${value}"}\n`

interface Answer {
  status: number
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } | undefined
}

async function gql(
  token: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }), ...headers },
    body: JSON.stringify({ query, variables }),
  })
  const text = await response.text()
  let body: Answer['body']
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  return { status: response.status, body }
}

async function gqlOk(token: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const answer = await gql(token, query, variables)
  if (answer.status !== 200 || answer.body?.errors) throw new Error(`GraphQL ${answer.status}: ${JSON.stringify(answer.body?.errors)}`)
  return answer.body!.data
}

/** What any hostile request may get: data, or a client error with a code — never a 5xx or a masked internal error. */
function clientOutcome(answer: Answer, what: string): void {
  expect(answer.status, `${what}: HTTP ${answer.status} ${JSON.stringify(answer.body?.errors?.[0])}`).toBeLessThan(500)
  for (const error of answer.body?.errors ?? []) {
    const code = error.extensions?.code
    expect(typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR', `${what}: ${error.message} (${String(code)})`).toBe(true)
  }
}

/** A client error proper: refused with a 4xx-class code. */
function refused(answer: Answer, what: string): void {
  clientOutcome(answer, what)
  const refusedByHttp = answer.status >= 400
  const refusedInBody = (answer.body?.errors?.length ?? 0) > 0 && !answer.body?.data?.[Object.keys(answer.body?.data ?? {})[0] ?? '']
  expect(refusedByHttp || refusedInBody, `${what} was not refused: ${answer.status}`).toBe(true)
}

let serial = 0
const TYPENAMES = Array.from({ length: 100_000 }, (_, i) => `a${i}: __typename`).join(' ')
const NESTED = `${'{ revision '.repeat(100_000)}${'}'.repeat(100_000)}`

/** One attempt of each attack; each asserts its own outcome. */
const attacks: Record<string, () => Promise<void>> = {
  'token-less 3 MB document': async () => {
    // Unique every time (no cache may answer it), built from one prepared body so that the test's
    // own CPU goes to sending it, not to building it.
    const answer = await gql(undefined, `{ unique${serial++}: __typename ${TYPENAMES} }`)
    expect(answer.status).toBe(401)
    expect(answer.body?.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED'])
  },
  'document nested 100,000 deep': async () => {
    const answer = await gql(admin, NESTED)
    expect(answer.status).toBe(400)
  },
  'JSON-patch copy bomb': async () => {
    const ops = [{ op: 'add', path: '/metadata/annotations', value: { seed: 'x'.repeat(1000) } }]
    for (let i = 0; i < 24; i++) ops.push({ op: 'copy', from: '/metadata/annotations', path: `/metadata/annotations/c${i}` } as never)
    const answer = await gql(
      admin,
      'mutation($p: JSON!) { patch(kind: "ConfigMap", namespace: "default", name: "soak-target", type: JSON, patch: $p, dryRun: true) { revision } }',
      { p: ops },
    )
    refused(answer, 'copy bomb')
    expect(JSON.stringify(answer.body).length).toBeLessThan(4096)
  },
  'malformed strategic-merge patches': async () => {
    for (const patch of [{ $patch: 'bogus' }, { data: { $patch: 'bogus' } }, { metadata: { $setElementOrder: 1 } }]) {
      const answer = await gql(
        admin,
        'mutation($p: JSON!) { patch(kind: "ConfigMap", namespace: "default", name: "soak-target", type: STRATEGIC, patch: $p, dryRun: true) { revision } }',
        { p: patch },
      )
      clientOutcome(answer, `SMP ${JSON.stringify(patch)}`)
    }
  },
  '200 aliases of changes over the whole log, by a caller with no permissions': async () => {
    const fields = Array.from({ length: 200 }, (_, i) => `c${i}: changes(from: { revision: "0" }, to: { revision: "1000" }) { name }`)
    const answer = await gql('nobody-token', `{ ${fields.join(' ')} }`)
    clientOutcome(answer, 'changes storm')
    for (const value of Object.values(answer.body?.data ?? {})) expect(value).toEqual([])
  },
  'a burst of reads past the in-flight limit': async () => {
    const answers = await Promise.all(
      Array.from({ length: 120 }, () =>
        gql('viewer-token', '{ objects(kind: "configmaps", first: 200) { edges { node { metadata { name } } } } }'),
      ),
    )
    for (const answer of answers) {
      clientOutcome(answer, 'burst read')
      expect([200, 429]).toContain(answer.status)
    }
  },
  'a WebSocket frame over the body limit': async () => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws')
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))
    socket.on('error', () => {})
    socket.send(Buffer.alloc(6 * 1024 * 1024, 0x20))
    expect(await closed).not.toBe(1000)
  },
  // Node itself refuses headers past 16 KiB (431); these stay just under, so revkube sees them.
  'anonymous requests with 14 KB headers': async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        gql(undefined, '{ revision { revision } }', undefined, {
          'user-agent': `${i}-${'u'.repeat(7_000)}`,
          'x-request-id': 'r'.repeat(7_000),
        }),
      ),
    )
    for (const answer of answers) expect(answer.status).toBe(401)
  },
  'a write with an unknown field, strictly validated': async () => {
    const answer = await gql(admin, 'mutation($o: JSON!) { create(object: $o, fieldValidation: STRICT, dryRun: true) { revision } }', {
      o: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'typo', namespace: 'default' }, spec: { replica: 3 } },
    })
    refused(answer, 'unknown field')
  },
  'fuzzed documents from the viewer': async () => {
    const fragments = [
      '{',
      '}',
      'query',
      'mutation',
      'objects(kind: "pods")',
      'revision',
      '{ revision { revision } }',
      '...on Pod',
      '$x',
      '(',
      ')',
      '"',
      'changes(from: {revision: "0"}, to: {revision: "5"}) { name }',
      '__schema { types { name } }',
    ]
    const [documents] = fc.sample(
      fc.array(
        fc.array(fc.constantFrom(...fragments), { maxLength: 12 }).map((p) => p.join(' ')),
        { minLength: 10, maxLength: 10 },
      ),
      { numRuns: 1, seed: serial++ },
    )
    for (const query of documents!) clientOutcome(await gql('viewer-token', query), `fuzzed ${JSON.stringify(query)}`)
  },
}

describe('a soak of every attack at once against one running server', () => {
  it(
    `stays live, answers only data or client errors, keeps a gapless log with every acknowledged write, and gives its memory back (${SECONDS} s)`,
    async () => {
      const deadline = Date.now() + SECONDS * 1000
      const acknowledged: Array<{ name: string; revision: number }> = []
      const slowLiveness: string[] = []
      const attempts: Record<string, number> = {}

      const probe = (async () => {
        while (Date.now() < deadline) {
          const started = Date.now()
          try {
            const response = await fetch(`${url}/livez`, { signal: AbortSignal.timeout(1000) })
            if (!response.ok) slowLiveness.push(`HTTP ${response.status}`)
          } catch (error) {
            slowLiveness.push(`${(error as Error).name} after ${Date.now() - started} ms`)
          }
          await new Promise((r) => setTimeout(r, 200))
        }
      })()
      const writer = (async () => {
        for (let i = 0; Date.now() < deadline; i++) {
          const name = `written-${i}`
          const answer = await gql(admin, `mutation($m: String!) { apply(manifest: $m) { revision } }`, { m: configMap(name, String(i)) })
          clientOutcome(answer, 'ordinary write')
          if (answer.status === 200 && !answer.body?.errors)
            acknowledged.push({ name, revision: Number(answer.body!.data.apply[0].revision) })
        }
      })()
      const attackers = Object.entries(attacks).map(async ([name, attack]) => {
        while (Date.now() < deadline) {
          await attack()
          attempts[name] = (attempts[name] ?? 0) + 1
        }
      })
      await Promise.all([probe, writer, ...attackers])

      expect(slowLiveness, '/livez must answer within 1 s throughout').toEqual([])
      for (const name of Object.keys(attacks)) expect(attempts[name] ?? 0, name).toBeGreaterThan(0)
      expect(acknowledged.length).toBeGreaterThan(0)

      // Alive and ready.
      expect((await fetch(`${url}/livez`)).status).toBe(200)
      expect((await fetch(`${url}/readyz`)).status).toBe(200)

      // The log is gapless (revisions 1..head, each once) and holds every acknowledged write.
      const head = Number((await gqlOk(admin, '{ revision { revision } }')).revision.revision)
      const revisions: number[] = []
      for (let after: string | null = null; ; ) {
        const data: any = await gqlOk(
          admin,
          'query($a: String) { log(first: 1000, after: $a) { edges { node { revision name } } pageInfo { hasNextPage endCursor } } }',
          { a: after },
        )
        revisions.push(...data.log.edges.map((e: any) => Number(e.node.revision)))
        if (!data.log.pageInfo.hasNextPage) break
        after = data.log.pageInfo.endCursor
      }
      expect(revisions.length).toBe(head)
      expect(revisions.every((r, i) => r === i + 1)).toBe(true)
      const last = acknowledged.at(-1)!
      const stored = await gqlOk(admin, 'query($n: String!) { object(kind: "ConfigMap", namespace: "default", name: $n) { revision } }', {
        n: last.name,
      })
      expect(Number(stored.object.revision)).toBe(last.revision)
      expect(acknowledged.every((a) => revisions.includes(a.revision))).toBe(true)

      // Memory given back: the heap, once the collector has run, is under the bound.
      await waitFor(
        async () => {
          const heap = sampleValue(await scrape(url), 'nodejs_heap_size_used_bytes') ?? Infinity
          return heap < HEAP_BOUND
        },
        `the heap to fall under ${HEAP_BOUND / 1024 / 1024} MiB`,
        30_000,
      )
    },
    SECONDS * 1000 + 120_000,
  )
})
