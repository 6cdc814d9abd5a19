import { getObject, listObjects, type ClusterView } from '../../projections/cluster-state.js'
import { arrayAt, isObject, objectAt, type JsonObject } from '../json.js'
import type { KubeObject } from '../resources/kind-types.js'
import { registry as builtin, type KindRegistry } from '../resources/registry.js'
import {
  classify,
  type Classified,
  dependentsOf,
  FOREGROUND,
  gcKey,
  gcKeyOf,
  hasFinalizer,
  isDeletingDependents,
  ORPHAN,
  ownerKeys,
  referenceTo,
  splitGcKey,
} from './garbage-collector-owners.js'
import { recordEvent } from '../runtime/events.js'
import { isDeleting, meta, nameOf, namespaceOf, ownerReferences, uidOf, type OwnerReference } from '../runtime/objects.js'
import { repairReservation, RESERVATION_KINDS } from './reservation-repair.js'
import { nothing, type Action, type Controller, type Reconciliation } from '../runtime/controller.js'

const COMPONENT = 'garbage-collector-controller'

/**
 * The garbage collector (K `pkg/controller/garbagecollector/garbagecollector.go`), keyed by
 * `Kind/namespace/name`:
 * - an object none of whose owners exists any more is deleted, in the background (or as its own
 *   orphan/foregroundDeletion finalizer says); with a live owner besides, only the dangling
 *   references are removed;
 * - an owner deleted in the foreground (finalizer foregroundDeletion) has its dependents deleted
 *   (in the foreground themselves when they have dependents), and loses the finalizer once no
 *   dependent with blockOwnerDeletion is left; a dependent that is an owner of an owner in the same
 *   state (a cycle) first has its references unblocked, as upstream does, so cycles end;
 * - an owner deleted with finalizer orphan has its reference stripped from every dependent, then
 *   loses the finalizer;
 * - references that cannot be valid (an owner in another namespace, a namespaced owner of a
 *   cluster-scoped object) count as absent and are reported once with OwnerRefInvalidNamespace.
 * It also repairs leaked Service IP and node port reservations (reservation-repair.ts).
 */
export function createGarbageCollector(registry: KindRegistry = builtin): Controller {
  return {
    name: 'garbagecollector',
    keysFor: (change, state) => {
      const { event, previous } = change
      const keys = new Set<string>()
      const gone = event.type === 'Deleted'
      if (!gone && interesting(event.kind, event.object)) keys.add(gcKey(event.kind, event.namespace, event.name))
      // An owner that went or is going: its dependents look at their references again.
      const object = event.object
      if (gone || isDeleting(object)) for (const dependent of dependentsOf(state, object)) keys.add(gcKeyOf(dependent))
      // A dependent that changed or went: owners deleting in the foreground or orphaning re-count.
      for (const key of [...ownerKeys(state, registry, previous), ...ownerKeys(state, registry, gone ? undefined : object)]) {
        const { kind, namespace, name } = splitGcKey(key)
        const owner = getObject(state, kind, namespace, name)
        if (owner && isDeleting(owner)) keys.add(key)
      }
      if (event.kind === 'Service' && previous) {
        // Reservations the Service gave up, in case their release did not happen.
        const spec = objectAt(previous, 'spec') ?? {}
        if (typeof spec.clusterIP === 'string' && spec.clusterIP !== 'None') keys.add(gcKey('IPAddress', '', spec.clusterIP))
        for (const port of arrayAt(spec, 'ports').filter(isObject))
          if (typeof port.nodePort === 'number') keys.add(gcKey('ServiceNodePort', '', String(port.nodePort)))
      }
      return keys
    },
    allKeys: (state) => {
      const keys: string[] = []
      for (const [kind, byNamespace] of state.objects) {
        for (const names of byNamespace.values()) {
          for (const object of names.values()) if (interesting(kind, object)) keys.push(gcKeyOf(object))
        }
      }
      return keys
    },
    reconcile: (key, state, now) => {
      const { kind, namespace, name } = splitGcKey(key)
      const object = getObject(state, kind, namespace, name)
      if (!object) return nothing
      if (RESERVATION_KINDS.has(kind)) return repairReservation(object, state, now)
      if (isDeleting(object)) {
        if (hasFinalizer(object, ORPHAN)) return orphanDependents(state, object)
        if (hasFinalizer(object, FOREGROUND)) return finishForeground(state, object)
        // Being deleted by someone else's finalizer: a one-way trip, nothing to do until it is gone.
        return nothing
      }
      return collect(state, registry, object, now)
    },
  }
}

/** What the collector looks at: objects with owners, owners deleting with a GC finalizer, and reservations. */
function interesting(kind: string, object: JsonObject): boolean {
  return (
    RESERVATION_KINDS.has(kind) || ownerReferences(object).length > 0 || hasFinalizer(object, ORPHAN) || hasFinalizer(object, FOREGROUND)
  )
}

