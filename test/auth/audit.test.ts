import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { revkube } from '../support/cli.js'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'

/** "Who tried what": refused requests are kept in an audit table beside the log, and listed with the log's changes. */
let s: SecureServer

beforeAll(async () => {
  s = await startSecureServer({ mallory: [], alice: [] })
  await s.bind('alice', 'ClusterRole', 'edit')
})

afterAll(async () => s?.close())

describe('audit', () => {
  it("records refused requests (401, 403, invalid) with who, from where and why, and lists them with users' changes", async () => {
    await s.gql('wrong-token', '{ revision { revision } }')
    const forbidden = await s.gql(
      s.tokens.mallory,
      'mutation DeleteIt { delete(kind: "ConfigMap", namespace: "default", name: "x") { revision } }',
    )
    expect(forbidden.errors![0]!.extensions?.code).toBe('FORBIDDEN')
    const invalid = await s.gql(
      s.tokens.alice,
      'mutation Bad { create(object: {apiVersion: "v1", kind: "ConfigMap", metadata: {name: "Not_Valid", namespace: "default"}}) { revision } }',
    )
    expect(invalid.errors![0]!.extensions?.code).toBe('INVALID')
    const ok = await s.gql(
      s.tokens.alice,
      'mutation Good { create(object: {apiVersion: "v1", kind: "ConfigMap", metadata: {name: "fine", namespace: "default"}}) { revision } }',
    )
    expect(ok.errors).toBeUndefined()

    const entries = (await s.admin('{ audit { outcome user operation kind name status message sourceAddress userAgent requestId } }'))
      .audit as Array<Record<string, unknown>>
    const byOutcome = (o: string) => entries.filter((e) => e.outcome === o)
    expect(byOutcome('unauthenticated')[0]).toMatchObject({
      user: null,
      status: 401,
      message: 'Unauthorized: invalid bearer token',
      sourceAddress: expect.stringContaining('127.0.0.1'),
    })
    expect(byOutcome('forbidden')[0]).toMatchObject({
      user: 'mallory',
      operation: 'mutation DeleteIt',
      status: 403,
      message: 'configmaps "x" is forbidden: User "mallory" cannot delete resource "configmaps" in API group "" in the namespace "default"',
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    })
    expect(byOutcome('invalid')[0]).toMatchObject({ user: 'alice', operation: 'mutation Bad', status: 422 })
    expect(entries).toContainEqual(
      expect.objectContaining({ outcome: 'allowed', user: 'alice', operation: 'create', kind: 'ConfigMap', name: 'fine' }),
    )
    // Controllers' and the bootstrap's changes are left out unless asked for by name.
    expect(entries.every((e) => !String(e.user ?? '').startsWith('system:'))).toBe(true)
    expect((await s.admin('{ audit(user: "mallory") { outcome } }')).audit).toEqual([{ outcome: 'forbidden' }])

    // Reading the audit is for administrators.
    const denied = await s.gql(s.tokens.alice, '{ audit { outcome } }')
    expect(denied.errors![0]!.message).toBe(
      'requests.audit.revkube.io is forbidden: User "alice" cannot list resource "requests" in API group "audit.revkube.io" at the cluster scope',
    )
  })

  it('revkube audit lists both', async () => {
    const result = await revkube(s.server.url, ['audit', '--user', 'mallory', '--token', s.tokens.admin!])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      /^TIME\s+OUTCOME\s+USER\s+OPERATION\s+OBJECT\s+REVISION\/STATUS\s+COUNT\s+MESSAGE\n\S+Z\s+forbidden\s+mallory\s+mutation DeleteIt\s+403\s+1\s+configmaps "x" is forbidden/,
    )
    const json = await revkube(s.server.url, ['audit', '--since', '-1h', '-o', 'json', '--token', s.tokens.admin!])
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.outcome)).toEqual(expect.arrayContaining(['unauthenticated', 'forbidden', 'invalid', 'allowed']))
  })
})
