import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { getObject } from '../../projections/cluster-state.js'
import { timestamp } from '../../services/api/context.js'
import { createGarbageCollector } from '../../services/controllers/garbage-collector.controller.js'
import type { JsonObject } from '../../services/json.js'
import { freshNamespace } from '../support/namespaces.js'
import { backend } from '../support/store.js'
import { meta, startCluster, user, type Cluster } from './cluster-harness.js'

let c: Cluster
beforeAll(async () => {
  c = await startCluster([createGarbageCollector()])
})
afterAll(() => c.stop())

type Owner = { object: JsonObject; block?: boolean }
const ref = ({ object, block }: Owner) => ({
  apiVersion: object.apiVersion,
  kind: object.kind,
  name: meta(object).name,
  uid: meta(object).uid,
  ...(block !== undefined && { blockOwnerDeletion: block }),
})
/** The namespace of the case running: each has its own. */
let ns = 'default'
beforeEach(async () => {
  ns = await freshNamespace(c.api)
})
const configMap = (name: string, owners: Owner[] = [], extra: JsonObject = {}) =>
  c.api.create(user, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, ...(owners.length > 0 && { ownerReferences: owners.map(ref) }), ...extra },
  })
const exists = (name: string) => getObject(c.projection.state, 'ConfigMap', ns, name)

// The collector's decisions are specified in garbage-collector.reconcile.test.ts; these cases run
// it through the API, where a deletion takes several writes (finalizers, foreground chains, cycles)
// and each must come from the collector with the policy it chose.
describe(`the garbage collector, run (${backend})`, () => {
  it('deletes the dependents of an owner deleted in the background, and theirs, and nothing else', async () => {
    const owner = await configMap('bg-owner')
    const a = await configMap('bg-a', [{ object: owner }])
    await c.api.create(user, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bg-b', namespace: ns, ownerReferences: [ref({ object: owner })] },
    })
    await configMap('bg-a-child', [{ object: a }])
    await configMap('bg-bystander')
    await c.api.delete(user, 'cm', ns, 'bg-owner')
    await c.runner.settled()
    expect(['bg-owner', 'bg-a', 'bg-a-child'].map((n) => exists(n))).toEqual([undefined, undefined, undefined])
    expect(getObject(c.projection.state, 'Secret', ns, 'bg-b')).toBeUndefined()
    expect((await c.t.store.history({ kind: 'ConfigMap', namespace: ns, name: 'bg-bystander' })).map((e) => e.type)).toEqual(['Created'])
    const [, deleted] = await c.t.store.history({ kind: 'ConfigMap', namespace: ns, name: 'bg-a' })
    expect(deleted!.meta).toMatchObject({ actor: 'system:controller:garbagecollector', propagationPolicy: 'Background' })
  })

  it('keeps a foreground-deleted owner until its blocking dependents are gone, deleting them first', async () => {
    const owner = await configMap('fg-owner')
    await configMap('fg-held', [{ object: owner, block: true }], { finalizers: ['example.com/hold'] })
    await configMap('fg-free', [{ object: owner, block: false }])
    const mid = await configMap('fg-mid', [{ object: owner, block: true }])
    await configMap('fg-mid-child', [{ object: mid, block: true }])
    await c.api.delete(user, 'cm', ns, 'fg-owner', { propagationPolicy: 'Foreground' })
    await c.runner.settled()
    // Marked for deletion at once (ConfigMaps have no grace period), held by their finalizers.
    expect(exists('fg-owner')?.metadata).toMatchObject({ finalizers: ['foregroundDeletion'], deletionTimestamp: timestamp(c.clock.now()) })
    expect(exists('fg-held')?.metadata).toMatchObject({ finalizers: ['example.com/hold'], deletionTimestamp: timestamp(c.clock.now()) })
    expect(['fg-free', 'fg-mid', 'fg-mid-child'].map((n) => exists(n))).toEqual([undefined, undefined, undefined])
    // A dependent with dependents of its own went in the foreground too.
    const midHistory = await c.t.store.history({ kind: 'ConfigMap', namespace: ns, name: 'fg-mid' })
    expect(midHistory.map((e) => [e.type, e.meta.propagationPolicy])).toEqual([
      ['Created', undefined],
      ['DeletionRequested', 'Foreground'],
      ['Deleted', undefined],
    ])

    await c.api.patch(user, 'cm', ns, 'fg-held', { metadata: { finalizers: [] } }, 'merge')
    await c.runner.settled()
    expect(exists('fg-held')).toBeUndefined()
    expect(exists('fg-owner')).toBeUndefined()
  })

  it('ends ownerReference cycles, in the foreground and in the background', async () => {
    for (const [prefix, policy] of [
      ['fgc', 'Foreground'],
      ['bgc', 'Background'],
    ] as const) {
      const a = await configMap(`${prefix}-a`)
      const b = await configMap(`${prefix}-b`, [{ object: a, block: true }])
      await c.api.patch(user, 'cm', ns, `${prefix}-a`, { metadata: { ownerReferences: [ref({ object: b, block: true })] } }, 'merge')
      await c.runner.settled()
      expect([exists(`${prefix}-a`), exists(`${prefix}-b`)].every(Boolean)).toBe(true)
      await c.api.delete(user, 'cm', ns, `${prefix}-a`, { propagationPolicy: policy })
      await c.runner.settled()
      expect([exists(`${prefix}-a`), exists(`${prefix}-b`)]).toEqual([undefined, undefined])
    }
    // In the foreground, b (owned by a, owning a) had its references unblocked before its own foreground deletion.
    const b = await c.t.store.history({ kind: 'ConfigMap', namespace: ns, name: 'fgc-b' })
    expect(b.map((e) => [e.type, e.meta.reason ?? e.meta.propagationPolicy])).toEqual([
      ['Created', undefined],
      ['Updated', 'unblock ownerReferences in a cycle'],
      ['DeletionRequested', 'Foreground'],
      ['Deleted', 'remove foregroundDeletion finalizer'],
    ])
  })
})
