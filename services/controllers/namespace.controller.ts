import type { NamespaceCondition } from 'kubernetes-types/core/v1.js'
import { getObject, listObjects, type ClusterView } from '../../projections/cluster-state.js'
import { deepEqual } from '../json.js'
import type { KubeObject } from '../resources/kind-types.js'
import { qualifiedResourceName } from '../resources/kind.js'
import { registry as builtin, type KindRegistry } from '../resources/registry.js'
import { isDeleting, nameOf, withCondition } from '../runtime/objects.js'
import { nothing, type Action, type Controller } from '../runtime/controller.js'

const FINALIZER = 'kubernetes'

/** Kubernetes' namespace deletion conditions, in its order, with the reason and message each has when all is well. */
const CONDITIONS: Array<[type: string, okReason: string, okMessage: string]> = [
  ['NamespaceDeletionDiscoveryFailure', 'ResourcesDiscovered', 'All resources successfully discovered'],
  ['NamespaceDeletionGroupVersionParsingFailure', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
  ['NamespaceDeletionContentFailure', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
  ['NamespaceContentRemaining', 'ContentRemoved', 'All content successfully removed'],
  ['NamespaceFinalizersRemaining', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
]

/**
 * The namespace controller (K `pkg/controller/namespace/deletion/namespaced_resources_deleter.go`):
 * when a namespace is Terminating it deletes every object of every namespaced kind in it
 * (Background propagation, as upstream's deletecollection), reports progress in the status
 * conditions (NamespaceContentRemaining "Some resources are remaining: pods has 2 resource
 * instances", NamespaceFinalizersRemaining, and the three failure conditions as False), and once
 * nothing is left removes `kubernetes` from spec.finalizers, which lets the namespace go.
 */
export function createNamespaceController(registry: KindRegistry = builtin): Controller {
  const namespaced = registry.kinds.filter((k) => k.namespaced)
  const terminating = (state: ClusterView, name: string) => {
    const ns = name ? getObject(state, 'Namespace', '', name) : undefined
    return ns !== undefined && isDeleting(ns)
  }
  return {
    name: 'namespace',
    keysFor: (change, state) => {
      const { event } = change
      if (event.kind === 'Namespace') return [event.name]
      // Content of a terminating namespace changed: look at the namespace again.
      return event.namespace && terminating(state, event.namespace) ? [event.namespace] : []
    },
    allKeys: (state) => listObjects(state, 'Namespace').filter(isDeleting).map(nameOf),
    reconcile: (name, state, now) => {
      const namespace = getObject(state, 'Namespace', '', name)
      if (!namespace || !isDeleting(namespace)) return nothing
      if (!(namespace.spec?.finalizers ?? []).includes(FINALIZER)) return nothing
      const deletes: Action[] = []
      const remaining = new Map<string, number>()
      const finalizers = new Map<string, number>()
      for (const definition of namespaced) {
        const objects: KubeObject[] = listObjects(state, definition.kind, name)
        if (objects.length === 0) continue
        remaining.set(qualifiedResourceName(definition), objects.length)
        for (const object of objects) {
          for (const f of object.metadata?.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1)
          if (isDeleting(object)) continue
          deletes.push({
            type: 'delete',
            kind: definition.kind,
            namespace: name,
            name: nameOf(object),
            options: { propagationPolicy: 'Background', preconditions: { uid: String(object.metadata?.uid) } },
          })
        }
      }
      const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z')
      let conditions: NamespaceCondition[] = namespace.status?.conditions ?? []
      for (const [type, reason, message] of CONDITIONS) {
        conditions = withCondition(conditions, { type, status: 'False', reason, message }, time)
      }
      const summary = (counts: Map<string, number>, each: (what: string, n: number) => string) =>
        [...counts]
          .map(([what, n]) => each(what, n))
          .sort()
          .join(', ')
      if (remaining.size > 0) {
        const message = `Some resources are remaining: ${summary(remaining, (r, n) => `${r} has ${n} resource instances`)}`
        conditions = withCondition(
          conditions,
          { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message },
          time,
        )
      }
      if (finalizers.size > 0) {
        const message = `Some content in the namespace has finalizers remaining: ${summary(finalizers, (f, n) => `${f} in ${n} resource instances`)}`
        conditions = withCondition(
          conditions,
          { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message },
          time,
        )
      }
      const order = (list: NamespaceCondition[]) => CONDITIONS.map(([type]) => list.find((c) => c.type === type)!)
      conditions = order(conditions)
      const actions: Array<Action | Action[]> = []
      if (!deepEqual(namespace.status?.conditions, conditions)) {
        actions.push({
          type: 'patch',
          kind: 'Namespace',
          namespace: '',
          name,
          patch: { status: { conditions } },
          patchType: 'merge',
          subresource: 'status',
        })
      }
      if (deletes.length > 0) actions.push(deletes)
      else if (remaining.size === 0) {
        // Nothing left: finalize, as the namespaces/finalize subresource does.
        const rest = (namespace.spec?.finalizers ?? []).filter((f) => f !== FINALIZER)
        actions.push({
          type: 'patch',
          kind: 'Namespace',
          namespace: '',
          name,
          patch: { spec: { finalizers: rest } },
          patchType: 'merge',
          reason: 'all content removed',
        })
      }
      return actions.length > 0 ? { actions } : nothing
    },
  }
}
