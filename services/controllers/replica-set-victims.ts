import type { Pod } from 'kubernetes-types/core/v1.js'
import { annotationsOf, condition, isPodActive, isPodReady, uidOf } from '../runtime/objects.js'

/**
 * Which pods a ReplicaSet deletes when it has too many, in Kubernetes' order
 * (`getPodsToDelete` and `ActivePodsWithRanks.Less` in pkg/controller/controller_utils.go, with
 * the PodDeletionCost and LogarithmicScaleDown features on, as they are by default):
 *
 * 1. unscheduled before scheduled; 2. Pending < Unknown < Running; 3. not ready before ready;
 * 4. lower `controller.kubernetes.io/pod-deletion-cost` first; 5. more related pods on the same
 * node ("doubled up") first; 6. both ready: ready more recently first, compared on a log2 scale
 * of the time since, ties by uid; 7. more container restarts first; 8. created more recently
 * first, on the same log2 scale, ties by uid.
 *
 * `related` are the active pods of the ReplicaSet and of its siblings (the other ReplicaSets of
 * the same Deployment), which set each pod's rank. Pods are only sorted when some survive.
 */
export function podsToDelete(pods: Pod[], related: Pod[], diff: number, now: Date): Pod[] {
  if (diff >= pods.length) return pods.slice(0, diff)
  const onNode = new Map<string, number>()
  for (const pod of related) if (isPodActive(pod)) onNode.set(nodeOf(pod), (onNode.get(nodeOf(pod)) ?? 0) + 1)
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(nodeOf(pod)) ?? 0 }))
  ranked.sort((a, b) => (deletedBefore(a, b, now) ? -1 : deletedBefore(b, a, now) ? 1 : 0))
  return ranked.slice(0, diff).map((r) => r.pod)
}

export interface RankedPod {
  pod: Pod
  /** Active related pods on the same node. */
  rank: number
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 }
export const DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost'

/** `ActivePodsWithRanks.Less`: whether `a` goes before `b`. */
export function deletedBefore(a: RankedPod, b: RankedPod, now: Date): boolean {
  const [pa, pb] = [a.pod, b.pod]
  const [na, nb] = [nodeOf(pa), nodeOf(pb)]
  if (na !== nb && (na === '' || nb === '')) return na === ''
  const [phaseA, phaseB] = [PHASE_ORDER[pa.status?.phase ?? ''] ?? 0, PHASE_ORDER[pb.status?.phase ?? ''] ?? 0]
  if (phaseA !== phaseB) return phaseA < phaseB
  const [readyA, readyB] = [isPodReady(pa), isPodReady(pb)]
  if (readyA !== readyB) return !readyA
  const [costA, costB] = [deletionCost(pa), deletionCost(pb)]
  if (costA !== costB) return costA < costB
  if (a.rank !== b.rank) return a.rank > b.rank
  if (readyA && readyB) {
    const [ta, tb] = [readySince(pa), readySince(pb)]
    if (ta !== tb) return newerFirst(ta, tb, pa, pb, now)
  }
  const restarts = compareRestarts(pa, pb)
  if (restarts !== undefined) return restarts
  const [ca, cb] = [time(pa.metadata?.creationTimestamp), time(pb.metadata?.creationTimestamp)]
  if (ca !== cb) return newerFirst(ca, cb, pa, pb, now)
  return false
}

/** Newer first on a log2 scale of age (LogarithmicScaleDown); a missing time (0) goes first. */
function newerFirst(ta: number, tb: number, pa: Pod, pb: Pod, now: Date): boolean {
  if (ta === 0 || tb === 0) return ta === 0
  const diff = logarithmicRank(ta, now) - logarithmicRank(tb, now)
  if (diff === 0) return uidOf(pa) < uidOf(pb)
  return diff < 0
}

/** floor(log2(age in nanoseconds)), as Go computes it on a time.Duration; -1 for no age. */
export function logarithmicRank(at: number, now: Date): number {
  const nanoseconds = (now.getTime() - at) * 1e6
  return nanoseconds > 0 ? Math.floor(Math.log2(nanoseconds)) : -1
}

/** `GetDeletionCostFromPodAnnotations`: an int32 without leading zeros; anything else costs 0. */
export function deletionCost(pod: Pod): number {
  const value = annotationsOf(pod)[DELETION_COST_ANNOTATION]
  if (value === undefined || !/^(?:0|-\d+|[1-9]\d*)$/.test(value)) return 0
  const cost = Number(value)
  return cost >= -2147483648 && cost <= 2147483647 ? cost : 0
}

/** `compareMaxContainerRestarts`: more restarts first, regular containers before sidecars; undefined when equal. */
function compareRestarts(a: Pod, b: Pod): boolean | undefined {
  const [ra, rb] = [maxRestarts(a), maxRestarts(b)]
  if (ra.regular !== rb.regular) return ra.regular > rb.regular
  if (ra.sidecar !== rb.sidecar) return ra.sidecar > rb.sidecar
  return undefined
}

function maxRestarts(pod: Pod): { regular: number; sidecar: number } {
  const regular = Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount))
  const sidecars = new Set((pod.spec?.initContainers ?? []).flatMap((c) => (c.restartPolicy === 'Always' ? [c.name] : [])))
  const sidecar = Math.max(0, ...(pod.status?.initContainerStatuses ?? []).flatMap((c) => (sidecars.has(c.name) ? [c.restartCount] : [])))
  return { regular, sidecar }
}

function readySince(pod: Pod): number {
  return time(condition(pod, 'Ready')?.lastTransitionTime)
}

function time(value: string | undefined): number {
  const parsed = value !== undefined ? Date.parse(value) : NaN
  return Number.isFinite(parsed) ? parsed : 0
}

const nodeOf = (pod: Pod): string => pod.spec?.nodeName ?? ''
