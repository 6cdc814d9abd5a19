import { describe, it } from 'vitest'
import { createGarbageCollector } from '../../services/controllers/garbage-collector.controller.js'
import type { JsonObject } from '../../services/json.js'
import { deleted, patched, ReconcilerSpecification, recorded, secondsFromNow, uidOfGiven, updated } from '../support/given.js'

const given = ReconcilerSpecification.for(createGarbageCollector())

interface Owner {
  object: JsonObject
  block?: boolean
}

const ref = ({ object, block }: Owner) => ({
  apiVersion: 'v1',
  kind: object.kind,
  name: (object.metadata as JsonObject).name,
  uid: uidOfGiven(object),
  ...(block !== undefined && { blockOwnerDeletion: block }),
})

function configMap(name: string, owners: Owner[] = [], metadata: JsonObject = {}, namespace = 'default'): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, ...(owners.length > 0 && { ownerReferences: owners.map(ref) }), ...metadata },
  }
}

/** Being deleted, held by `finalizer` (foregroundDeletion or orphan). */
const deleting = (finalizer: string) => ({ deletionTimestamp: secondsFromNow(-1), finalizers: [finalizer] })
const background = (object: JsonObject) => ({ options: { propagationPolicy: 'Background', preconditions: { uid: uidOfGiven(object) } } })

