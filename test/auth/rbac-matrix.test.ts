import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'

/**
 * Who may do what, through every GraphQL path: users bound to Kubernetes' view, edit and admin
 * ClusterRoles and to a custom Role in namespace `team`, trying every verb on the main kinds in
 * `team` and in `other`, through queries, time-travel fields, mutations and subscriptions. The
 * expectations are Kubernetes' documented default roles, written out here independently of the
 * server's own definitions.
 */
const kinds = ['pods', 'deployments', 'services', 'configmaps', 'secrets', 'roles', 'rolebindings'] as const
type Kind = (typeof kinds)[number]
const reads = ['get', 'list', 'getAt', 'listAt', 'history', 'log', 'changes', 'watch'] as const
const writes = ['create', 'patch', 'delete'] as const
type Op = (typeof reads)[number] | (typeof writes)[number]

const workloads: Kind[] = ['pods', 'deployments', 'services', 'configmaps']
/** Kubernetes: view reads workloads (no Secrets, no RBAC); edit reads and writes them and Secrets; admin adds Roles and RoleBindings. */
const grants: Record<string, { read: Kind[]; write: Kind[] }> = {
  viewer: { read: workloads, write: [] },
  editor: { read: [...workloads, 'secrets'], write: [...workloads, 'secrets'] },
  admin1: { read: [...workloads, 'secrets', 'roles', 'rolebindings'], write: [...workloads, 'secrets', 'roles', 'rolebindings'] },
  podreader: { read: ['pods'], write: [] },
  stranger: { read: [], write: [] },
}

function expected(user: string, kind: Kind, op: Op, namespace: string): boolean {
  if (namespace !== 'team') return false
  const g = grants[user]!
  return (reads as readonly string[]).includes(op) ? g.read.includes(kind) : g.write.includes(kind)
}

function manifest(kind: Kind, namespace: string, name: string): Record<string, unknown> {
  const metadata = { name, namespace }
  switch (kind) {
    case 'pods':
      return { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [{ name: 'c', image: 'nginx' }] } }
    case 'deployments':
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata,
        spec: {
          selector: { matchLabels: { app: name } },
          template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
        },
      }
    case 'services':
      return { apiVersion: 'v1', kind: 'Service', metadata, spec: { ports: [{ port: 80 }] } }
    case 'configmaps':
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { a: '1' } }
    case 'secrets':
      return { apiVersion: 'v1', kind: 'Secret', metadata, data: { password: Buffer.from('hunter2').toString('base64') } }
    case 'roles':
      return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules: [] }
    case 'rolebindings':
      return {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'empty' },
        subjects: [],
      }
  }
}

let s: SecureServer
let before: string

beforeAll(async () => {
  s = await startSecureServer({ viewer: [], editor: [], admin1: [], podreader: [], stranger: ['some-team'] })
  const apply = (objects: Record<string, unknown>[]) =>
    s.admin('mutation($m: String!) { apply(manifest: $m) { revision } }', { m: objects.map((o) => JSON.stringify(o)).join('\n---\n') })
  await apply([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } },
  ])
  const bind = (user: string, roleKind: string, role: string) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `${user}-binding`, namespace: 'team' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: role },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
  })
  const fixtures = ['team', 'other'].flatMap((ns) => [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'empty', namespace: ns }, rules: [] },
    ...kinds.map((kind) => manifest(kind, ns, 'fixture')),
  ])
  await apply([
    ...fixtures,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'pod-reader', namespace: 'team' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    },
    bind('viewer', 'ClusterRole', 'view'),
    bind('editor', 'ClusterRole', 'edit'),
    bind('admin1', 'ClusterRole', 'admin'),
    bind('podreader', 'Role', 'pod-reader'),
  ])
  before = (await s.admin('{ revision { revision } }')).revision.revision
  // RBAC is read from the live projection: wait until it has the bindings.
  await s.server.projection.waitFor(Number(before))
})

afterAll(async () => s?.close())

