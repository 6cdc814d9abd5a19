import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createClient } from 'graphql-ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { issueToken } from '../../services/auth/service-account-tokens.js'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'

/**
 * Bearer tokens on every transport: a request without a valid token is UNAUTHENTICATED over HTTP
 * (401), Server-Sent Events (401) and WebSocket (closed with 4401), and runs nothing.
 */
let s: SecureServer
let saToken: string
let deletedSaToken: string
let expired: string
let foreign: string

beforeAll(async () => {
  s = await startSecureServer({ alice: ['devs'] })
  await s.admin(
    'mutation { apply(manifest: "apiVersion: v1\\nkind: ServiceAccount\\nmetadata: {name: robot, namespace: default}\\n---\\napiVersion: v1\\nkind: ServiceAccount\\nmetadata: {name: gone, namespace: default}\\n") { revision } }',
  )
  await s.bind('system:serviceaccount:default:robot', 'ClusterRole', 'view')
  saToken = (await s.admin('mutation { createToken(serviceAccount: "robot", expirationSeconds: 3600) { token } }')).createToken.token
  deletedSaToken = (await s.admin('mutation { createToken(serviceAccount: "gone") { token } }')).createToken.token
  await s.admin('mutation { delete(kind: "ServiceAccount", namespace: "default", name: "gone") { revision } }')
  await s.server.projection.waitFor(Number((await s.admin('{ revision { revision } }')).revision.revision))
  // Signed with the server's own key (read from its data folder), but expired an hour ago.
  const key = Buffer.from(readFileSync(join(s.dataDir, 'service-account.key'), 'utf8').trim(), 'base64')
  const robot = (await s.admin('{ object(kind: "ServiceAccount", namespace: "default", name: "robot") { metadata { uid } } }')).object
    .metadata.uid
  expired = issueToken(key, {
    namespace: 'default',
    name: 'robot',
    uid: robot,
    expirationSeconds: 600,
    now: new Date(Date.now() - 3_600_000),
  }).token
  foreign = issueToken(randomBytes(32), { namespace: 'default', name: 'robot', uid: robot }).token
})

afterAll(async () => s?.close())

const bad = () => ({
  missing: undefined,
  malformed: 'not a token at all',
  unknown: 'some-random-token',
  expired,
  'signed with another key': foreign,
  'for a deleted ServiceAccount': deletedSaToken,
})

describe('authentication', () => {
  it('accepts the admin token, static tokens and ServiceAccount tokens, and names the user', async () => {
    expect((await s.gql(s.tokens.admin, '{ whoami { name groups } }')).data!.whoami).toEqual({
      name: 'admin',
      groups: ['system:masters', 'system:authenticated'],
    })
    expect((await s.gql(s.tokens.alice, '{ whoami { name groups } }')).data!.whoami).toEqual({
      name: 'alice',
      groups: ['devs', 'system:authenticated'],
    })
    expect((await s.gql(saToken, '{ whoami { name groups } }')).data!.whoami).toEqual({
      name: 'system:serviceaccount:default:robot',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    })
    // The robot is bound to view in default: it may list pods there, not Secrets.
    expect((await s.gql(saToken, '{ objects(kind: "pods", namespace: "default") { revision } }')).errors).toBeUndefined()
    expect((await s.gql(saToken, '{ objects(kind: "secrets", namespace: "default") { revision } }')).errors![0]!.message).toBe(
      'secrets is forbidden: User "system:serviceaccount:default:robot" cannot list resource "secrets" in API group "" in the namespace "default"',
    )
  })

  it('records the authenticated user, groups, address and user agent in each event it causes', async () => {
    const created = await s.gql(
      s.tokens.admin,
      'mutation { create(object: {apiVersion: "v1", kind: "ConfigMap", metadata: {name: "audited", namespace: "default"}}) { revision } }',
    )
    const revision = created.data!.create.revision
    const event = (
      await s.gql(
        s.tokens.admin,
        `{ log(from: "${Number(revision) - 1}", to: "${revision}") { edges { node { actor groups requestId meta } } } }`,
      )
    ).data!.log.edges[0].node
    expect(event).toMatchObject({ actor: 'admin', groups: ['system:masters', 'system:authenticated'] })
    expect(event.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(event.meta).toMatchObject({ sourceAddress: expect.stringMatching(/127\.0\.0\.1/), userAgent: expect.any(String) })
  })

  it('refuses missing, malformed, expired, foreign and revoked tokens over HTTP with 401 UNAUTHENTICATED', async () => {
    for (const [what, token] of Object.entries(bad())) {
      const result = await s.gql(token, '{ revision { revision } }')
      expect({ what, status: result.status, code: result.errors?.[0]?.extensions?.code }).toEqual({
        what,
        status: 401,
        code: 'UNAUTHENTICATED',
      })
      expect(result.data ?? null).toBeNull()
    }
    const expiredResult = await s.gql(expired, '{ revision { revision } }')
    expect(expiredResult.errors![0]!.message).toBe('Unauthorized: invalid bearer token: expired')
    const revoked = await s.gql(deletedSaToken, '{ revision { revision } }')
    expect(revoked.errors![0]!.message).toBe('Unauthorized: invalid bearer token: the ServiceAccount default/gone no longer exists')
  })

  it('refuses them over Server-Sent Events', async () => {
    for (const [what, token] of Object.entries(bad())) {
      const response = await fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify({ query: 'subscription { watch(kind: "pods") { type } }' }),
      })
      const body = await response.text()
      expect({ what, status: response.status }).toEqual({ what, status: 401 })
      expect(body).toContain('UNAUTHENTICATED')
    }
  })

  it('refuses them over WebSocket, closing with 4401', async () => {
    for (const [what, token] of Object.entries(bad())) {
      const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
        const client = createClient({
          url: s.url.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          connectionParams: token ? { authorization: `Bearer ${token}` } : {},
          on: { closed: (event) => resolve(event as { code: number; reason: string }) },
        })
        client.subscribe(
          { query: 'subscription { watch(kind: "pods") { type } }' },
          { next: () => undefined, error: () => undefined, complete: () => undefined },
        )
      })
      expect({ what, code: closed.code }).toEqual({ what, code: 4401 })
      expect(closed.reason).toMatch(/^Unauthorized/)
    }
    // And a good token is served.
    const client = createClient({
      url: s.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${s.tokens.admin}` },
    })
    const first = await new Promise<unknown>((resolve, reject) => {
      const dispose = client.subscribe(
        { query: 'subscription { watch(kind: "namespaces") { type } }' },
        {
          next: (value) => {
            dispose()
            resolve(value)
          },
          error: reject,
          complete: () => undefined,
        },
      )
    })
    expect(first).toEqual({ data: { watch: { type: 'ADDED' } } })
    await client.dispose()
  })

  it('keeps /livez, /readyz and /metrics open and everything else closed', async () => {
    const base = s.server.url
    for (const path of ['/livez', '/readyz', '/metrics'])
      expect({ path, status: (await fetch(`${base}${path}`)).status }).toEqual({ path, status: 200 })
    expect((await fetch(`${base}/`)).status).toBe(401)
    expect((await fetch(`${base}/`, { headers: { authorization: `Bearer ${s.tokens.admin}` } })).status).toBe(200)
  })
})
