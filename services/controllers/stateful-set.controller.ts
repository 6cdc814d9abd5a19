import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js'
import type { PersistentVolumeClaim, Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { eventObject, getObject, ownedBy, type ClusterView } from '../../projections/cluster-state.js'
import { deepEqual, objectAt } from '../json.js'
import { computeHash, planRevision, revisionsOf, truncateHistory } from './controller-revision.js'
import { recordEvent } from '../runtime/events.js'
import { asJson, controllerOf, isDeleting, isPodReady, keysOfKind, nameOf, namespaceOf, uidOf } from '../runtime/objects.js'
import { keyOf, nothing, splitKey, type Action, type Controller, type Reconciliation } from '../runtime/controller.js'
import {
  claimsFor,
  isHealthy,
  isRunningAndAvailable,
  isRunningAndReady,
  newStatefulPod,
  ordinalOf,
  revisionOf,
  startOrdinal,
} from './stateful-set-pods.js'

const COMPONENT = 'statefulset-controller'

/**
 * The StatefulSet controller (kubernetes `pkg/controller/statefulset`): pods `<set>-<ordinal>` with
 * stable identity and a claim per volumeClaimTemplate; OrderedReady creates in order and waits for
 * each pod to be Running and Ready, scales down from the highest ordinal one at a time; Parallel
 * does all at once; RollingUpdate replaces pods from the highest ordinal down to the partition.
 */
export function createStatefulSetController(): Controller {
  return {
    name: 'statefulset',
    keysFor: (change) => {
      const { event, previous } = change
      if (event.kind === 'StatefulSet') return [keyOf(event.namespace, event.name)]
      if (event.kind !== 'Pod' && event.kind !== 'ControllerRevision') return []
      const owner = controllerOf(eventObject(event) ?? previous ?? event.object)
      return owner?.kind === 'StatefulSet' ? [keyOf(event.namespace, owner.name)] : []
    },
    allKeys: (state) => keysOfKind(state, 'StatefulSet'),
    reconcile: (key, state, now) => {
      const { namespace, name } = splitKey(key)
      const set = getObject(state, 'StatefulSet', namespace, name)
      return set && !isDeleting(set) ? syncStatefulSet(set, state, now) : nothing
    },
  }
}

/** The pod template a revision recorded (its data is the patch `templatePatch` made). */
const templateOfRevision = (revision: ControllerRevision): PodTemplateSpec => {
  const { $patch: _, ...template } = objectAt(objectAt(revision.data, 'spec'), 'template') ?? {}
  return template
}

function syncStatefulSet(set: StatefulSet, state: ClusterView, now: Date): Reconciliation {
  const revisions = revisionsOf(state, set)
  const updateTemplate = set.spec?.template ?? {}
  const plan = planRevision(set, revisions, computeHash(updateTemplate, set.status?.collisionCount ?? 0))
  const update = plan.revision
  const current = revisions.find((r) => nameOf(r) === set.status?.currentRevision) ?? update
  const currentTemplate = current === update ? updateTemplate : templateOfRevision(current)

  const pods = ownedBy(state, uidOf(set), 'Pod').filter((p) => controllerOf(p)?.uid === uidOf(set) && ordinalOf(set, p) >= 0)
  const start = startOrdinal(set)
  const count = set.spec?.replicas ?? 1
  const replicas: Array<Pod | undefined> = new Array(count).fill(undefined)
  const condemned: Pod[] = []
  for (const pod of pods) {
    const ordinal = ordinalOf(set, pod)
    if (ordinal >= start && ordinal < start + count) replicas[ordinal - start] = pod
    else condemned.push(pod)
  }
  condemned.sort((a, b) => ordinalOf(set, a) - ordinalOf(set, b))

  const monotonic = set.spec?.podManagementPolicy !== 'Parallel'
  const strategy = set.spec?.updateStrategy ?? {}
  const rolling = strategy.rollingUpdate
  const minReady = set.spec?.minReadySeconds ?? 0
  const ns = namespaceOf(set)
  const event = (reason: string, message: string, type?: 'Warning') =>
    recordEvent(set, { reason, message, component: COMPONENT, ...(type && { type }) }, now)
  const claims: PersistentVolumeClaim[] = []
  const writes: Action[] = []
  const events: Action[] = []
  const deletePod = (pod: Pod) => {
    writes.push({ type: 'delete', kind: 'Pod', namespace: ns, name: nameOf(pod) })
    events.push(event('SuccessfulDelete', `delete Pod ${nameOf(pod)} in StatefulSet ${nameOf(set)} successful`))
  }
  const missingClaims = (ordinal: number, pod: string) =>
    claimsFor(set, ordinal)
      .filter((claim) => !getObject(state, 'PersistentVolumeClaim', ns, nameOf(claim)))
      .map((claim) => {
        events.push(event('SuccessfulCreate', `create Claim ${nameOf(claim)} Pod ${pod} in StatefulSet ${nameOf(set)} success`))
        return claim
      })
  // `newVersionedStatefulSetPod`: ordinals below the partition keep the current revision.
  const keepsCurrent = (ordinal: number) =>
    strategy.type === 'RollingUpdate' && ordinal < start + (rolling ? (rolling.partition ?? 0) : (set.status?.currentReplicas ?? 0))

  let blocked = false
  let waitForAvailable = false
  for (let i = 0; i < count && !blocked; i++) {
    const ordinal = start + i
    const pod = replicas[i]
    const phase = pod?.status?.phase
    if (pod && !isDeleting(pod) && (phase === 'Failed' || phase === 'Succeeded')) {
      const what = phase === 'Failed' ? 'failed' : 'terminated'
      events.push(
        event(
          phase === 'Failed' ? 'RecreatingFailedPod' : 'RecreatingTerminatedPod',
          `StatefulSet ${ns}/${nameOf(set)} is recreating ${what} Pod ${nameOf(pod)}`,
          'Warning',
        ),
      )
      deletePod(pod)
      blocked = monotonic
      continue
    }
    if (!pod) {
      const [template, revision] = keepsCurrent(ordinal) ? [currentTemplate, current] : [updateTemplate, update]
      const created = newStatefulPod(set, template, ordinal, nameOf(revision))
      claims.push(...missingClaims(ordinal, nameOf(created)))
      writes.push({ type: 'create', object: asJson(created) })
      events.push(event('SuccessfulCreate', `create Pod ${nameOf(created)} in StatefulSet ${nameOf(set)} successful`))
      blocked = monotonic
      continue
    }
    if (!isDeleting(pod)) claims.push(...missingClaims(ordinal, nameOf(pod)))
    if (monotonic && (isDeleting(pod) || !isRunningAndReady(pod))) blocked = true
    else if (monotonic && !isRunningAndAvailable(pod, minReady, now)) blocked = waitForAvailable = true
  }

  // Scale down, highest ordinal first; in order, one at a time and only over healthy predecessors.
  const firstUnhealthy = [...replicas, ...condemned].find((p) => p !== undefined && !isHealthy(p))
  for (let target = condemned.length - 1; target >= 0 && !blocked; target--) {
    const pod = condemned[target]!
    if (isDeleting(pod)) {
      blocked = monotonic
      continue
    }
    if (monotonic && !isRunningAndReady(pod) && pod !== firstUnhealthy) {
      blocked = true
      continue
    }
    deletePod(pod)
    blocked = monotonic
  }

  // RollingUpdate: the highest ordinal not at the update revision goes; wait for each to be healthy again.
  if (!blocked && strategy.type === 'RollingUpdate') {
    const partition = rolling?.partition ?? 0
    for (let target = count - 1; target >= partition; target--) {
      const pod = replicas[target]
      if (!pod) break
      if (revisionOf(pod) !== nameOf(update) && !isDeleting(pod)) {
        deletePod(pod)
        break
      }
      if (!isHealthy(pod)) break
    }
  }

  const next = statefulSetStatus(set, pods, nameOf(current), nameOf(update), now)
  const updated: StatefulSet = { ...set, status: next }
  const live = new Set([nameOf(current), nameOf(update), ...pods.map((p) => revisionOf(p) ?? '')])
  const waiting = waitForAvailable || (minReady > 0 && pods.some((p) => isPodReady(p) && !isRunningAndAvailable(p, minReady, now)))
  return {
    actions: [
      ...plan.actions,
      ...(claims.length > 0 ? [claims.map((claim): Action => ({ type: 'create', object: asJson(claim) }))] : []),
      ...(writes.length > 0 ? [writes] : []),
      ...(deepEqual(next, set.status ?? {}) ? [] : [{ type: 'updateStatus', object: asJson(updated) } satisfies Action]),
      ...truncateHistory(revisions, live, set.spec?.revisionHistoryLimit ?? 10),
      ...events,
    ],
    ...(waiting && { requeueAfterMs: minReady * 1000 }),
  }
}

/** `computeReplicaStatus` and `completeRollingUpdate`. */
function statefulSetStatus(set: StatefulSet, pods: Pod[], current: string, update: string, now: Date): StatefulSetStatus {
  const minReady = set.spec?.minReadySeconds ?? 0
  const generation = set.metadata?.generation
  let ready = 0
  let available = 0
  let currentReplicas = 0
  let updated = 0
  for (const pod of pods) {
    if (isRunningAndReady(pod)) {
      ready++
      if (isRunningAndAvailable(pod, minReady, now)) available++
    }
    if (!isDeleting(pod)) {
      if (revisionOf(pod) === current) currentReplicas++
      if (revisionOf(pod) === update) updated++
    }
  }
  const next: StatefulSetStatus = {
    ...set.status,
    ...(generation !== undefined && { observedGeneration: generation }),
    replicas: pods.length,
    readyReplicas: ready,
    currentReplicas,
    updatedReplicas: updated,
    currentRevision: current,
    updateRevision: update,
    availableReplicas: available,
  }
  const strategy = set.spec?.updateStrategy?.type
  if (strategy === 'RollingUpdate' && updated === pods.length && ready === pods.length) {
    next.currentReplicas = updated
    next.currentRevision = update
  }
  // omitempty in Kubernetes' StatefulSetStatus.
  for (const key of ['readyReplicas', 'currentReplicas', 'updatedReplicas'] as const) if (next[key] === 0) delete next[key]
  return next
}
