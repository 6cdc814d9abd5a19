import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueToken } from '../../services/auth/service-account-tokens.js'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'
import { backend } from '../support/store.js'
import { subscribe, type ClientSubscription, type SubscriptionTransport } from '../support/subscription-client.js'
import { waitFor } from '../support/wait.js'

/**
 * A subscription lasts only as long as its caller's access: it ends with a last result carrying
 * UNAUTHENTICATED or FORBIDDEN, then completes, once its ServiceAccount is deleted, its token
 * expires, its binding or its permission to impersonate is withdrawn. And the log subscription
 * shows only the entries of kinds and namespaces the caller may watch (get alone is not enough).
 */
let s: SecureServer
const transports: SubscriptionTransport[] = ['sse', 'ws']
const users = Object.fromEntries(
  ['getter', 'watcher', 'both', ...transports.flatMap((t) => [`alice-${t}`, `lead-${t}`, `reader-${t}`])].map((u) => [u, [] as string[]]),
)
const plain = (v: string) => Buffer.from(v).toString('base64')

const create = (object: Record<string, unknown>) => s.admin('mutation($o: JSON!) { create(object: $o) { revision } }', { o: object })
const remove = (kind: string, namespace: string | null, name: string) =>
  s.admin('mutation($k: String!, $ns: String, $n: String!) { delete(kind: $k, namespace: $ns, name: $n) { revision } }', {
    k: kind,
    ns: namespace,
    n: name,
  })
const head = async () => (await s.admin('{ revision { revision } }')).revision.revision as string
const settled = async () => s.server.projection.waitFor(Number(await head()))
const configMap = (namespace: string, name: string) => create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } })
const rbac = (kind: string, metadata: Record<string, unknown>, rest: Record<string, unknown>) =>
  create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata, ...rest })
const roleRef = (kind: string, name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name })
const user = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name })

/** The subscription's last result: its only error's message and code. */
const lastError = (sub: ClientSubscription) => {
  const error = sub.results.at(-1)?.errors?.[0]
  return { message: error?.message, code: error?.extensions?.code }
}

beforeAll(async () => {
  s = await startSecureServer(users)
  await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } })
  const role = (name: string, resource: string, verbs: string[]) =>
    rbac('Role', { name, namespace: 'a' }, { rules: [{ apiGroups: [''], resources: [resource], verbs }] })
  await role('configmap-watcher', 'configmaps', ['get', 'list', 'watch'])
  await role('secret-getter', 'secrets', ['get'])
  await role('secret-watcher', 'secrets', ['watch'])
  await role('secret-get-watch', 'secrets', ['get', 'watch'])
  await rbac('ClusterRole', { name: 'user-impersonator' }, { rules: [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'] }] })
  await s.bind('getter', 'Role', 'secret-getter', 'a')
  await s.bind('getter', 'Role', 'configmap-watcher', 'a')
  await s.bind('watcher', 'Role', 'secret-watcher', 'a')
  await s.bind('watcher', 'Role', 'configmap-watcher', 'a')
  await s.bind('both', 'Role', 'secret-get-watch', 'a')
  for (const t of transports) {
    await s.bind(`alice-${t}`, 'Role', 'configmap-watcher', 'a')
    await s.bind(`reader-${t}`, 'Role', 'configmap-watcher', 'a')
    await rbac(
      'ClusterRoleBinding',
      { name: `lead-${t}-impersonates` },
      { roleRef: roleRef('ClusterRole', 'user-impersonator'), subjects: [user(`lead-${t}`)] },
    )
  }
  await settled()
})

afterAll(async () => s?.close())

describe.each(transports)(`subscriptions end when access ends (%s, ${backend})`, (transport) => {
  it("a ServiceAccount token's log subscription ends with UNAUTHENTICATED once the ServiceAccount is deleted", async () => {
    const account = `robot-${transport}`
    await create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: account, namespace: 'default' } })
    await s.bind(`system:serviceaccount:default:${account}`, 'ClusterRole', 'view')
    const token = (await s.admin(`mutation { createToken(serviceAccount: "${account}") { token } }`)).createToken.token as string
    const sub = subscribe(
      transport,
      s.url,
      'subscription($from: Revision) { log(fromRevision: $from, kind: "ConfigMap", namespace: "default") { name } }',
      {
        token,
        variables: { from: await head() },
      },
    )
    await configMap('default', `before-${transport}`)
    await waitFor(() => sub.results.length === 1, 'the first entry')
    expect(sub.results[0]!.data!.log.name).toBe(`before-${transport}`)

    await remove('ServiceAccount', 'default', account)
    // Written after the deletion: it never reaches the subscription.
    await configMap('default', `after-${transport}`)
    expect(await sub.ended).toEqual({ how: 'complete' })
    expect(lastError(sub)).toEqual({
      code: 'UNAUTHENTICATED',
      message: `Unauthorized: invalid bearer token: the ServiceAccount default/${account} no longer exists`,
    })
    expect(sub.results).toHaveLength(2)
  })

  it("a user's watch ends with FORBIDDEN once their RoleBinding is deleted", async () => {
    const alice = `alice-${transport}`
    const sub = subscribe(
      transport,
      s.url,
      'subscription($from: Revision) { watch(kind: "configmaps", namespace: "a", fromRevision: $from) { type object { metadata { name } } } }',
      {
        token: s.tokens[alice]!,
        variables: { from: await head() },
      },
    )
    await configMap('a', `seen-by-${alice}`)
    await waitFor(() => sub.results.length === 1, 'the first event')
    expect(sub.results[0]!.data!.watch).toEqual({ type: 'ADDED', object: { metadata: { name: `seen-by-${alice}` } } })

    await remove('RoleBinding', 'a', `${alice}-configmap-watcher`)
    await configMap('a', `unseen-by-${alice}`)
    expect(await sub.ended).toEqual({ how: 'complete' })
    expect(lastError(sub)).toEqual({
      code: 'FORBIDDEN',
      message: `configmaps is forbidden: User "${alice}" cannot watch resource "configmaps" in API group "" in the namespace "a"`,
    })
    expect(sub.results).toHaveLength(2)
  })

  it('a subscription ends with UNAUTHENTICATED when its token expires', async () => {
    const account = `short-lived-${transport}`
    await create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: account, namespace: 'default' } })
    await s.bind(`system:serviceaccount:default:${account}`, 'ClusterRole', 'view')
    const uid = (await s.admin(`{ object(kind: "ServiceAccount", namespace: "default", name: "${account}") { metadata { uid } } }`)).object
      .metadata.uid as string
    // Signed with the server's own key (in its data folder), valid for three more seconds at most.
    const key = Buffer.from(readFileSync(join(s.dataDir, 'service-account.key'), 'utf8').trim(), 'base64')
    const { token } = issueToken(key, { namespace: 'default', name: account, uid, expirationSeconds: 3 })
    const sub = subscribe(
      transport,
      s.url,
      'subscription($from: Revision) { watch(kind: "configmaps", namespace: "default", fromRevision: $from) { type } }',
      {
        token,
        variables: { from: await head() },
      },
    )
    await configMap('default', `while-valid-${transport}`)
    await waitFor(() => sub.results.length === 1, 'the first event')
    expect(sub.results[0]!.data).toEqual({ watch: { type: 'ADDED' } })

    expect(await sub.ended).toEqual({ how: 'complete' })
    expect(lastError(sub)).toEqual({ code: 'UNAUTHENTICATED', message: 'Unauthorized: invalid bearer token: expired' })
  })

  it('an impersonating subscription ends with FORBIDDEN once the caller may no longer impersonate', async () => {
    const lead = `lead-${transport}`
    const reader = `reader-${transport}`
    const sub = subscribe(
      transport,
      s.url,
      'subscription($from: Revision) { watch(kind: "configmaps", namespace: "a", fromRevision: $from) { object { metadata { name } } } }',
      {
        token: s.tokens[lead]!,
        variables: { from: await head() },
        ...(transport === 'sse' ? { headers: { 'impersonate-user': reader } } : { connectionParams: { user: reader } }),
      },
    )
    await configMap('a', `seen-as-${reader}`)
    await waitFor(() => sub.results.length === 1, 'the first event')

    await remove('ClusterRoleBinding', null, `${lead}-impersonates`)
    expect(await sub.ended).toEqual({ how: 'complete' })
    expect(lastError(sub)).toEqual({
      code: 'FORBIDDEN',
      message: `users "${reader}" is forbidden: User "${lead}" cannot impersonate resource "users" in API group "" at the cluster scope`,
    })
  })
})

