import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'
import { backend } from '../support/store.js'
import { subscribe } from '../support/subscription-client.js'
import { waitFor } from '../support/wait.js'

/**
 * Impersonation as kube-apiserver does it: Impersonate-Group, -Uid and -Extra-<key> only with
 * Impersonate-User (400 otherwise, in Kubernetes' words), each needing its own `impersonate`
 * permission (403 otherwise); an impersonated ServiceAccount has its ServiceAccount groups. Over
 * HTTP and WebSocket alike, and refusals are audited with their own status.
 */
let s: SecureServer

beforeAll(async () => {
  s = await startSecureServer({ lead: [] })
  const create = (o: Record<string, unknown>) => s.admin('mutation($o: JSON!) { create(object: $o) { revision } }', { o })
  await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } })
  await create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'user-impersonator' },
    rules: [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'] }],
  })
  await create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'lead-impersonates-users' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'user-impersonator' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'lead' }],
  })
  // Every ServiceAccount of namespace team may view it: bound to their group, not to each account.
  await create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'team-accounts-view', namespace: 'team' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:serviceaccounts:team' }],
  })
  await s.server.projection.waitFor(Number((await s.admin('{ revision { revision } }')).revision.revision))
})

afterAll(async () => s?.close())

/** An operation over HTTP as `token`, with impersonation headers. */
const as = async (token: string, headers: Record<string, string>, query: string) => {
  const response = await fetch(s.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query }),
  })
  const body = (await response.json()) as {
    data?: Record<string, any>
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>
  }
  return { status: response.status, ...body }
}
const refusal = (r: Awaited<ReturnType<typeof as>>) => ({
  status: r.status,
  code: r.errors?.[0]?.extensions?.code,
  message: r.errors?.[0]?.message,
})
const audited = async (message: string) => {
  const entries = (await s.admin('{ audit { outcome status message operation } }')).audit as Array<Record<string, unknown>>
  return entries.filter((e) => e.message === message)
}

const ROBOT = 'system:serviceaccount:team:robot'

describe(`impersonation over HTTP (${backend})`, () => {
  it("refuses Impersonate-Group, -Uid or -Extra without Impersonate-User with 400, in Kubernetes' words", async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'impersonate-group': 'devs' }, 'requested [{Group  devs    }] without impersonating a user'],
      [{ 'impersonate-uid': '1234' }, 'requested [{UID  1234  authentication.k8s.io/v1  }] without impersonating a user'],
      [
        { 'impersonate-extra-scopes': 'view' },
        'requested [{UserExtra  view  authentication.k8s.io/v1  scopes}] without impersonating a user',
      ],
    ]
    for (const [headers, message] of cases) {
      expect(refusal(await as(s.tokens.admin!, headers, '{ whoami { name } }'))).toEqual({ status: 400, code: 'BAD_REQUEST', message })
    }
  })

  it('gives an impersonated ServiceAccount its ServiceAccount groups, and what is bound to them', async () => {
    const robot = await as(s.tokens.admin!, { 'impersonate-user': ROBOT }, '{ whoami { name groups } }')
    expect(robot.data!.whoami).toEqual({
      name: ROBOT,
      groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'],
    })
    expect(
      (await as(s.tokens.admin!, { 'impersonate-user': ROBOT }, '{ objects(kind: "configmaps", namespace: "team") { revision } }')).errors,
    ).toBeUndefined()
    expect(
      refusal(
        await as(s.tokens.admin!, { 'impersonate-user': ROBOT }, '{ objects(kind: "configmaps", namespace: "default") { revision } }'),
      ).code,
    ).toBe('FORBIDDEN')
    // Groups given replace them, as in Kubernetes.
    const withGroups = await as(s.tokens.admin!, { 'impersonate-user': ROBOT, 'impersonate-group': 'devs' }, '{ whoami { groups } }')
    expect(withGroups.data!.whoami.groups).toEqual(['devs', 'system:authenticated'])
  })

  it('impersonates a uid and extra values when allowed, and refuses each with 403 otherwise', async () => {
    const headers = {
      'impersonate-user': 'alice',
      'impersonate-uid': '1234',
      'impersonate-extra-scopes': 'read, write',
      'impersonate-extra-acme.com%2fteam': 'blue',
    }
    expect((await as(s.tokens.admin!, headers, '{ whoami { name uid extra } }')).data!.whoami).toEqual({
      name: 'alice',
      uid: '1234',
      extra: { scopes: ['read', 'write'], 'acme.com/team': ['blue'] },
    })
    const uid =
      'uids.authentication.k8s.io "1234" is forbidden: User "lead" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope'
    expect(refusal(await as(s.tokens.lead!, { 'impersonate-user': 'alice', 'impersonate-uid': '1234' }, '{ whoami { name } }'))).toEqual({
      status: 403,
      code: 'FORBIDDEN',
      message: uid,
    })
    const extra =
      'userextras.authentication.k8s.io "read" is forbidden: User "lead" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope'
    expect(
      refusal(await as(s.tokens.lead!, { 'impersonate-user': 'alice', 'impersonate-extra-scopes': 'read' }, '{ whoami { name } }')),
    ).toEqual({ status: 403, code: 'FORBIDDEN', message: extra })
    expect(await audited(uid)).toContainEqual(expect.objectContaining({ outcome: 'forbidden', status: 403 }))
  })
})

