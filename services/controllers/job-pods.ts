import type { Job } from 'kubernetes-types/batch/v1.js'
import type { Container, EnvVar, Pod, PodSpec } from 'kubernetes-types/core/v1.js'
import { annotationsOf, condition, controllerReference, isDeleting, isPodReady, nameOf, namespaceOf, uidOf } from '../runtime/objects.js'
import { generatedName } from './controller-revision.js'
import { templateSpecOf } from './replica-set-pods.js'

/**
 * A Job's pods: how they are made, when one counts as failed, when it finished, and the
 * re-creation back-off after failures (kubernetes `pkg/controller/job`).
 */

/** Held on every pod until the controller has counted it (`batch.kubernetes.io/job-tracking`). */
export const TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking'
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index'
/** `DefaultJobPodFailureBackOff` and `MaxJobPodFailureBackOff`. */
const BACKOFF_MS = 10_000
const MAX_BACKOFF_MS = 10 * 60_000

export const isIndexed = (job: Job): boolean => job.spec?.completionMode === 'Indexed'
export const hasTrackingFinalizer = (pod: Pod): boolean => (pod.metadata?.finalizers ?? []).includes(TRACKING_FINALIZER)

/** `getCompletionIndex`: the pod's index, or -1 when it has none (or a malformed one). */
export function completionIndexOf(pod: Pod): number {
  const text = annotationsOf(pod)[COMPLETION_INDEX]
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : -1
}

/**
 * `isPodFailed`: Failed, or (unless only failed pods are replaced) being deleted before it
 * succeeded, so that orphans that never reach Failed still count.
 */
export function isPodFailed(pod: Pod, job: Job): boolean {
  const phase = pod.status?.phase
  if (phase === 'Failed') return true
  if (job.spec?.podReplacementPolicy === 'Failed') return false
  return isDeleting(pod) && phase !== 'Succeeded'
}

/** `getFinishedTime`: the containers' latest finish, else Ready=False's transition, else the deletion, else creation. */
export function finishedTime(pod: Pod): number {
  const statuses = pod.status?.containerStatuses ?? []
  const finishes = statuses.map((s) => Date.parse(s.state?.terminated?.finishedAt ?? ''))
  if (statuses.length > 0 && finishes.every(Number.isFinite)) return Math.max(...finishes)
  const ready = condition(pod, 'Ready')
  const readySince = Date.parse(ready?.lastTransitionTime ?? '')
  if (ready?.status === 'False' && Number.isFinite(readySince)) return readySince
  const metadata = pod.metadata ?? {}
  if (isDeleting(pod)) return Date.parse(metadata.deletionTimestamp ?? '') - (metadata.deletionGracePeriodSeconds ?? 0) * 1000
  return Date.parse(metadata.creationTimestamp ?? '') || 0
}

/**
 * How long before the next pod may be created: 10 s after one failure since the last success,
 * doubling with each further one up to 10 min (`getRemainingTimeForFailuresCount`).
 */
export function backoffRemainingMs(job: Job, pods: Pod[], now: Date): number {
  const lastSuccess = Math.max(0, ...pods.filter((p) => p.status?.phase === 'Succeeded').map(finishedTime))
  const failures = pods
    .filter((p) => isPodFailed(p, job))
    .map(finishedTime)
    .filter((t) => t > lastSuccess)
  if (failures.length === 0) return 0
  let backoff = BACKOFF_MS
  for (let i = 1; i < failures.length && backoff < MAX_BACKOFF_MS; i++) backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)
  return Math.max(0, backoff - (now.getTime() - Math.max(...failures)))
}

/** `pastBackoffLimitOnFailure`: with restartPolicy OnFailure, container restarts count as failures. */
export function pastBackoffLimitOnFailure(job: Job, pods: Pod[]): boolean {
  if (job.spec?.template.spec?.restartPolicy !== 'OnFailure') return false
  let restarts = 0
  for (const pod of pods) {
    const phase = pod.status?.phase
    if (phase !== 'Running' && phase !== 'Pending') continue
    for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) restarts += s.restartCount
  }
  const limit = job.spec?.backoffLimit ?? 6
  return limit === 0 ? restarts > 0 : restarts >= limit
}

