import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { revkube } from '../support/cli.js'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'

/**
 * A Secret's past is as guarded as its present: its values show only to callers allowed to get it.
 * A caller who may only list Secrets sees every version redacted (keys kept, values "<redacted>");
 * a viewer, who may not read Secrets at all, does not see them in history, changes or the log.
 */
let s: SecureServer
const plain = (v: string) => Buffer.from(v).toString('base64')

beforeAll(async () => {
  s = await startSecureServer({ lister: [], viewer: [], editor: [] })
  const o = (object: Record<string, unknown>) => s.admin('mutation($o: JSON!) { create(object: $o) { revision } }', { o: object })
  const bind = (user: string, kind: string, role: string) =>
    o({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `${user}-b`, namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role },
      subjects: [{ kind: 'User', name: user }],
    })
  await o({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'secret-lister', namespace: 'default' },
    rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list', 'watch'] }],
  })
  await bind('lister', 'Role', 'secret-lister')
  await bind('viewer', 'ClusterRole', 'view')
  await bind('editor', 'ClusterRole', 'edit')
  await o({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'default' }, data: { password: plain('first-password') } })
  await s.admin(
    'mutation { patch(kind: "Secret", namespace: "default", name: "db", patch: {data: {password: "' +
      plain('second-password') +
      '"}}, type: MERGE) { revision } }',
  )
  await s.admin('mutation { delete(kind: "Secret", namespace: "default", name: "db") { revision } }')
  await s.server.projection.waitFor(Number((await s.admin('{ revision { revision } }')).revision.revision))
})

afterAll(async () => s?.close())

const HISTORY = '{ history(kind: "Secret", namespace: "default", name: "db") { type object { raw } diff } }'
const LOG = '{ log(kind: "Secret", namespace: "default") { edges { node { type object { raw } } } } }'

describe('Secrets in history, changes and the log', () => {
  it('show their values to a caller allowed to get them, even after deletion', async () => {
    const history = (await s.gql(s.tokens.editor, HISTORY)).data!.history
    expect(history.map((v: { type: string }) => v.type)).toEqual(['Created', 'Updated', 'Deleted'])
    expect(history[0].object.raw.data).toEqual({ password: plain('first-password') })
    expect(history[1].object.raw.data).toEqual({ password: plain('second-password') })
  })

  it('redact them for a caller who may only list Secrets: keys kept, values and diffs hidden', async () => {
    const history = await s.gql(s.tokens.lister, HISTORY)
    expect(history.errors).toBeUndefined()
    const text = JSON.stringify(history)
    expect(text).not.toContain(plain('first-password'))
    expect(text).not.toContain(plain('second-password'))
    for (const version of history.data!.history) expect(version.object.raw.data).toEqual({ password: '<redacted>' })
    expect(history.data!.history[1].diff).toEqual([])
    const log = await s.gql(s.tokens.lister, LOG)
    expect(log.data!.log.edges).toHaveLength(3)
    expect(JSON.stringify(log)).not.toMatch(/Zmlyc3Qt|c2Vjb25kLX/)
    const created = (await s.admin('{ history(kind: "Secret", namespace: "default", name: "db") { revision } }')).history[0].revision
    const changes = await s.gql(
      s.tokens.lister,
      '{ changes(from: {revision: "1"}, to: {revision: "' + created + '"}, kind: "Secret", namespace: "default") { type after { raw } } }',
    )
    expect(changes.data!.changes).toEqual([
      { type: 'CREATED', after: { raw: expect.objectContaining({ data: { password: '<redacted>' } }) } },
    ])
  })

  it('keep them from a viewer entirely', async () => {
    const history = await s.gql(s.tokens.viewer, HISTORY)
    expect(history.errors![0]!.message).toBe(
      'secrets "db" is forbidden: User "viewer" cannot get resource "secrets" in API group "" in the namespace "default"',
    )
    expect((await s.gql(s.tokens.viewer, LOG)).data!.log.edges).toEqual([])
    // Up to the revision that created the Secret, the admin sees it CREATED; the viewer sees nothing.
    const created = (await s.admin('{ history(kind: "Secret", namespace: "default", name: "db") { revision } }')).history[0].revision
    const query =
      '{ changes(from: {revision: "1"}, to: {revision: "' + created + '"}, kind: "Secret", namespace: "default") { type name } }'
    expect((await s.admin(query)).changes).toEqual([{ type: 'CREATED', name: 'db' }])
    const changes = await s.gql(s.tokens.viewer, query)
    expect(changes.errors).toBeUndefined()
    expect(changes.data!.changes).toEqual([])
  })

  it('rotate: an administrator re-seals the current Secrets under a new key; every version still reads', async () => {
    await s.admin(
      'mutation { create(object: {apiVersion: "v1", kind: "Secret", metadata: {name: "api", namespace: "default"}, data: {token: "' +
        plain('t0k3n') +
        '"}}) { revision } }',
    )
    const sealedKey = async () => {
      const rows = await sql<{
        object: { $sealed?: { key: string } }
      }>`select object from objects where kind = 'Secret' and name = 'api'`.execute(s.server.store.database.db)
      return rows.rows[0]!.object.$sealed!.key
    }
    const before = await sealedKey()
    const denied = await revkube(s.server.url, ['auth', 'rotate-key', '--token', s.tokens.editor!])
    expect(denied).toMatchObject({
      code: 1,
      stderr:
        'Error from server (Forbidden): encryptionkeys.revkube.io is forbidden: User "editor" cannot update resource "encryptionkeys" in API group "revkube.io" at the cluster scope\n',
    })
    const rotated = await revkube(s.server.url, ['auth', 'rotate-key', '--token', s.tokens.admin!])
    expect(rotated.stdout).toMatch(/^primary key (\S+) \(keys: \S+, \S+\); re-sealed [1-9]\d* objects, 0 already under it\n$/)
    const after = await sealedKey()
    expect(after).not.toBe(before)
    expect(rotated.stdout).toContain(after)
    const read = await s.gql(s.tokens.editor, '{ object(kind: "Secret", namespace: "default", name: "api") { raw } }')
    expect(read.data!.object.raw.data).toEqual({ token: plain('t0k3n') })
    const history = (await s.gql(s.tokens.editor, HISTORY)).data!.history
    expect(history[0].object.raw.data).toEqual({ password: plain('first-password') })
  })
})