/** Whether the operation was allowed: data came back (and, for filtered reads, something in it), or FORBIDDEN. */
async function attempt(user: string, kind: Kind, op: Op, namespace: string): Promise<boolean> {
  const token = s.tokens[user]!
  const vars = { kind, ns: namespace }
  const run = async (query: string, variables: Record<string, unknown>, pick: (data: any) => boolean) => {
    const result = await s.gql(token, query, variables)
    if (result.errors) {
      expect(result.errors[0]!.extensions?.code, `${user} ${op} ${kind} in ${namespace}: ${result.errors[0]!.message}`).toBe('FORBIDDEN')
      expect(result.errors[0]!.message).toMatch(new RegExp(`User "${user}" cannot \\w+ resource`))
      return false
    }
    return pick(result.data)
  }
  switch (op) {
    case 'get':
      return run(
        'query($kind: String!, $ns: String) { object(kind: $kind, namespace: $ns, name: "fixture") { revision } }',
        vars,
        (d) => d.object !== null,
      )
    case 'list':
      return run(
        'query($kind: String!, $ns: String) { objects(kind: $kind, namespace: $ns) { edges { node { revision } } } }',
        vars,
        (d) => d.objects.edges.length > 0,
      )
    case 'getAt':
      return run(
        'query($kind: String!, $ns: String, $r: Revision) { object(kind: $kind, namespace: $ns, name: "fixture", at: {revision: $r}) { revision } }',
        { ...vars, r: before },
        (d) => d.object !== null,
      )
    case 'listAt':
      return run(
        'query($kind: String!, $ns: String, $r: Revision) { objects(kind: $kind, namespace: $ns, at: {revision: $r}) { edges { node { revision } } } }',
        { ...vars, r: before },
        (d) => d.objects.edges.length > 0,
      )
    case 'history':
      return run(
        'query($kind: String!, $ns: String) { history(kind: $kind, namespace: $ns, name: "fixture") { revision } }',
        vars,
        (d) => d.history.length > 0,
      )
    case 'log':
      return run(
        'query($kind: String!, $ns: String) { log(kind: $kind, namespace: $ns) { edges { node { revision } } } }',
        vars,
        (d) => d.log.edges.length > 0,
      )
    case 'changes':
      return run(
        'query($kind: String!, $ns: String) { changes(from: {revision: "1"}, to: {revision: "' +
          before +
          '"}, kind: $kind, namespace: $ns) { name } }',
        vars,
        (d) => d.changes.length > 0,
      )
    case 'watch':
      return watchAllowed(token, kind, namespace)
    case 'create':
      return run(
        'mutation($o: JSON!, $ns: String) { create(object: $o, namespace: $ns, dryRun: true) { revision } }',
        { o: manifest(kind, namespace, `new-${user}`), ns: namespace },
        () => true,
      )
    case 'patch':
      return run(
        'mutation($kind: String!, $ns: String) { patch(kind: $kind, namespace: $ns, name: "fixture", patch: {metadata: {labels: {touched: "yes"}}}, type: MERGE, dryRun: true) { revision } }',
        vars,
        () => true,
      )
    case 'delete':
      return run(
        'mutation($kind: String!, $ns: String) { delete(kind: $kind, namespace: $ns, name: "fixture", dryRun: true) { revision } }',
        vars,
        () => true,
      )
  }
}

/** A watch over Server-Sent Events: its first result is an ADDED event, or a FORBIDDEN error. */
async function watchAllowed(token: string, kind: string, namespace: string): Promise<boolean> {
  const controller = new AbortController()
  const response = await fetch(s.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: 'subscription($kind: String!, $ns: String) { watch(kind: $kind, namespace: $ns) { type } }',
      variables: { kind, ns: namespace },
    }),
    signal: controller.signal,
  })
  const reader = response.body!.getReader()
  let text = ''
  try {
    while (!/^data: .+$/m.test(text)) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
  } finally {
    controller.abort()
  }
  const result = JSON.parse(/^data: (.+)$/m.exec(text)![1]!) as {
    data?: { watch: { type: string } }
    errors?: Array<{ extensions?: { code?: string } }>
  }
  if (result.errors) {
    expect(result.errors[0]!.extensions?.code).toBe('FORBIDDEN')
    return false
  }
  return result.data?.watch.type === 'ADDED'
}

