import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getObject, listObjects } from '../../projections/cluster-state.js'
import { createGarbageCollector } from '../../services/controllers/garbage-collector.controller.js'
import type { JsonObject } from '../../services/json.js'
import { backend } from '../support/store.js'
import { meta, startCluster, user, type Cluster } from './cluster-harness.js'

let c: Cluster
beforeAll(async () => {
  c = await startCluster([createGarbageCollector()])
  await c.api.create(user, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } })
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
const configMap = (name: string, owners: Owner[] = [], extra: JsonObject = {}, namespace = 'default') =>
  c.api.create(user, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...(owners.length > 0 && { ownerReferences: owners.map(ref) }), ...extra } })
const exists = (name: string, namespace = 'default') => getObject(c.projection.state, 'ConfigMap', namespace, name)
const owners = (name: string) => ((meta(exists(name)!).ownerReferences as JsonObject[] | undefined) ?? []).map((r) => r.name)

describe(`the garbage collector (${backend})`, () => {
  it('deletes the dependents of an owner deleted in the background, and theirs, and nothing else', async () => {
    const owner = await configMap('bg-owner')
    const a = await configMap('bg-a', [{ object: owner }])
    await c.api.create(user, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bg-b', namespace: 'default', ownerReferences: [ref({ object: owner })] } })
    await configMap('bg-a-child', [{ object: a }])
    await configMap('bg-bystander')
    await c.api.delete(user, 'cm', 'default', 'bg-owner')
    await c.runner.settled()
    expect(['bg-owner', 'bg-a', 'bg-a-child'].map((n) => exists(n))).toEqual([undefined, undefined, undefined])
    expect(getObject(c.projection.state, 'Secret', 'default', 'bg-b')).toBeUndefined()
    expect(exists('bg-bystander')).toBeDefined()
    const [, deleted] = await c.t.store.history({ kind: 'ConfigMap', namespace: 'default', name: 'bg-a' })
    expect(deleted!.meta).toMatchObject({ actor: 'system:controller:garbagecollector', propagationPolicy: 'Background' })
  })

  it('keeps a foreground-deleted owner until its blocking dependents are gone, deleting them first', async () => {
    const owner = await configMap('fg-owner')
    await configMap('fg-held', [{ object: owner, block: true }], { finalizers: ['example.com/hold'] })
    await configMap('fg-free', [{ object: owner, block: false }])
    const mid = await configMap('fg-mid', [{ object: owner, block: true }])
    await configMap('fg-mid-child', [{ object: mid, block: true }])
    await c.api.delete(user, 'cm', 'default', 'fg-owner', { propagationPolicy: 'Foreground' })
    await c.runner.settled()
    expect(meta(exists('fg-owner')!)).toMatchObject({ finalizers: ['foregroundDeletion'] })
    expect(meta(exists('fg-owner')!).deletionTimestamp).toBeDefined()
    expect(meta(exists('fg-held')!).deletionTimestamp).toBeDefined()
    expect(['fg-free', 'fg-mid', 'fg-mid-child'].map((n) => exists(n))).toEqual([undefined, undefined, undefined])
    // A dependent with dependents of its own went in the foreground too.
    const midHistory = await c.t.store.history({ kind: 'ConfigMap', namespace: 'default', name: 'fg-mid' })
    expect(midHistory.map((e) => [e.type, e.meta.propagationPolicy])).toEqual([
      ['Created', undefined],
      ['DeletionRequested', 'Foreground'],
      ['Deleted', undefined],
    ])

    await c.api.patch(user, 'cm', 'default', 'fg-held', { metadata: { finalizers: [] } }, 'merge')
    await c.runner.settled()
    expect(exists('fg-held')).toBeUndefined()
    expect(exists('fg-owner')).toBeUndefined()
  })

  it('strips the owner from its dependents when it is deleted with orphaning, and keeps them', async () => {
    const owner = await configMap('or-owner')
    const other = await configMap('or-other')
    await configMap('or-a', [{ object: owner, block: true }])
    await configMap('or-b', [{ object: owner }, { object: other }])
    await c.api.delete(user, 'cm', 'default', 'or-owner', { propagationPolicy: 'Orphan' })
    await c.runner.settled()
    expect(exists('or-owner')).toBeUndefined()
    expect(meta(exists('or-a')!).ownerReferences).toBeUndefined()
    expect(owners('or-b')).toEqual(['or-other'])
  })

  it('only removes the reference to a vanished owner while another owner lives', async () => {
    const first = await configMap('two-first')
    const second = await configMap('two-second')
    await configMap('two-dependent', [{ object: first }, { object: second }])
    await c.api.delete(user, 'cm', 'default', 'two-first')
    await c.runner.settled()
    expect(owners('two-dependent')).toEqual(['two-second'])
  })

  it('treats a reference to an owner in another namespace as absent and says so once', async () => {
    const owner = await configMap('ns-owner')
    await configMap('ns-dependent', [{ object: owner }], {}, 'elsewhere')
    await c.api.create(user, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cluster-dependent', ownerReferences: [ref({ object: owner })] }, rules: [] })
    await c.runner.settled()
    expect(exists('ns-dependent', 'elsewhere')).toBeUndefined()
    const events = (ns: string) => listObjects(c.projection.state, 'Event', ns).filter((e) => e.reason === 'OwnerRefInvalidNamespace')
    expect(events('elsewhere').map((e) => [e.type, e.message])).toEqual([
      ['Warning', `ownerRef [v1/ConfigMap, namespace: elsewhere, name: ns-owner, uid: ${String(meta(owner).uid)}] does not exist in namespace "elsewhere"`],
    ])
    // A cluster-scoped object cannot have a namespaced owner: reported, and never collected.
    expect(getObject(c.projection.state, 'ClusterRole', '', 'cluster-dependent')).toBeDefined()
    await c.api.patch(user, 'clusterrole', undefined, 'cluster-dependent', { metadata: { labels: { again: 'yes' } } }, 'merge')
    await c.runner.settled()
    expect(events('default').map((e) => (e.involvedObject as JsonObject).name)).toEqual(['cluster-dependent'])
  })

  it('ends ownerReference cycles, in the foreground and in the background', async () => {
    for (const [prefix, policy] of [['fgc', 'Foreground'], ['bgc', 'Background']] as const) {
      const a = await configMap(`${prefix}-a`)
      const b = await configMap(`${prefix}-b`, [{ object: a, block: true }])
      await c.api.patch(user, 'cm', 'default', `${prefix}-a`, { metadata: { ownerReferences: [ref({ object: b, block: true })] } }, 'merge')
      await c.runner.settled()
      expect([exists(`${prefix}-a`), exists(`${prefix}-b`)].every(Boolean)).toBe(true)
      await c.api.delete(user, 'cm', 'default', `${prefix}-a`, { propagationPolicy: policy })
      await c.runner.settled()
      expect([exists(`${prefix}-a`), exists(`${prefix}-b`)]).toEqual([undefined, undefined])
    }
    // In the foreground, b (owned by a, owning a) had its references unblocked before its own foreground deletion.
    const b = await c.t.store.history({ kind: 'ConfigMap', namespace: 'default', name: 'fgc-b' })
    expect(b.map((e) => [e.type, e.meta.reason ?? e.meta.propagationPolicy])).toEqual([
      ['Created', undefined],
      ['Updated', 'unblock ownerReferences in a cycle'],
      ['DeletionRequested', 'Foreground'],
      ['Deleted', 'remove foregroundDeletion finalizer'],
    ])
  })

  it('removes a leaked Service address reservation after a minute, and leaves held ones', async () => {
    await c.api.create(user, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IPAddress',
      metadata: { name: '10.96.7.7', labels: { 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' } },
      spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'never-stored' } },
    })
    await c.runner.settled()
    const reservation = () => getObject(c.projection.state, 'IPAddress', '', '10.96.7.7')
    expect(reservation()).toBeDefined()
    c.clock.advance(61_000)
    await c.runner.settled()
    expect(reservation()).toBeUndefined()
    expect(getObject(c.projection.state, 'IPAddress', '', '10.96.0.1')).toBeDefined()
    const warning = listObjects(c.projection.state, 'Event', 'default').find((e) => e.reason === 'IPAddressNotAllocated')
    expect(warning).toMatchObject({ type: 'Warning', message: 'IPAddress 10.96.7.7 appears to have leaked: cleaning up' })
  })
})