/**
 * A pod from the Job's template, holding the tracking finalizer; Indexed pods carry their index
 * (annotation, label, hostname `<job>-<index>`, env JOB_COMPLETION_INDEX) and are named `<job>-<index>-<rand>`.
 */
export function newJobPod(job: Job, index: number | undefined, now: Date, taken: Set<string>): Pod {
  const template = job.spec?.template ?? {}
  const templateMeta = template.metadata ?? {}
  const podSpec: PodSpec = { ...templateSpecOf(template) }
  const labels: Record<string, string> = { ...templateMeta.labels }
  const annotations: Record<string, string> = { ...templateMeta.annotations }
  const prefix = index === undefined ? `${nameOf(job)}-` : `${nameOf(job)}-${index}-`
  if (index !== undefined) {
    labels[COMPLETION_INDEX] = String(index)
    annotations[COMPLETION_INDEX] = String(index)
    podSpec.hostname = `${nameOf(job)}-${index}`
    const env: EnvVar = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${COMPLETION_INDEX}']` } } }
    const withIndex = (c: Container): Container =>
      (c.env ?? []).some((e) => e.name === env.name) ? c : { ...c, env: [...(c.env ?? []), env] }
    // `{}` when the template has no spec: only the lists it has get the variable.
    if (podSpec.initContainers) podSpec.initContainers = podSpec.initContainers.map(withIndex)
    if (podSpec.containers) podSpec.containers = podSpec.containers.map(withIndex)
  }
  const name = generatedName(prefix, `${uidOf(job)}/${index ?? ''}/${now.getTime()}/${taken.size}`, (n) => taken.has(n))
  taken.add(name)
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: namespaceOf(job),
      labels,
      ...(Object.keys(annotations).length > 0 && { annotations }),
      finalizers: [...(templateMeta.finalizers ?? []).filter((f) => f !== TRACKING_FINALIZER), TRACKING_FINALIZER],
      ownerReferences: [controllerReference(job)],
    },
    spec: podSpec,
  }
}

/**
 * `activePodsForRemoval`: duplicates and indexes already done first (Indexed), then the pods
 * least far along: not ready before ready, newest before oldest.
 */
export function activePodsForRemoval(job: Job, active: Pod[], atLeast: number, succeededIndexes: Set<number>): Pod[] {
  const remove: Pod[] = []
  let left = active
  if (isIndexed(job)) {
    const completions = job.spec?.completions ?? 0
    const seen = new Set<number>()
    left = []
    for (const pod of active) {
      const index = completionIndexOf(pod)
      if (index < 0 || index >= completions || succeededIndexes.has(index) || seen.has(index)) remove.push(pod)
      else {
        seen.add(index)
        left.push(pod)
      }
    }
  }
  const created = (p: Pod) => p.metadata?.creationTimestamp ?? ''
  const ordered = [...left].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || created(b).localeCompare(created(a)))
  return [...remove, ...ordered.slice(0, Math.max(0, atLeast - remove.length))]
}

/** Completed indexes as `status.completedIndexes` writes them: `1,3-5,7`. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b)
  const parts: string[] = []
  for (let i = 0; i < sorted.length; ) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`)
    i = j + 1
  }
  return parts.join(',')
}

export function parseIndexes(text: unknown): Set<number> {
  const out = new Set<number>()
  if (typeof text !== 'string') return out
  for (const part of text.split(',')) {
    const [from, to] = part.split('-').map(Number)
    if (from === undefined || !Number.isInteger(from)) continue
    for (let i = from; i <= (to !== undefined && Number.isInteger(to) ? to : from); i++) out.add(i)
  }
  return out
}