describe('RBAC on every GraphQL path', () => {
  for (const user of Object.keys(grants)) {
    it(`${user}: allowed exactly where Kubernetes would allow it`, async () => {
      const got: string[] = []
      const want: string[] = []
      for (const namespace of ['team', 'other']) {
        for (const kind of kinds) {
          for (const op of [...reads, ...writes]) {
            const line = `${op} ${kind} in ${namespace}`
            if (await attempt(user, kind, op, namespace)) got.push(line)
            if (expected(user, kind, op, namespace)) want.push(line)
          }
        }
      }
      expect(got).toEqual(want)
    })
  }

  it('says who the caller is, and what it may do', async () => {
    const who = await s.gql(s.tokens.stranger, '{ whoami { name uid groups } }')
    expect(who.data!.whoami).toEqual({ name: 'stranger', uid: 'uid-4', groups: ['some-team', 'system:authenticated'] })
    const can = await s.gql(
      s.tokens.editor,
      '{ a: canI(verb: "create", kind: "secrets", namespace: "team") b: canI(verb: "create", kind: "roles", namespace: "team") }',
    )
    expect(can.data).toEqual({ a: true, b: false })
  })

  it('refuses escalation: nobody grants or binds what they do not hold', async () => {
    const bind = (name: string, roleKind: string, role: string) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: 'team' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: role },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'stranger' }],
    })
    const create = (token: string, object: Record<string, unknown>) =>
      s.gql(token, 'mutation($o: JSON!) { create(object: $o) { revision } }', { o: object })

    const editor = await create(s.tokens.editor!, bind('editor-grants-admin', 'ClusterRole', 'cluster-admin'))
    expect(editor.errors![0]!.message).toBe(
      'rolebindings.rbac.authorization.k8s.io "editor-grants-admin" is forbidden: User "editor" cannot create resource "rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "team"',
    )

    const admin = await create(s.tokens.admin1!, bind('admin-grants-cluster-admin', 'ClusterRole', 'cluster-admin'))
    expect(admin.errors![0]!.extensions?.code).toBe('FORBIDDEN')
    expect(admin.errors![0]!.message).toMatch(
      /^rolebindings\.rbac\.authorization\.k8s\.io "admin-grants-cluster-admin" is forbidden: user "admin1" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held: \{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/,
    )

    const nodes = await create(s.tokens.admin1!, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'node-reader', namespace: 'team' },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }],
    })
    expect(nodes.errors![0]!.message).toContain(
      'is attempting to grant RBAC permissions not currently held: {APIGroups:[""], Resources:["nodes"], Verbs:["get"]}',
    )

    const view = await create(s.tokens.admin1!, bind('admin-grants-view', 'ClusterRole', 'view'))
    expect(view.errors).toBeUndefined()
    const clusterWide = await s.gql(s.tokens.admin1, 'mutation($o: JSON!) { create(object: $o) { revision } }', {
      o: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'x' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [],
      },
    })
    expect(clusterWide.errors![0]!.message).toContain(
      'cannot create resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the cluster scope',
    )

    // The admin may impersonate; the impersonated user's rights apply, and the log names them.
    const impersonated = await fetch(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.tokens.admin}`, 'impersonate-user': 'viewer' },
      body: JSON.stringify({
        query:
          'mutation { create(object: {apiVersion: "v1", kind: "ConfigMap", metadata: {name: "as-viewer", namespace: "team"}}) { revision } }',
      }),
    }).then((r) => r.json() as Promise<{ errors?: Array<{ message: string }> }>)
    expect(impersonated.errors![0]!.message).toContain('User "viewer" cannot create resource "configmaps"')
    const notAllowed = await fetch(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.tokens.editor}`, 'impersonate-user': 'admin' },
      body: JSON.stringify({ query: '{ whoami { name } }' }),
    }).then((r) => r.json() as Promise<{ errors?: Array<{ message: string }> }>)
    expect(notAllowed.errors![0]!.message).toBe(
      'users "admin" is forbidden: User "editor" cannot impersonate resource "users" in API group "" at the cluster scope',
    )
  })

  it('aggregates: a ClusterRole labelled aggregate-to-edit adds its rules to edit, and through edit to admin', async () => {
    const list = (user: string) => s.gql(s.tokens[user], '{ objects(kind: "leases", namespace: "team") { revision } }')
    expect((await list('editor')).errors![0]!.extensions?.code).toBe('FORBIDDEN')
    await s.admin('mutation($o: JSON!) { create(object: $o) { revision } }', {
      o: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'lease-reader', labels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } },
        rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list'] }],
      },
    })
    await s.server.projection.waitFor(Number((await s.admin('{ revision { revision } }')).revision.revision))
    expect((await list('editor')).errors).toBeUndefined()
    expect((await list('admin1')).errors).toBeUndefined()
    expect((await list('viewer')).errors![0]!.extensions?.code).toBe('FORBIDDEN')
  })
})