describe('the garbage collector decides', () => {
  it('to delete, in the background, an object whose only owner is gone', () => {
    const owner = configMap('owner')
    const dependent = configMap('dependent', [{ object: owner }])
    given(dependent)
      .when('ConfigMap/default/dependent')
      .then(deleted('ConfigMap', 'default/dependent', background(dependent)))
    given(owner, dependent).when('ConfigMap/default/dependent').thenNothing()
  })

  it('to take an owner that was replaced by one of another uid for gone', () => {
    const owner = configMap('owner')
    const dependent = configMap('dependent', [{ object: owner }])
    const successor = configMap('owner', [], { uid: 'another-uid' })
    given(successor, dependent).when('ConfigMap/default/dependent').then(deleted('ConfigMap', 'default/dependent'))
  })

  it('only to remove the reference to a vanished owner while another owner lives', () => {
    const first = configMap('first')
    const second = configMap('second')
    given(second, configMap('dependent', [{ object: first }, { object: second }]))
      .when('ConfigMap/default/dependent')
      .then(updated('ConfigMap', 'default/dependent', { metadata: { ownerReferences: [ref({ object: second })] } }))
  })

  it('to delete the dependents of an owner deleted in the foreground: in the background, or in the foreground those with dependents of their own', () => {
    const owner = configMap('owner', [], deleting('foregroundDeletion'))
    const leaf = configMap('leaf', [{ object: owner, block: true }])
    given(owner, leaf)
      .when('ConfigMap/default/leaf')
      .then(deleted('ConfigMap', 'default/leaf', background(leaf)))
    const mid = configMap('mid', [{ object: owner, block: true }])
    given(owner, mid, configMap('mid-child', [{ object: mid, block: true }]))
      .when('ConfigMap/default/mid')
      .then(deleted('ConfigMap', 'default/mid', { options: { propagationPolicy: 'Foreground' } }))
  })

  it('to keep a foreground-deleted owner while a dependent blocks it, and to let it go once none does', () => {
    const owner = configMap('owner', [], deleting('foregroundDeletion'))
    const held = configMap('held', [{ object: owner, block: true }], deleting('example.com/hold'))
    given(owner, held, configMap('free', [{ object: owner, block: false }]))
      .when('ConfigMap/default/owner')
      .thenNothing()
    given(owner, configMap('free', [{ object: owner, block: false }]))
      .when('ConfigMap/default/owner')
      .then(
        patched(
          'ConfigMap',
          'default/owner',
          { metadata: { resourceVersion: '1', finalizers: [] } },
          { patchType: 'merge', reason: 'remove foregroundDeletion finalizer' },
        ),
      )
  })

  it('to strip an owner deleted with orphaning from its dependents, keeping them, then to let it go', () => {
    const owner = configMap('owner', [], deleting('orphan'))
    const other = configMap('other')
    given(owner, other, configMap('a', [{ object: owner, block: true }]), configMap('b', [{ object: owner }, { object: other }]))
      .when('ConfigMap/default/owner')
      .then(
        updated('ConfigMap', 'default/a', { metadata: { ownerReferences: undefined } }),
        updated('ConfigMap', 'default/b', { metadata: { ownerReferences: [ref({ object: other })] } }),
        patched('ConfigMap', 'default/owner', { metadata: { finalizers: [] } }, { reason: 'remove orphan finalizer' }),
      )
  })

  it('to treat a reference to an owner in another namespace as absent, and to say so once', () => {
    const owner = configMap('owner')
    const dependent = configMap('dependent', [{ object: owner }], {}, 'elsewhere')
    const message = `ownerRef [v1/ConfigMap, namespace: elsewhere, name: owner, uid: ${uidOfGiven(owner)}] does not exist in namespace "elsewhere"`
    const when = given(owner, dependent).when('ConfigMap/elsewhere/dependent')
    when.then(deleted('ConfigMap', 'elsewhere/dependent'), recorded('Warning', 'OwnerRefInvalidNamespace', message))
    const reported = when.created('Event')[0]!
    given(owner, dependent, reported).when('ConfigMap/elsewhere/dependent').then(deleted('ConfigMap', 'elsewhere/dependent'))
  })

  it('never to collect a cluster-scoped object with a namespaced owner, but to report it', () => {
    const owner = configMap('owner')
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'cluster-dependent', ownerReferences: [ref({ object: owner })] },
      rules: [],
    }
    given(owner, role)
      .when('ClusterRole//cluster-dependent')
      .then(
        recorded(
          'Warning',
          'OwnerRefInvalidNamespace',
          /^ownerRef \[v1\/ConfigMap, namespace: , name: owner, uid: uid-configmap-owner\] does not exist in namespace ""$/,
        ),
      )
  })

  it('to end an ownerReference cycle: a dependent owning its foreground-deleted owner unblocks its references first', () => {
    const a = configMap('a', [], deleting('foregroundDeletion'))
    const b = configMap('b', [{ object: a, block: true }])
    ;(a.metadata as JsonObject).ownerReferences = [ref({ object: b, block: true })]
    given(a, b)
      .when('ConfigMap/default/b')
      .then(
        updated('ConfigMap', 'default/b', { metadata: { ownerReferences: [{ ...ref({ object: a }), blockOwnerDeletion: false }] } }),
        deleted('ConfigMap', 'default/b', { options: { propagationPolicy: 'Foreground' } }),
      )
  })

  it('to remove a leaked Service address reservation after a minute, with a warning, and to leave held ones', () => {
    const leaked = (age: number) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IPAddress',
      metadata: {
        name: '10.96.7.7',
        creationTimestamp: secondsFromNow(-age),
        labels: { 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' },
      },
      spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'never-stored' } },
    })
    given(leaked(30)).when('IPAddress//10.96.7.7').thenRequeuesAfter(31_000).thenNothing()
    given(leaked(61))
      .when('IPAddress//10.96.7.7')
      .then(
        deleted('IPAddress', '10.96.7.7', { reason: 'leaked reservation' }),
        recorded('Warning', 'IPAddressNotAllocated', 'IPAddress 10.96.7.7 appears to have leaked: cleaning up'),
      )
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { clusterIP: '10.96.7.7', clusterIPs: ['10.96.7.7'], ports: [{ port: 80 }] },
    }
    const held = { ...leaked(600), spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'web' } } }
    given(service, held).when('IPAddress//10.96.7.7').thenNothing()
  })
})
