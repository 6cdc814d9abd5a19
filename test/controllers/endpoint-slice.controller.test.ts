import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getObject, listObjects } from '../../projections/cluster-state.js'
import { createEndpointSliceController } from '../../services/controllers/endpoint-slice.controller.js'
import { createGarbageCollector } from '../../services/controllers/garbage-collector.controller.js'
import type { JsonObject } from '../../services/json.js'
import { backend } from '../support/store.js'
import { meta, pod, runPod, startCluster, user, type Cluster } from './cluster-harness.js'

let c: Cluster
beforeAll(async () => {
  // Three endpoints a slice, so that a handful of pods needs several slices.
  c = await startCluster([createEndpointSliceController({ maxEndpointsPerSlice: 3 }), createGarbageCollector()])
})
afterAll(() => c.stop())

const slicesOf = (service: string) =>
  listObjects(c.projection.state, 'EndpointSlice', 'default').filter((s) => (meta(s).labels as JsonObject)['kubernetes.io/service-name'] === service)
const endpointsOf = (service: string) => slicesOf(service).flatMap((s) => s.endpoints as JsonObject[])
const byName = (service: string, name: string) => endpointsOf(service).find((e) => (e.targetRef as JsonObject).name === name)

describe(`the EndpointSlice controller (${backend})`, () => {
  it('spreads the pods of a Service over labelled slices it owns, at most the configured number each', async () => {
    const service = await c.api.create(user, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    })
    for (let i = 1; i <= 7; i++) {
      await c.api.create(user, pod(`web-${i}`, { app: 'web' }, { nodeName: 'node-1', ports: [{ name: 'http', containerPort: 8080 }] }))
      await runPod(c.api, 'default', `web-${i}`, `10.244.0.${i}`, true)
    }
    await c.runner.settled()
    const slices = slicesOf('web')
    expect(slices.map((s) => (s.endpoints as unknown[]).length).sort()).toEqual([1, 3, 3])
    for (const slice of slices) {
      expect(String(meta(slice).name)).toMatch(/^web-[a-z0-9]{5}$/)
      expect(meta(slice).labels).toEqual({
        tier: 'front',
        'kubernetes.io/service-name': 'web',
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      })
      expect(meta(slice).ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: meta(service).uid, controller: true, blockOwnerDeletion: true }])
      expect(slice).toMatchObject({ addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] })
    }
    expect(byName('web', 'web-4')).toEqual({
      addresses: ['10.244.0.4'],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'node-1',
      targetRef: { kind: 'Pod', namespace: 'default', name: 'web-4', uid: meta(getObject(c.projection.state, 'Pod', 'default', 'web-4')!).uid },
    })
  })

  it('reports not-ready and terminating pods through their conditions', async () => {
    await runPod(c.api, 'default', 'web-2', '10.244.0.2', false)
    await c.api.delete(user, 'pod', 'default', 'web-3')
    await c.runner.settled()
    expect(byName('web', 'web-2')!.conditions).toEqual({ ready: false, serving: false, terminating: false })
    expect(byName('web', 'web-3')!.conditions).toEqual({ ready: false, serving: true, terminating: true })
    expect(endpointsOf('web')).toHaveLength(7)
  })

  it('fills the room a removed pod leaves before it makes a new slice', async () => {
    const names = slicesOf('web').map((s) => meta(s).name).sort()
    await c.api.delete(user, 'pod', 'default', 'web-1', { gracePeriodSeconds: 0 })
    await c.api.create(user, pod('web-8', { app: 'web' }, { ports: [{ name: 'http', containerPort: 8080 }] }))
    await runPod(c.api, 'default', 'web-8', '10.244.0.8', true)
    await c.runner.settled()
    expect(slicesOf('web').map((s) => meta(s).name).sort()).toEqual(names)
    expect(byName('web', 'web-8')).toBeDefined()
    expect(byName('web', 'web-1')).toBeUndefined()
  })

  it('writes nothing when nothing differs', async () => {
    const head = (await c.t.store.head()).revision
    await c.api.patch(user, 'pod', 'default', 'web-4', { metadata: { labels: { app: 'web', extra: 'yes' } } }, 'merge')
    await c.api.patch(user, 'svc', 'default', 'web', { metadata: { annotations: { note: 'unchanged slices' } } }, 'merge')
    await c.runner.settled()
    expect((await c.t.store.events({ after: head })).filter((e) => e.kind === 'EndpointSlice')).toEqual([])
  })

  it('keeps one empty placeholder slice for a Service nothing backs', async () => {
    await c.api.create(user, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'lonely', namespace: 'default' }, spec: { selector: { app: 'none' }, ports: [{ port: 80 }] } })
    await c.runner.settled()
    expect(slicesOf('lonely')).toHaveLength(1)
    expect(slicesOf('lonely')[0]).toMatchObject({ endpoints: [], ports: [] })
  })

  it('leaves Services without a selector alone, and the garbage collector takes the slices with their Service', async () => {
    await c.api.create(user, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual', namespace: 'default' }, spec: { ports: [{ port: 80 }] } })
    await c.api.delete(user, 'svc', 'default', 'web')
    await c.runner.settled()
    expect(slicesOf('manual')).toEqual([])
    expect(slicesOf('web')).toEqual([])
  })
})
