import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1.js'
import { eventObject, getObject, listObjects, type ClusterView } from '../../projections/cluster-state.js'
import { deepEqual, isObject, type JsonObject } from '../json.js'
import type { KubeObject } from '../resources/kind-types.js'
import { isNothing, labelSelectorFromObject, labelSelectorFromSet, matchesLabels, type LabelSelector } from '../resources/label-selector.js'
import { recordEvent } from '../runtime/events.js'
import {
  asJson,
  condition,
  controllerOf,
  isDeleting,
  isPodActive,
  keyOfObject,
  keysOfKind,
  labelsOf,
  nameOf,
  namespaceOf,
  uidOf,
} from '../runtime/objects.js'
import { claim } from './replica-set-claims.js'
import { BURST_REPLICAS, creationError, podFromTemplate, podNames, slowStartBatches } from './replica-set-pods.js'
import { replicaSetStatus, type ReplicaFailure } from './replica-set-status.js'
import { podsToDelete } from './replica-set-victims.js'
import { keyOf, nothing, splitKey, type Action, type Controller } from '../runtime/controller.js'

export type ReplicatedKind = 'ReplicaSet' | 'ReplicationController'
type Replicated = ReplicaSet | ReplicationController

interface KindAdapter {
  kind: ReplicatedKind
  /** The controller's name in kube-controller-manager, and so its actor. */
  name: string
  /** The event source component. */
  component: string
  /** The pod selector; null when it does not convert. */
  selector(owner: Replicated): LabelSelector | null
}

const isLabelMap = (value: unknown): value is Record<string, string> =>
  isObject(value) && Object.values(value).every((v) => typeof v === 'string')

const adapters: Record<ReplicatedKind, KindAdapter> = {
  ReplicaSet: {
    kind: 'ReplicaSet',
    name: 'replicaset',
    component: 'replicaset-controller',
    selector: (rs) => labelSelectorFromObject(rs.spec?.selector).selector,
  },
  // A ReplicationController selects with a plain label map.
  ReplicationController: {
    kind: 'ReplicationController',
    name: 'replicationcontroller',
    component: 'replication-controller',
    selector: (rc) => {
      const map = rc.spec?.selector
      return isLabelMap(map) ? labelSelectorFromSet(map) : null
    },
  },
}

/**
 * The ReplicaSet controller (or, with 'ReplicationController', the replication controller: the
 * same logic over a map selector), after kubernetes pkg/controller/replicaset: it claims the
 * active pods its selector matches (adopting orphans, releasing pods whose labels stopped
 * matching), creates missing pods from the template in slow-start batches of 1, 2, 4, … (at most
 * 500 per sync), deletes surplus pods in Kubernetes' victim order, records SuccessfulCreate,
 * SuccessfulDelete and FailedCreate events, and writes the status. No expectations: the runner
 * waits for the controller's own writes before it looks again.
 */
export function createReplicaSetController(kind: ReplicatedKind = 'ReplicaSet'): Controller {
  const adapter = adapters[kind]
  const selects = (owner: Replicated, pod: KubeObject) => {
    const selector = adapter.selector(owner)
    return selector !== null && managesPods(selector) && matchesLabels(selector, labelsOf(pod))
  }
  return {
    name: adapter.name,
    keysFor: (change, state) => {
      const { event, previous } = change
      if (event.kind === kind) return [keyOf(event.namespace, event.name)]
      if (event.kind !== 'Pod') return []
      const keys = new Set<string>()
      for (const pod of [previous, eventObject(event)]) {
        if (!pod) continue
        const ref = controllerOf(pod)
        if (ref) {
          if (ref.kind === kind) keys.add(keyOf(event.namespace, ref.name))
          continue
        }
        // An orphan: every owner that might adopt it.
        for (const owner of listObjects(state, kind, event.namespace)) if (selects(owner, pod)) keys.add(keyOfObject(owner))
      }
      return keys
    },
    allKeys: (state) => keysOfKind(state, kind),
    reconcile: (key, state, now) => {
      const { namespace, name } = splitKey(key)
      const owner = getObject(state, kind, namespace, name)
      if (!owner) return nothing
      const selector = adapter.selector(owner)
      if (!selector || !managesPods(selector)) return nothing
      const candidates = listObjects(state, 'Pod', namespace).filter(isPodActive)
      const { owned, actions: claims } = claim(owner, candidates, selector)
      const steps: Array<Action | Action[]> = claims.length > 0 ? [claims] : []
      const failure = isDeleting(owner) ? undefined : manageReplicas(adapter, owner, owned, selector, state, now, steps)
      const { status, availableAt } = replicaSetStatus(owner, owned, now, failure)
      if (!deepEqual(status, owner.status ?? {})) steps.push(statusUpdate(owner, status))
      return availableAt === undefined ? { actions: steps } : { actions: steps, requeueAfterMs: Math.max(1, availableAt - now.getTime()) }
    },
  }
}

