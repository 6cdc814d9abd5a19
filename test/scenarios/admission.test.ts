import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JsonObject } from '../../services/json.js'
import { startTestCluster, type TestCluster } from '../support/cluster.js'
import { backend } from '../support/store.js'

let c: TestCluster
beforeAll(async () => {
  c = await startTestCluster(1)
})
afterAll(() => c.close())

const meta = (o: JsonObject) => (o.metadata ?? {}) as JsonObject
const spec = (o: JsonObject) => (o.spec ?? {}) as JsonObject
const apply = (manifest: string) => c.gql('mutation($m: String!) { apply(manifest: $m) { kind } }', { m: manifest })
const pods = async (namespace: string) => (await c.server.api.list('pods', { namespace })).items
const deployment = (name: string, namespace: string, replicas: number) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: nginx, image: nginx}]}
`

describe(`admission on a running cluster (${backend})`, () => {
  it('gives every namespace a default ServiceAccount, the bootstrap ones included', async () => {
    await apply('apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n')
    await c.until(
      async () => (await c.server.api.list('serviceaccounts', { namespace: 'shop' })).items.length === 1,
      'the default ServiceAccount in shop',
    )
    const accounts = (await c.server.api.list('serviceaccounts')).items.map((a) => `${meta(a).namespace}/${meta(a).name}`)
    expect(accounts).toEqual(
      expect.arrayContaining(['default/default', 'kube-system/default', 'kube-public/default', 'kube-node-lease/default', 'shop/default']),
    )
  })

  it('sets LimitRange defaults on the pods a Deployment creates, not on its template', async () => {
    await apply(`
apiVersion: v1
kind: Namespace
metadata: {name: limited}
---
apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: limited}
spec:
  limits: [{type: Container, default: {cpu: 500m, memory: 256Mi}, defaultRequest: {cpu: 100m, memory: 128Mi}}]
---
${deployment('web', 'limited', 2)}`)
    await c.until(async () => (await pods('limited')).length === 2, 'two web pods')
    for (const pod of await pods('limited')) {
      expect((spec(pod).containers as JsonObject[])[0]!.resources).toEqual({
        limits: { cpu: '500m', memory: '256Mi' },
        requests: { cpu: '100m', memory: '128Mi' },
      })
      expect(meta(pod).annotations).toMatchObject({
        'kubernetes.io/limit-ranger':
          'LimitRanger plugin set: cpu, memory request for container nginx; cpu, memory limit for container nginx',
      })
      expect(spec(pod).serviceAccountName).toBe('default')
    }
    const template = spec(spec(await c.server.api.get('deployment', 'limited', 'web')).template as JsonObject)
    expect((template.containers as JsonObject[])[0]!.resources).toEqual({})
  })

  it('holds a Deployment to the pod quota of its namespace, and tells a client why it is refused', async () => {
    await apply(
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: capped}\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: pods, namespace: capped}\nspec: {hard: {pods: "2"}}\n`,
    )
    await apply(deployment('web', 'capped', 4))
    await c.until(async () => (await pods('capped')).length === 2, 'two pods in capped')
    await c.advance(30_000)
    expect(await pods('capped')).toHaveLength(2)
    const quota = await c.server.api.get('resourcequota', 'capped', 'pods')
    expect(quota.status).toEqual({ hard: { pods: '2' }, used: { pods: '2' } })
    await expect(
      apply('apiVersion: v1\nkind: Pod\nmetadata: {name: extra, namespace: capped}\nspec: {containers: [{name: app, image: nginx}]}\n'),
    ).rejects.toThrow('pods "extra" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2')
  })
})
