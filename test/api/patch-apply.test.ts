import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LAST_APPLIED } from '../../services/api/apply.js'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import { StatusError } from '../../services/errors.js'
import type { JsonObject } from '../../services/json.js'
import { backend, openTestStore, type TestStore } from '../support/store.js'

let t: TestStore
let api: ResourceApi
const bob = { actor: 'bob' }
beforeAll(async () => {
  t = await openTestStore()
  api = new ResourceApi({ store: t.store })
  await bootstrapNamespaces(api)
})
afterAll(() => t.cleanup())

const meta = (o: JsonObject) => o.metadata as JsonObject
const containers = (o: JsonObject) => ((o.spec as JsonObject).template as { spec: { containers: JsonObject[] } }).spec.containers
async function failure(promise: Promise<unknown>): Promise<StatusError> {
  const error = await promise.then(
    () => undefined,
    (e) => e,
  )
  if (!(error instanceof StatusError)) throw new Error(`expected a StatusError, got ${String(error)}`)
  return error
}

const manifest = (image: string, extra = '') => `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
# the web front end
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
${extra}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: nginx
          image: ${image}
          env:
            - {name: MODE, value: prod}
        - name: sidecar
          image: envoy:1.30
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`

describe(`apply (${backend})`, () => {
  it('creates every document of a multi-document manifest in order', async () => {
    const results = await api.apply(bob, manifest('nginx:1.25', '    tier: front'))
    expect(results.map((r) => r.action)).toEqual(['created', 'created', 'created'])
    const web = await api.get('deploy', 'shop', 'web')
    expect(meta(web).labels).toEqual({ app: 'web', tier: 'front' })
    expect(JSON.parse(String((meta(web).annotations as JsonObject)[LAST_APPLIED]))).toMatchObject({
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
    })
  })

  it('changes nothing when the same manifest is applied again', async () => {
    const head = (await t.store.head()).revision
    const results = await api.apply(bob, manifest('nginx:1.25', '    tier: front'))
    expect(results.map((r) => r.action)).toEqual(['unchanged', 'unchanged', 'unchanged'])
    expect((await t.store.head()).revision).toBe(head)
  })

  it('removes what the manifest no longer sets and keeps what others set', async () => {
    await api.updateScale(bob, 'deploy', 'shop', 'web', 5) // someone else scales it
    const results = await api.apply(bob, manifest('nginx:1.26'))
    expect(results.map((r) => r.action)).toEqual(['unchanged', 'configured', 'unchanged'])
    const web = await api.get('deploy', 'shop', 'web')
    expect(meta(web).labels).toEqual({ app: 'web' })
    expect((web.spec as JsonObject).replicas).toBe(5)
    expect(containers(web).map((c) => [c.name, c.image])).toEqual([
      ['nginx', 'nginx:1.26'],
      ['sidecar', 'envoy:1.30'],
    ])
    const events = await t.store.history({ kind: 'Deployment', namespace: 'shop', name: 'web' })
    expect(events.at(-1)!.meta).toMatchObject({ actor: 'bob', verb: 'apply' })
  })

  it('drops a container the manifest no longer lists', async () => {
    const withoutSidecar = manifest('nginx:1.26').replace('        - name: sidecar\n          image: envoy:1.30\n', '')
    await api.apply(bob, withoutSidecar)
    expect(containers(await api.get('deploy', 'shop', 'web')).map((c) => c.name)).toEqual(['nginx'])
  })

  it('reports a bad document and applies the others', async () => {
    const results = await api.apply(
      bob,
      `
apiVersion: v1
kind: ConfigMap
metadata: {name: good, namespace: shop}
data: {a: "1"}
---
apiVersion: v1
kind: Frobnicator
metadata: {name: bad}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: Bad_Name, namespace: shop}
`,
    )
    expect(results.map((r) => r.action)).toEqual(['created', 'failed', 'failed'])
    const messages = results.flatMap((r) => (r.action === 'failed' ? [r.error.message] : []))
    expect(messages[0]).toBe('no matches for kind "Frobnicator" in version "v1"')
    expect(messages[1]).toMatch(/^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/)
  })

  it('refuses malformed YAML as a whole, writing nothing', async () => {
    const head = (await t.store.head()).revision
    const error = await failure(api.apply(bob, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n'))
    expect(error.reason).toBe('BadRequest')
    expect((await t.store.head()).revision).toBe(head)
  })
})

describe(`patch (${backend})`, () => {
  it('applies a JSON merge patch; null removes a key', async () => {
    const patched = await api.patch(bob, 'deploy', 'shop', 'web', { metadata: { labels: { app: 'web', canary: 'true' } } }, 'merge')
    expect(meta(patched).labels).toEqual({ app: 'web', canary: 'true' })
    const removed = await api.patch(bob, 'deploy', 'shop', 'web', { metadata: { labels: { canary: null } } }, 'merge')
    expect(meta(removed).labels).toEqual({ app: 'web' })
  })

  it('applies a JSON patch, and fails a failed test operation without writing', async () => {
    const patched = await api.patch(bob, 'deploy', 'shop', 'web', [{ op: 'replace', path: '/spec/replicas', value: 2 }], 'json')
    expect((patched.spec as JsonObject).replicas).toBe(2)
    const head = (await t.store.head()).revision
    const error = await failure(api.patch(bob, 'deploy', 'shop', 'web', [{ op: 'test', path: '/spec/replicas', value: 9 }], 'json'))
    expect(error.code).toBeGreaterThanOrEqual(400)
    expect((await t.store.head()).revision).toBe(head)
  })

  it('merges containers and env by name in a strategic merge patch', async () => {
    const patched = await api.patch(
      bob,
      'deploy',
      'shop',
      'web',
      { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', env: [{ name: 'DEBUG', value: '1' }] }] } } } },
      'strategic',
    )
    const [nginx] = containers(patched)
    expect(nginx!.image).toBe('nginx:1.27')
    expect((nginx!.env as JsonObject[]).map((e) => e.name).sort()).toEqual(['DEBUG', 'MODE'])
  })

  it('is conditional on a resourceVersion the patch sets', async () => {
    const error = await failure(
      api.patch(bob, 'deploy', 'shop', 'web', { metadata: { resourceVersion: '1' }, spec: { replicas: 7 } }, 'merge'),
    )
    expect(error.reason).toBe('Conflict')
  })

  it('patches only status through the status subresource', async () => {
    const before = await api.get('deploy', 'shop', 'web')
    const patched = await api.patch(bob, 'deploy', 'shop', 'web', { spec: { replicas: 99 }, status: { replicas: 2 } }, 'merge', {
      subresource: 'status',
    })
    expect(patched.status).toEqual({ replicas: 2 })
    expect((patched.spec as JsonObject).replicas).toBe((before.spec as JsonObject).replicas)
  })
})
