import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { MAX_DOCUMENT_NESTING } from '../../graphql/document-limits.js'
import { MAX_VALUE_DEPTH } from '../../graphql/limits.js'
import { defaultLimits } from '../../services/limits.js'
import { whileLive } from '../support/liveness.js'
import { sampleValue, scrape } from '../support/prometheus-text.js'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'
import { backend } from '../support/store.js'

/**
 * The front door: a request is authenticated from its headers before its document is read,
 * parsed, validated or cached, and every document is bounded (tokens, nesting) before the
 * recursive parser sees it.
 */
let s: SecureServer

beforeAll(async () => {
  s = await startSecureServer({ viewer: [] })
  await s.bind('viewer', 'ClusterRole', 'view')
})

afterAll(async () => s?.close())

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  return { status: response.status, headers: response.headers, body: (await response.json().catch(() => undefined)) as any }
}

describe(`authentication before parsing (${backend})`, () => {
  it('answers a token-less request 401 before parsing it: no syntax or validation errors, no suggestions', async () => {
    const documents = [
      '{ objects(kind: ',
      '{ objcts { metadata { name } } }',
      '{ __schema { types { name } } }',
      'mutation { delete(kind: "Namespace", name: "default") { revision } }',
    ]
    for (const query of documents) {
      for (const authorization of [undefined, 'Bearer not-a-token']) {
        const answer = await post(JSON.stringify({ query }), authorization ? { authorization } : {})
        expect({ query, status: answer.status }).toEqual({ query, status: 401 })
        expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="revkube"')
        expect(answer.body.errors).toHaveLength(1)
        expect(answer.body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'Unauthorized', status: 401 })
        expect(answer.body.data).toBeUndefined()
        expect(JSON.stringify(answer.body)).not.toMatch(/Syntax Error|Did you mean|Cannot query field|objcts/)
      }
    }
  })

  it('answers a token-less request 401 without reading its body, however large or malformed', async () => {
    const huge = `{ ${Array.from({ length: 100_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`
    const bodies = [JSON.stringify({ query: huge }), '{"query": not json at all', JSON.stringify({ query: 'x'.repeat(3 * 1024 * 1024) })]
    const answers = await whileLive(s.server.url, () => Promise.all(bodies.map((body) => post(body))))
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401])
  })

  it('serves the same documents once the token is there', async () => {
    const answer = await s.gql(s.tokens.viewer, '{ objcts { metadata { name } } }')
    expect(answer.errors![0]!.message).toMatch(/Cannot query field "objcts"/)
    expect((await s.gql(s.tokens.viewer, '{ revision { revision } }')).status).toBe(200)
  })

  it('refuses a WebSocket upgrade that carries a bad token in its headers with 401', async () => {
    const refused = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(s.url.replace(/^http/, 'ws'), 'graphql-transport-ws', {
        headers: { authorization: 'Bearer not-a-token' },
      })
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      socket.once('open', () => reject(new Error('the upgrade was accepted')))
      socket.once('error', () => undefined)
    })
    expect(refused).toBe(401)
  })
})

describe(`bounded documents (${backend})`, () => {
  it('refuses a document nested 100,000 levels deep with 400 BAD_REQUEST, not a 500', async () => {
    const selections = `${'{ revision '.repeat(100_000)}${'}'.repeat(100_000)}`
    const lists = `{ objects(kind: ${'['.repeat(100_000)}${']'.repeat(100_000)}) { revision } }`
    for (const query of [selections, lists]) {
      const answer = await whileLive(s.server.url, () => s.gql(s.tokens.viewer, query))
      expect(answer.status).toBe(400)
      expect(answer.errors).toEqual([
        expect.objectContaining({
          message: `the document is nested more than ${MAX_DOCUMENT_NESTING} levels deep, the limit`,
          extensions: expect.objectContaining({ code: 'BAD_REQUEST' }),
        }),
      ])
    }
  })

  it('refuses a document past the token limit with 400 naming the limit', async () => {
    const query = `{ ${Array.from({ length: defaultLimits.documentTokens }, (_, i) => `a${i}: __typename`).join(' ')} }`
    const answer = await s.gql(s.tokens.viewer, query)
    expect(answer.status).toBe(400)
    expect(answer.errors![0]!.message).toBe(
      `the document has more than ${defaultLimits.documentTokens} tokens, the limit: send a smaller document and pass large values as variables`,
    )
    expect(answer.errors![0]!.extensions?.code).toBe('BAD_REQUEST')
  })

  it('answers a chain of a thousand fragments (as many as the token limit allows) without a server error', async () => {
    const fragments = Array.from({ length: 1_100 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} }`).join('\n')
    const answer = await s.gql(s.tokens.viewer, `{ ...F0 }\n${fragments}\nfragment F1100 on Query { revision { revision } }`)
    expect(answer.status).toBeLessThan(500)
    for (const error of answer.errors ?? []) expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR')
  })

  it(`refuses variables nested deeper than ${MAX_VALUE_DEPTH} levels with 400, and takes a manifest as deep as that`, async () => {
    const nest = (levels: number) => {
      let value: unknown = 'leaf'
      for (let i = 0; i < levels; i++) value = { a: value }
      return value
    }
    const mutation = 'mutation($o: JSON!) { create(object: $o, dryRun: true) { revision } }'
    const object = (levels: number) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'deep', namespace: 'default' },
      extra: nest(levels),
    })
    // 100,000 levels: written out by hand, JSON.stringify would overflow the test's own stack.
    const extra = `${'{"a": '.repeat(100_000)}1${'}'.repeat(100_000)}`
    const body = `{"query": ${JSON.stringify(mutation)}, "variables": {"o": {"kind": "ConfigMap", "metadata": {"name": "deep"}, "extra": ${extra}}}}`
    const deep = await whileLive(s.server.url, () => post(body, { authorization: `Bearer ${s.tokens.admin}` }))
    expect(deep.status).toBe(400)
    expect(deep.body.errors[0].message).toBe(`variables may not be nested more than ${MAX_VALUE_DEPTH} levels deep`)
    const fits = await s.gql(s.tokens.admin, mutation, { o: object(MAX_VALUE_DEPTH - 3) })
    expect(fits.errors?.[0]?.message ?? '').not.toMatch(/nested more than/)
  })
})

describe(`operation names in /metrics (${backend})`, () => {
  it('never takes a label value from a token-less request, and reports odd names of authenticated ones as "other"', async () => {
    await post(JSON.stringify({ query: 'query SecretProbe { revision { revision } }', operationName: 'SecretProbe' }))
    await post(JSON.stringify({ query: 'query SecretProbe2 { revision { revision } }' }), { authorization: 'Bearer nope' })
    await s.gql(s.tokens.viewer, `query ${'N'.repeat(65)} { revision { revision } }`)
    await s.gql(s.tokens.viewer, 'query Fine_Name1 { revision { revision } }')
    const families = await scrape(s.server.url)
    const names = new Set(families.get('revkube_graphql_request_duration_seconds')!.samples.map((sample) => sample.labels.operation_name))
    expect([...names].filter((n) => n?.startsWith('SecretProbe'))).toEqual([])
    expect(names).toContain('unauthenticated')
    expect(names).toContain('other')
    expect(names).toContain('Fine_Name1')
    expect(names).not.toContain('N'.repeat(65))
    const unauthenticated = { operation_type: 'unknown', operation_name: 'unauthenticated' }
    expect(sampleValue(families, 'revkube_graphql_request_duration_seconds_count', unauthenticated)).toBeGreaterThanOrEqual(2)
  })
})