describe.each(transports)(`the log subscription shows what the caller may watch (%s, ${backend})`, (transport) => {
  const LOG = 'subscription($from: Revision) { log(fromRevision: $from) { kind name object { raw } } }'
  let from: string
  let secret: string
  let marker: string

  beforeAll(async () => {
    from = await head()
    secret = `token-${transport}`
    marker = `after-the-secret-${transport}`
    await create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secret, namespace: 'a' }, data: { password: plain('hunter2') } })
    await configMap('a', marker)
  })

  const entries = async (who: string, count: number) => {
    const sub = subscribe(transport, s.url, LOG, { token: s.tokens[who]!, variables: { from } })
    await waitFor(() => sub.results.length >= count, `${count} entries for ${who}`)
    sub.close()
    return sub.results.map((r) => r.data!.log as { kind: string; name: string; object: { raw: { data?: Record<string, string> } } })
  }

  it('leaves out Secrets of a caller who may get them but not watch them', async () => {
    // The ConfigMap comes after the Secret: had the Secret been sent, it would be first.
    expect((await entries('getter', 1)).map((e) => `${e.kind} ${e.name}`)).toEqual([`ConfigMap ${marker}`])
  })

  it('sends Secrets to a caller who may watch them, values redacted unless they may also get them', async () => {
    const [redacted] = await entries('watcher', 2)
    expect(redacted).toMatchObject({ kind: 'Secret', name: secret, object: { raw: { data: { password: '<redacted>' } } } })
    const [shown] = await entries('both', 1)
    expect(shown).toMatchObject({ kind: 'Secret', name: secret, object: { raw: { data: { password: plain('hunter2') } } } })
  })

  it('refuses a log or watch subscription of Secrets in the namespace to a caller who may only get them', async () => {
    for (const query of [
      'subscription { log(kind: "Secret", namespace: "a") { name } }',
      'subscription { watch(kind: "secrets", namespace: "a") { type } }',
    ]) {
      const sub = subscribe(transport, s.url, query, { token: s.tokens.getter! })
      await sub.ended
      expect(lastError(sub)).toEqual({
        code: 'FORBIDDEN',
        message: 'secrets is forbidden: User "getter" cannot watch resource "secrets" in API group "" in the namespace "a"',
      })
    }
  })
})
