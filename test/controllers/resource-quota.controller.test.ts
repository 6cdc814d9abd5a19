import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getObject } from '../../projections/cluster-state.js'
import { createResourceQuotaController } from '../../services/controllers/resource-quota.controller.js'
import { freshNamespace } from '../support/namespaces.js'
import { backend } from '../support/store.js'
import { pod, startCluster, user, type Cluster } from './cluster-harness.js'

let c: Cluster
beforeAll(async () => {
  c = await startCluster([createResourceQuotaController()])
})
afterAll(() => c.stop())

// What the controller counts is specified in resource-quota.reconcile.test.ts; these cases run it:
// changes in the namespace bring it back, and it works beside quota admission.
describe(`the resource quota controller, run (${backend})`, () => {
  it('keeps the status current as objects come and go, and as the hard limits change', async () => {
    const ns = await freshNamespace(c.api)
    await c.api.create(user, {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'compute', namespace: ns },
      spec: { hard: { pods: '10', configmaps: '5' } },
    })
    await c.api.create(user, pod('a', { app: 'a' }, { namespace: ns }))
    await c.api.create(user, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns } })
    await c.runner.settled()
    const status = () => getObject(c.projection.state, 'ResourceQuota', ns, 'compute')!.status
    expect(status()).toEqual({ hard: { pods: '10', configmaps: '5' }, used: { pods: '1', configmaps: '1' } })
    await c.api.delete(user, 'cm', ns, 'settings')
    await c.api.patch(user, 'resourcequota', ns, 'compute', { spec: { hard: { pods: '20', configmaps: '5' } } }, 'merge')
    await c.runner.settled()
    expect(status()).toEqual({ hard: { pods: '20', configmaps: '5' }, used: { pods: '1', configmaps: '0' } })
  })
})

describe(`the resource quota controller beside admission (${backend})`, () => {
  it("leaves admission's charges to the recount the admitted objects cause, and admits no more than the quota", async () => {
    await c.api.create(user, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'capped' } })
    await c.api.create(user, {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'pods', namespace: 'capped' },
      spec: { hard: { pods: '2' } },
    })
    await c.runner.settled()
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => c.api.create(user, pod(`p${i}`, { app: 'p' }, { namespace: 'capped' }))),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2)
    await c.runner.settled()
    expect(getObject(c.projection.state, 'ResourceQuota', 'capped', 'pods')!.status).toEqual({ hard: { pods: '2' }, used: { pods: '2' } })
    const charge = (await c.t.store.history({ kind: 'ResourceQuota', namespace: 'capped', name: 'pods' })).find(
      (e) => e.meta.actor === 'system:admission:resourcequota',
    )!
    const controller = createResourceQuotaController()
    expect([...controller.keysFor({ event: charge, previous: undefined }, c.projection.state)]).toEqual([])
  })
})