/** `attemptToDeleteItem` for an object that is not being deleted; the invalid-reference event comes after the write. */
function collect(state: ClusterView, registry: KindRegistry, object: JsonObject, now: Date): Reconciliation {
  if (ownerReferences(object).length === 0) return nothing
  const classified = classify(state, registry, object)
  const actions = decide(state, object, classified)
  if (classified.invalid.length > 0 && !reported(state, object)) actions.push(invalidNamespaceEvent(object, classified.invalid[0]!, now))
  return actions.length > 0 ? { actions } : nothing
}

function decide(state: ClusterView, object: JsonObject, { solid, dangling, waiting, unresolvable }: Classified): Action[] {
  if (unresolvable) return []
  const remove = new Set([...dangling, ...waiting].map((r) => r.uid))
  if (solid.length > 0) {
    if (remove.size === 0) return []
    return [
      withReferences(
        object,
        ownerReferences(object).filter((r) => !remove.has(r.uid)),
        'remove dangling and waiting ownerReferences',
      ),
    ]
  }
  const dependents = dependentsOf(state, object)
  if (waiting.length > 0 && dependents.length > 0) {
    const steps: Action[] = []
    // A dependent of ours deletes its dependents too: a cycle. Unblock our references so it can finish.
    if (dependents.some(isDeletingDependents) && ownerReferences(object).some((r) => r.blockOwnerDeletion)) {
      steps.push(
        withReferences(
          object,
          ownerReferences(object).map((r) => ({ ...r, blockOwnerDeletion: false })),
          'unblock ownerReferences in a cycle',
        ),
      )
    }
    return [...steps, deletion(object, 'Foreground')]
  }
  return [deletion(object, hasFinalizer(object, ORPHAN) ? 'Orphan' : hasFinalizer(object, FOREGROUND) ? 'Foreground' : 'Background')]
}

/** `processDeletingDependentsItem`: the finalizer goes when no dependent blocks the owner any more. */
function finishForeground(state: ClusterView, owner: JsonObject): Reconciliation {
  const blocking = dependentsOf(state, owner).filter((d) => referenceTo(d, owner)?.blockOwnerDeletion === true)
  if (blocking.length > 0) return nothing
  return { actions: [removeFinalizer(owner, FOREGROUND)] }
}

/** `attemptToOrphanWorker`: strip the owner from every dependent, then let the owner go. */
function orphanDependents(state: ClusterView, owner: JsonObject): Reconciliation {
  const strips = dependentsOf(state, owner).map((d) =>
    withReferences(
      d,
      ownerReferences(d).filter((r) => r.uid !== uidOf(owner)),
      `orphaned: ${String(owner.kind)} ${nameOf(owner)} deleted`,
    ),
  )
  return { actions: [...(strips.length > 0 ? [strips] : []), removeFinalizer(owner, ORPHAN)] }
}

function withReferences(object: JsonObject, refs: OwnerReference[], reason: string): Action {
  const metadata: JsonObject = { ...meta(object), ownerReferences: refs }
  if (refs.length === 0) delete metadata.ownerReferences
  return { type: 'update', object: { ...object, metadata }, reason }
}

function deletion(object: JsonObject, propagationPolicy: string): Action {
  return {
    type: 'delete',
    kind: String(object.kind),
    namespace: namespaceOf(object),
    name: nameOf(object),
    options: { propagationPolicy, preconditions: { uid: uidOf(object) } },
  }
}

/** A merge patch of metadata.finalizers, conditional on the resourceVersion it was computed from. */
function removeFinalizer(object: KubeObject, finalizer: string): Action {
  const finalizers = (object.metadata?.finalizers ?? []).filter((f) => f !== finalizer)
  return {
    type: 'patch',
    kind: String(object.kind),
    namespace: namespaceOf(object),
    name: nameOf(object),
    patch: { metadata: { resourceVersion: object.metadata?.resourceVersion, finalizers } },
    patchType: 'merge',
    reason: `remove ${finalizer} finalizer`,
  }
}

/** `reportInvalidNamespaceOwnerRef`: the event, on the dependent. */
function invalidNamespaceEvent(object: JsonObject, ref: OwnerReference, now: Date): Action {
  const namespace = namespaceOf(object)
  const message = `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: ${namespace}, name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ${JSON.stringify(namespace)}`
  return recordEvent(object, { type: 'Warning', reason: 'OwnerRefInvalidNamespace', message, component: COMPONENT }, now)
}

/** Whether the event was recorded already (reconciles repeat; the event should not). */
function reported(state: ClusterView, object: KubeObject): boolean {
  return listObjects(state, 'Event', namespaceOf(object) || 'default').some(
    (e) => e.reason === 'OwnerRefInvalidNamespace' && e.involvedObject?.uid === uidOf(object),
  )
}
