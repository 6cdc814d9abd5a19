import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixedLimits } from '../../graphql/limits.js'
import { defaultLimits } from '../../services/limits.js'
import { activeSubscriptions } from '../../graphql/subscriptions.graphql.js'
import { startTestServer, type TestServer } from '../support/graphql.js'
import { backend } from '../support/store.js'
import { waitFor } from '../support/wait.js'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

async function post(body: string) {
  const response = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  return { status: response.status, body: (await response.json().catch(() => ({}))) as any }
}

describe(`GraphQL bad input and limits (${backend})`, () => {
  it('answers a malformed query with a parse error, not a 500', async () => {
    const { status, body } = await post(JSON.stringify({ query: '{ objects(kind: "pods" { revision } }' }))
    expect(status).toBeLessThan(500)
    expect(body.errors[0].message).toMatch(/^Syntax Error/)
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED')
  })

  it('answers an unknown field with a validation error', async () => {
    const { body } = await post(JSON.stringify({ query: '{ objects(kind: "pods") { nonsense } }' }))
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED')
  })

  it('refuses queries nested too deep', async () => {
    let selection = 'metadata { name }'
    for (let i = 0; i < 6; i++) selection = `node { pods { ${selection} } }`
    const result = await t.gql(`{ pod(name: "x") { ${selection} } }`)
    expect(result.errors?.[0]?.message).toMatch(new RegExp(`^query depth \\d+ exceeds the limit of ${defaultLimits.queryDepth}$`))
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST')
  })

  it('refuses queries whose estimated cost is too high', async () => {
    const result = await t.gql(
      `{ objects(kind: "pods", first: 10000) { edges { node { ... on Pod { node { pods { node { pods { metadata { name } } } } } } } } } }`,
    )
    expect(result.errors?.[0]?.message).toMatch(/^query cost \d+ exceeds the limit of 2000000/)
  })

  it('refuses a page size over the limit', async () => {
    const result = await t.gql(`{ objects(kind: "pods", first: 10001) { revision } }`)
    expect([result.errors?.[0]?.extensions?.code, result.errors?.[0]?.message]).toEqual([
      'BAD_REQUEST',
      'first must be between 1 and 10000, got 10001',
    ])
  })

  it('refuses a request body over the limit', async () => {
    const manifest = 'x'.repeat(defaultLimits.requestBytes + 10)
    const { status } = await post(
      JSON.stringify({ query: 'mutation($m: String!) { apply(manifest: $m) { kind } }', variables: { m: manifest } }),
    )
    expect(status).toBe(413)
  })

  it('refuses an oversized manifest that fits in the body, writing nothing', async () => {
    const before = (await t.gql('{ revision { revision } }')).data!.revision.revision
    const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: default}\ndata:\n  blob: "${'x'.repeat(3.2 * 1024 * 1024)}"\n`
    const result = await t.gql('mutation($m: String!) { apply(manifest: $m) { kind } }', { m: manifest })
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST')
    expect(result.errors?.[0]?.extensions?.reason).toBe('RequestEntityTooLarge')
    expect((await t.gql('{ revision { revision } }')).data!.revision.revision).toBe(before)
  })

  it(`refuses more than ${fixedLimits.subscriptionsPerConnection} subscriptions on one WebSocket`, async () => {
    const client = t.ws()
    const errors: unknown[] = []
    for (let i = 0; i <= fixedLimits.subscriptionsPerConnection; i++) {
      client.subscribe(
        { query: 'subscription { watch(kind: "pods") { type } }' },
        { next: () => undefined, error: (e) => errors.push(e), complete: () => undefined },
      )
    }
    await waitFor(() => errors.length === 1, 'the extra subscription to be refused')
    expect(JSON.stringify(errors[0])).toContain(
      `this connection already holds ${fixedLimits.subscriptionsPerConnection} subscriptions, the limit`,
    )
    await client.dispose()
    await waitFor(() => activeSubscriptions() === 0, 'the subscriptions to be released')
  })
})
