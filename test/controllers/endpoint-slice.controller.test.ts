import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listObjects } from '../../projections/cluster-state.js'
import { createEndpointSliceController } from '../../services/controllers/endpoint-slice.controller.js'
import { createGarbageCollector } from '../../services/controllers/garbage-collector.controller.js'
import { freshNamespace } from '../support/namespaces.js'
import { backend } from '../support/store.js'
import { pod, runPod, startCluster, user, type Cluster } from './cluster-harness.js'

// The controller's decisions are specified in endpoint-slice.reconcile.test.ts; this case runs it
// with the garbage collector: the API names the slices, pod changes reach it, and the slices go
// with their Service.

let c: Cluster
beforeAll(async () => {
  // Three endpoints a slice, so that a handful of pods needs several slices.
  c = await startCluster([createEndpointSliceController({ maxEndpointsPerSlice: 3 }), createGarbageCollector()])
})
afterAll(() => c.stop())

const slicesOf = (namespace: string, service: string) =>
  listObjects(c.projection.state, 'EndpointSlice', namespace).filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === service)

describe(`the EndpointSlice controller, run (${backend})`, () => {
  it('spreads the pods of a Service over slices the API names, follows a pod going, and the slices go with the Service', async () => {
    const ns = await freshNamespace(c.api)
    await c.api.create(user, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    })
    for (let i = 1; i <= 4; i++) {
      await c.api.create(user, pod(`web-${i}`, { app: 'web' }, { namespace: ns, nodeName: 'node-1' }))
      await runPod(c.api, ns, `web-${i}`, `10.244.0.${i}`, true)
    }
    await c.runner.settled()
    expect(
      slicesOf(ns, 'web')
        .map((s) => s.endpoints.length)
        .sort(),
    ).toEqual([1, 3])
    for (const slice of slicesOf(ns, 'web')) expect(String(slice.metadata?.name)).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/)

    await c.api.delete(user, 'pod', ns, 'web-4', { gracePeriodSeconds: 0 })
    await c.runner.settled()
    expect(
      slicesOf(ns, 'web')
        .flatMap((s) => s.endpoints.map((e) => e.targetRef?.name))
        .sort(),
    ).toEqual(['web-1', 'web-2', 'web-3'])

    await c.api.delete(user, 'svc', ns, 'web')
    await c.runner.settled()
    expect(slicesOf(ns, 'web')).toEqual([])
  })
})