/** A selector that selects nothing or everything manages nothing (validation forbids both). */
function managesPods(selector: LabelSelector): boolean {
  return !isNothing(selector) && selector.requirements.length > 0
}

/** `manageReplicas`: creates or deletes pods to reach spec.replicas; returns the failure it foresees. */
function manageReplicas(
  adapter: KindAdapter,
  owner: Replicated,
  owned: Pod[],
  selector: LabelSelector,
  state: ClusterView,
  now: Date,
  steps: Array<Action | Action[]>,
): ReplicaFailure | undefined {
  const replicas = owner.spec?.replicas ?? 1
  const diff = owned.length - replicas
  const event = (reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal') =>
    recordEvent(owner, { type, reason, message, component: adapter.component }, now)

  if (diff < 0) {
    const count = Math.min(-diff, BURST_REPLICAS)
    const template = owner.spec?.template ?? {}
    const pods = podNames(owner, count, state.revision).map((podName) => podFromTemplate(owner, template, podName))
    const problem = matchesLabels(selector, labelsOf(pods[0]!))
      ? creationError(pods[0]!)?.message
      : `pod labels ${JSON.stringify(labelsOf(pods[0]!))} do not match the selector`
    if (problem !== undefined) {
      if (!condition(owner, 'ReplicaFailure')) steps.push(event('FailedCreate', `Error creating: ${problem}`, 'Warning'))
      return { reason: 'FailedCreate', message: problem }
    }
    let offset = 0
    let created: Action[] = []
    for (const size of slowStartBatches(count)) {
      const batch = pods.slice(offset, (offset += size))
      steps.push([...batch.map((pod): Action => ({ type: 'create', object: asJson(pod) })), ...created])
      created = batch.map((pod) => event('SuccessfulCreate', `Created pod: ${nameOf(pod)}`))
    }
    steps.push(created)
  } else if (diff > 0) {
    const victims = podsToDelete(owned, relatedPods(state, owner, adapter), Math.min(diff, BURST_REPLICAS), now)
    steps.push(
      victims.map(
        (pod): Action => ({
          type: 'delete',
          kind: 'Pod',
          namespace: namespaceOf(pod),
          name: nameOf(pod),
          options: { preconditions: { uid: uidOf(pod) } },
        }),
      ),
    )
    steps.push(victims.map((pod) => event('SuccessfulDelete', `Deleted pod: ${nameOf(pod)}`)))
  }
  return undefined
}

/**
 * `getIndirectlyRelatedPods`: the pods selected by this owner and by its siblings (the objects of
 * the same kind with the same controller, such as the ReplicaSets of one Deployment).
 */
function relatedPods(state: ClusterView, owner: Replicated, adapter: KindAdapter): Pod[] {
  const namespace = namespaceOf(owner)
  const controller = controllerOf(owner)
  const siblings = controller ? listObjects(state, adapter.kind, namespace).filter((o) => controllerOf(o)?.uid === controller.uid) : [owner]
  const pods = listObjects(state, 'Pod', namespace)
  const seen = new Map<string, Pod>()
  for (const sibling of siblings) {
    const selector = adapter.selector(sibling)
    if (!selector || !managesPods(selector)) continue
    for (const pod of pods) if (matchesLabels(selector, labelsOf(pod))) seen.set(uidOf(pod), pod)
  }
  return [...seen.values()]
}

/** The status subresource written unconditionally: only this controller writes it. */
function statusUpdate(owner: Replicated, status: JsonObject): Action {
  const { resourceVersion: _, ...metadata } = owner.metadata ?? {}
  const object = { ...owner, metadata, status }
  return { type: 'updateStatus', object: asJson(object) }
}
