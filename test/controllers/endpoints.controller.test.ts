import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getObject } from '../../projections/cluster-state.js'
import { createEndpointsController } from '../../services/controllers/endpoints.controller.js'
import type { Endpoints } from 'kubernetes-types/core/v1.js'
import { freshNamespace } from '../support/namespaces.js'
import { backend } from '../support/store.js'
import { pod, runPod, startCluster, user, type Cluster } from './cluster-harness.js'

// The controller's decisions are specified in endpoints.reconcile.test.ts; this case runs it:
// Service and pod changes reach it, and its writes land.

let c: Cluster
beforeAll(async () => {
  c = await startCluster([createEndpointsController()])
})
afterAll(() => c.stop())

const endpoints = (namespace: string, name: string) => getObject(c.projection.state, 'Endpoints', namespace, name)
const ips = (ep: Endpoints | undefined, list: 'addresses' | 'notReadyAddresses') =>
  (ep?.subsets ?? []).flatMap((s) => (s[list] ?? []).map((a) => a.ip)).sort()

describe(`the Endpoints controller, run (${backend})`, () => {
  it('follows the pods of a Service as they become ready and finish, and goes with the Service', async () => {
    const ns = await freshNamespace(c.api)
    await c.api.create(user, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    })
    await c.api.create(user, pod('web-1', { app: 'web' }, { namespace: ns, nodeName: 'node-1' }))
    await c.api.create(user, pod('web-2', { app: 'web' }, { namespace: ns, nodeName: 'node-1' }))
    await runPod(c.api, ns, 'web-1', '10.244.1.10', true)
    await runPod(c.api, ns, 'web-2', '10.244.1.11', false)
    await c.runner.settled()
    expect([ips(endpoints(ns, 'web'), 'addresses'), ips(endpoints(ns, 'web'), 'notReadyAddresses')]).toEqual([
      ['10.244.1.10'],
      ['10.244.1.11'],
    ])
    const [createdBy] = await c.t.store.history({ kind: 'Endpoints', namespace: ns, name: 'web' })
    expect(createdBy!.meta.actor).toBe('system:controller:endpoint')

    await runPod(c.api, ns, 'web-2', '10.244.1.11', true)
    await c.api.patch(user, 'pod', ns, 'web-1', { status: { phase: 'Succeeded' } }, 'merge', { subresource: 'status' })
    await c.runner.settled()
    expect([ips(endpoints(ns, 'web'), 'addresses'), ips(endpoints(ns, 'web'), 'notReadyAddresses')]).toEqual([['10.244.1.11'], []])

    await c.api.delete(user, 'svc', ns, 'web')
    await c.runner.settled()
    expect(endpoints(ns, 'web')).toBeUndefined()
  })
})
