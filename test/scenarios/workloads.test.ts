import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JsonObject } from '../../services/json.js'
import { inCIDR } from '../../services/kubelet/addresses.js'
import { isReady, startTestCluster, type TestCluster } from '../support/cluster.js'
import { backend } from '../support/store.js'

let c: TestCluster
beforeAll(async () => {
  c = await startTestCluster(3)
})
afterAll(() => c.close())

const meta = (o: JsonObject) => o.metadata as JsonObject
const spec = (o: JsonObject) => (o.spec ?? {}) as JsonObject
const status = (o: JsonObject) => (o.status ?? {}) as JsonObject
const apply = (manifest: string) =>
  c.gql('mutation($m: String!) { apply(manifest: $m) { kind metadata { name } revision } }', { m: manifest })
const pods = async (namespace: string, selector: string, at?: number) =>
  (await c.server.api.list('pods', { namespace, labelSelector: selector, ...(at !== undefined && { at }) })).items

const web = (image: string, replicas = 3, namespace = 'shop') => `
apiVersion: v1
kind: Namespace
metadata: {name: ${namespace}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${namespace}}
spec:
  replicas: ${replicas}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: nginx
          image: ${image}
          ports: [{name: http, containerPort: 8080}]
          resources: {requests: {cpu: 100m, memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${namespace}}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
`

describe(`a cluster with controllers, a scheduler and simulated nodes (${backend})`, () => {
  it('runs a Deployment of 3 as 3 Running, Ready pods spread over the nodes, and its Service finds them', async () => {
    await apply(web('nginx:1.25'))
    await c.until(async () => (await pods('shop', 'app=web')).filter(isReady).length === 3, '3 ready pods')
    const running = await pods('shop', 'app=web')
    expect(running.map((p) => status(p).phase)).toEqual(['Running', 'Running', 'Running'])
    expect(new Set(running.map((p) => spec(p).nodeName)).size).toBe(3)
    const nodes = (await c.server.api.list('nodes', {})).items
    expect(new Set(nodes.map((n) => spec(n).podCIDR)).size).toBe(nodes.length)
    for (const pod of running) {
      const node = nodes.find((n) => meta(n).name === spec(pod).nodeName)!
      expect(inCIDR(String(status(pod).podIP), String(spec(node).podCIDR))).toBe(true)
    }
    await c.until(async () => {
      const endpoints = await c.server.store.get({ kind: 'Endpoints', namespace: 'shop', name: 'web' })
      const addresses = ((endpoints?.subsets as JsonObject[] | undefined)?.[0]?.addresses as JsonObject[] | undefined) ?? []
      return addresses.length === 3
    }, 'the endpoints')
    const endpoints = await c.server.api.get('endpoints', 'shop', 'web')
    const subset = (endpoints.subsets as JsonObject[])[0]!
    expect((subset.addresses as JsonObject[]).map((a) => a.ip).sort()).toEqual(running.map((p) => status(p).podIP).sort())
    expect(subset.ports).toEqual([{ name: '', port: 8080, protocol: 'TCP' }].map(({ name, ...rest }) => (name ? { name, ...rest } : rest)))
  })

  it('rolls out an image change within maxSurge and maxUnavailable at every revision, undoes it as a new revision, and explains a deletion', async () => {
    const ready = (image: string) => async () => {
      const all = await pods('outlet', 'app=web')
      return all.length === 3 && all.every((p) => isReady(p) && (spec(p).containers as JsonObject[])[0]!.image === image)
    }
    await apply(web('nginx:1.25', 3, 'outlet'))
    await c.until(ready('nginx:1.25'), '3 ready pods')

    const from = (await c.server.store.head()).revision
    await apply(web('nginx:1.26', 3, 'outlet'))
    await c.until(ready('nginx:1.26'), 'the rollout to finish')
    const to = (await c.server.store.head()).revision
    const podEvents = await c.server.store.events({ after: from, to, kind: 'Pod', namespace: 'outlet', limit: 100_000 })
    const checked = [...new Set(podEvents.map((e) => e.revision))]
    expect(checked.length).toBeGreaterThan(5)
    for (const at of checked) {
      const all = (await pods('outlet', 'app=web', at)).filter((p) => meta(p).deletionTimestamp === undefined)
      expect(all.length, `pods at revision ${at}`).toBeLessThanOrEqual(3 + 1)
      expect(all.filter(isReady).length, `ready pods at revision ${at}`).toBeGreaterThanOrEqual(3 - 1)
    }

    const result = await c.gql('mutation { rolloutUndo(namespace: "outlet", name: "web") { images revision } }')
    expect(result.rolloutUndo.images).toEqual(['nginx:1.25'])
    await c.until(ready('nginx:1.25'), 'the undo to roll out')
    const history = await c.gql('{ rolloutHistory(namespace: "outlet", name: "web") { revision } }')
    expect(history.rolloutHistory.map((r: any) => r.revision)).toEqual([2, 3])

    // Why was a pod deleted? The chain of causes leads back to the user's change.
    const deleted = (await c.server.store.events({ kind: 'Pod', namespace: 'outlet', limit: 100_000 }))
      .filter((e) => e.type === 'Deleted')
      .at(-1)!
    const causes = await c.gql('query($r: Revision!) { causes(revision: $r) { kind type actor } }', { r: String(deleted.revision) })
    const chain = causes.causes.map((e: any) => `${e.kind} ${e.actor}`)
    expect(chain.slice(0, -1).every((link: string) => /^(Pod|ReplicaSet|Deployment) system:/.test(link))).toBe(true)
    expect(chain).toContain('ReplicaSet system:controller:deployment')
    expect(chain.at(-1)).toMatch(/^Deployment tester$/)
  })
})
