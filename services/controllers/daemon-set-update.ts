import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { REVISION_HASH_LABEL } from './controller-revision.js'
import { isDeleting, isPodAvailable, isPodReady, labelsOf, nameOf } from '../runtime/objects.js'

/**
 * A DaemonSet's rolling update and status (kubernetes `pkg/controller/daemon/update.go`,
 * `daemon_controller.go updateDaemonSetStatus`).
 */

export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation'

/** `IsPodUpdated`: the pod carries the current template's hash or generation. */
export function isPodUpdated(pod: Pod, hash: string, generation: number): boolean {
  const labels = labelsOf(pod)
  return labels[REVISION_HASH_LABEL] === hash || labels[TEMPLATE_GENERATION_LABEL] === String(generation)
}

/** Oldest first (creation time, then name), as `podByCreationTimestampAndPhase` orders them. */
export function oldestFirst(pods: Pod[]): Pod[] {
  const created = (p: Pod) => p.metadata?.creationTimestamp ?? ''
  return [...pods].sort((a, b) => created(a).localeCompare(created(b)) || nameOf(a).localeCompare(nameOf(b)))
}

/** `GetScaledValueFromIntOrPercent(value, total, roundUp=true)`. */
export function scaledValue(value: number | string | undefined, total: number): number {
  if (typeof value === 'number') return value
  if (typeof value === 'string' && /^\d+%$/.test(value)) return Math.ceil((Number(value.slice(0, -1)) * total) / 100)
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value)
  return 0
}

/** `findUpdatedPodsOnNode`: the node's new and old pod, or undefined when it has more than one of either. */
function updatedPodsOnNode(pods: Pod[], hash: string, generation: number) {
  let newPod: Pod | undefined
  let oldPod: Pod | undefined
  for (const pod of pods) {
    if (isDeleting(pod)) continue
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return undefined
      newPod = pod
    } else {
      if (oldPod) return undefined
      oldPod = pod
    }
  }
  return { newPod, oldPod }
}

export interface RollingUpdate {
  /** Old pods to delete. */
  deletePods: Pod[]
  /** Nodes to surge a new pod onto. */
  createOn: string[]
}

/**
 * One step of `rollingUpdate`: with maxSurge 0, delete old pods while no more than maxUnavailable
 * nodes lack an available pod; with maxSurge, start new pods next to old ones on at most maxSurge
 * nodes and delete each old pod once its replacement is available.
 */
export function rollingUpdate(ds: DaemonSet, nodeToPods: Map<string, Pod[]>, desired: number, hash: string, now: Date): RollingUpdate {
  const rolling = ds.spec?.updateStrategy?.rollingUpdate ?? {}
  const generation = ds.metadata?.generation ?? 0
  const minReady = ds.spec?.minReadySeconds ?? 0
  const available = (pod: Pod) => isPodAvailable(pod, minReady, now)
  let maxUnavailable = scaledValue(rolling.maxUnavailable, desired)
  const maxSurge = scaledValue(rolling.maxSurge, desired)
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1

  if (maxSurge === 0) {
    let unavailable = 0
    const replace: Pod[] = []
    const candidates: Pod[] = []
    for (const pods of nodeToPods.values()) {
      const found = updatedPodsOnNode(pods, hash, generation)
      if (!found) {
        unavailable++
        continue
      }
      const { newPod, oldPod } = found
      if ((!oldPod && !newPod) || (oldPod && newPod)) unavailable++
      else if (newPod) {
        if (!available(newPod)) unavailable++
      } else if (oldPod && !available(oldPod)) replace.push(oldPod)
      else if (oldPod && unavailable < maxUnavailable) candidates.push(oldPod)
    }
    const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length)
    return { deletePods: [...replace, ...candidates.slice(0, room)], createOn: [] }
  }

  let surging = 0
  const deletePods: Pod[] = []
  const allowed: string[] = []
  const candidates: string[] = []
  for (const [node, pods] of nodeToPods) {
    const found = updatedPodsOnNode(pods, hash, generation)
    if (!found) {
      surging++
      continue
    }
    const { newPod, oldPod } = found
    if (!oldPod) continue
    if (!newPod) {
      if (!available(oldPod)) allowed.push(node)
      else if (surging < maxSurge) candidates.push(node)
    } else if (!available(newPod)) surging++
    else deletePods.push(oldPod)
  }
  const room = Math.min(Math.max(0, maxSurge - surging), candidates.length)
  return { deletePods, createOn: [...allowed, ...candidates.slice(0, room)] }
}

/** The status counters of section 10, from the pods on each node that should or should not run one. */
export function daemonSetStatus(
  ds: DaemonSet,
  nodes: Array<{ name: string; shouldRun: boolean }>,
  nodeToPods: Map<string, Pod[]>,
  hash: string,
  now: Date,
): DaemonSetStatus {
  const generation = ds.metadata?.generation ?? 0
  const minReady = ds.spec?.minReadySeconds ?? 0
  let desired = 0
  let current = 0
  let misscheduled = 0
  let ready = 0
  let available = 0
  let updated = 0
  for (const node of nodes) {
    const pods = nodeToPods.get(node.name) ?? []
    if (!node.shouldRun) {
      if (pods.length > 0) misscheduled++
      continue
    }
    desired++
    const pod = oldestFirst(pods)[0]
    if (!pod) continue
    current++
    if (isPodReady(pod)) {
      ready++
      if (isPodAvailable(pod, minReady, now)) available++
    }
    if (isPodUpdated(pod, hash, generation)) updated++
  }
  const status: DaemonSetStatus = {
    ...ds.status,
    currentNumberScheduled: current,
    desiredNumberScheduled: desired,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    observedGeneration: generation,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
  }
  // omitempty in Kubernetes' DaemonSetStatus.
  for (const key of ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'] as const) if (status[key] === 0) delete status[key]
  return status
}
