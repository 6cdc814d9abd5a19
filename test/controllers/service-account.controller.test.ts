import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getObject } from '../../projections/cluster-state.js'
import { createServiceAccountController } from '../../services/controllers/service-account.controller.js'
import { backend } from '../support/store.js'
import { startCluster, user, type Cluster } from './cluster-harness.js'

let c: Cluster
beforeAll(async () => {
  c = await startCluster([createServiceAccountController()])
})
afterAll(() => c.stop())

const account = (namespace: string) => getObject(c.projection.state, 'ServiceAccount', namespace, 'default')

// The controller's decisions are specified in service-account.reconcile.test.ts; these cases run
// it: the bootstrap namespaces at start-up, a new namespace and a deleted account as they happen.
describe(`the service account controller, run (${backend})`, () => {
  it('gives every bootstrap namespace its default ServiceAccount', async () => {
    await c.runner.settled()
    for (const namespace of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      expect(account(namespace)).toMatchObject({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } })
    }
    const [created] = await c.t.store.history({ kind: 'ServiceAccount', namespace: 'default', name: 'default' })
    expect(created!.meta.actor).toBe('system:controller:service-account-controller')
  })

  it('creates one in a new namespace, and again when it is deleted', async () => {
    await c.api.create(user, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } })
    await c.runner.settled()
    const first = account('team')
    expect(first).toMatchObject({ metadata: { name: 'default', namespace: 'team' } })
    await c.api.delete(user, 'serviceaccount', 'team', 'default')
    await c.runner.settled()
    expect(account('team')).toMatchObject({ metadata: { name: 'default', namespace: 'team' } })
    expect((account('team')!.metadata as { uid: string }).uid).not.toBe((first!.metadata as { uid: string }).uid)
  })
})