describe(`impersonation over WebSocket (${backend})`, () => {
  const WHOAMI = 'subscription { watch(kind: "configmaps", namespace: "team") { type } }'

  it('acts as the ServiceAccount named in connection_init, with its groups', async () => {
    const sub = subscribe('ws', s.url, '{ whoami { name groups } }', { token: s.tokens.admin!, connectionParams: { user: ROBOT } })
    expect(await sub.ended).toEqual({ how: 'complete' })
    expect(sub.results[0]!.data!.whoami).toEqual({
      name: ROBOT,
      groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'],
    })
  })

  it('closes with 4403 an impersonation the caller may not do, audited as 403', async () => {
    const sub = subscribe('ws', s.url, WHOAMI, { token: s.tokens.lead!, connectionParams: { user: ROBOT } })
    const message =
      'serviceaccounts "robot" is forbidden: User "lead" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "team"'
    const end = await sub.ended
    expect(end).toMatchObject({ how: 'closed', code: 4403 })
    expect(message.startsWith((end as { reason: string }).reason)).toBe(true)
    await waitFor(async () => (await audited(message)).length > 0, 'the audit row')
    expect(await audited(message)).toContainEqual({ outcome: 'forbidden', status: 403, message, operation: 'websocket connection_init' })
  })

  it('closes with 4400 Impersonate-Group without a user on the upgrade request, audited as 400', async () => {
    const sub = subscribe('ws', s.url, WHOAMI, { token: s.tokens.admin!, headers: { 'impersonate-group': 'devs' } })
    const message = 'requested [{Group  devs    }] without impersonating a user'
    expect(await sub.ended).toEqual({ how: 'closed', code: 4400, reason: message })
    await waitFor(async () => (await audited(message)).length > 0, 'the audit row')
    expect(await audited(message)).toContainEqual(expect.objectContaining({ status: 400, operation: 'websocket connection_init' }))
  })

  it('cuts a long refusal to a close reason WebSocket allows (123 bytes), at a character boundary', async () => {
    const name = 'ü'.repeat(80)
    const sub = subscribe('ws', s.url, WHOAMI, { token: s.tokens.lead!, connectionParams: { user: `system:serviceaccount:team:${name}` } })
    const end = await sub.ended
    expect(end).toMatchObject({ how: 'closed', code: 4403 })
    const reason = (end as { reason: string }).reason
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123)
    expect(`serviceaccounts "${name}" is forbidden`.startsWith(reason)).toBe(true)
  })
})
