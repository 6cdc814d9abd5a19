import type { Job, JobCondition as Condition, JobStatus } from 'kubernetes-types/batch/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { timestamp } from '../api/context.js'
import { isDeleting, uidOf } from '../runtime/objects.js'
import { completionIndexOf, hasTrackingFinalizer, isIndexed, isPodFailed } from './job-pods.js'

/**
 * A Job's conditions and the counting of its finished pods (kubernetes `job_controller.go`
 * `trackJobStatusAndRemoveFinalizers`): a finished pod's uid goes into
 * status.uncountedTerminatedPods, then its tracking finalizer is removed, then it moves into the
 * succeeded or failed counter. Each step is written before the next, so a pod is counted once.
 */

export interface JobCondition {
  type: string
  reason: string
  message: string
}

export const completionsReached: JobCondition = {
  type: 'SuccessCriteriaMet',
  reason: 'CompletionsReached',
  message: 'Reached expected number of succeeded pods',
}
export const backoffLimitExceeded: JobCondition = {
  type: 'FailureTarget',
  reason: 'BackoffLimitExceeded',
  message: 'Job has reached the specified backoff limit',
}
export const deadlineExceeded: JobCondition = {
  type: 'FailureTarget',
  reason: 'DeadlineExceeded',
  message: 'Job was active longer than specified deadline',
}

export function jobCondition(job: Job, type: string): Condition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True')
}

/** `IsJobFinished`: Complete or Failed is True. */
export const isJobFinished = (job: Job): boolean => jobCondition(job, 'Complete') !== undefined || jobCondition(job, 'Failed') !== undefined

/**
 * `ensureJobConditionStatus`: sets the condition when its status, reason or message differ;
 * a False condition is not added where there was none. Returns whether anything changed.
 */
export function ensureCondition(
  conditions: Condition[],
  type: string,
  conditionStatus: 'True' | 'False',
  reason: string,
  message: string,
  now: Date,
): boolean {
  const fresh = { type, status: conditionStatus, lastProbeTime: timestamp(now), lastTransitionTime: timestamp(now), reason, message }
  const i = conditions.findIndex((c) => c.type === type)
  if (i >= 0) {
    const c = conditions[i]!
    if (c.status === conditionStatus && c.reason === reason && c.message === message) return false
    conditions[i] = fresh
    return true
  }
  if (conditionStatus === 'False') return false
  conditions.push(fresh)
  return true
}

export interface Tracking {
  /** The status with counters moved and newly finished pods recorded as uncounted. */
  status: JobStatus
  /** Pods whose tracking finalizer can go now (after the status is written). */
  removeFinalizer: Pod[]
  /** Whether uids still wait in uncountedTerminatedPods. */
  uncounted: boolean
}

/**
 * Moves counted pods (finalizer gone) from uncountedTerminatedPods into the counters, and
 * records pods that finished since (or all remaining ones, once the Job is finished).
 */
export function trackFinishedPods(job: Job, pods: Pod[], next: JobStatus, finishing: 'success' | 'failure' | undefined): Tracking {
  const before = job.status?.uncountedTerminatedPods ?? {}
  const uncounted = { succeeded: before.succeeded ?? [], failed: before.failed ?? [] }
  const withFinalizer = new Set(pods.filter(hasTrackingFinalizer).map(uidOf))
  const pending = {
    succeeded: uncounted.succeeded.filter((u) => withFinalizer.has(u)),
    failed: uncounted.failed.filter((u) => withFinalizer.has(u)),
  }
  next.succeeded = (next.succeeded ?? 0) + uncounted.succeeded.length - pending.succeeded.length
  next.failed = (next.failed ?? 0) + uncounted.failed.length - pending.failed.length

  const completions = job.spec?.completions ?? 0
  const validIndex = (pod: Pod) => !isIndexed(job) || (completionIndexOf(pod) >= 0 && completionIndexOf(pod) < completions)
  const removeFinalizer: Pod[] = []
  for (const pod of pods) {
    if (!hasTrackingFinalizer(pod)) continue
    const uid = uidOf(pod)
    const failed = isPodFailed(pod, job)
    const succeeded = pod.status?.phase === 'Succeeded'
    if (!(isDeleting(job) || finishing || succeeded || failed)) continue
    removeFinalizer.push(pod)
    if (succeeded && !uncounted.failed.includes(uid)) {
      if (!isIndexed(job) && !uncounted.succeeded.includes(uid)) pending.succeeded.push(uid)
    } else if ((failed || finishing === 'failure') && !uncounted.failed.includes(uid) && validIndex(pod)) pending.failed.push(uid)
  }
  next.uncountedTerminatedPods = {
    ...(pending.succeeded.length > 0 && { succeeded: pending.succeeded }),
    ...(pending.failed.length > 0 && { failed: pending.failed }),
  }
  for (const counter of ['succeeded', 'failed'] as const) if (next[counter] === 0) delete next[counter]
  return { status: next, removeFinalizer, uncounted: pending.succeeded.length + pending.failed.length > 0 }
}

/** The Job's key moments as `status` writes them. */
export const startTimeOf = (job: Job): number | undefined => {
  const start = Date.parse(job.status?.startTime ?? '')
  return Number.isFinite(start) ? start : undefined
}

/** When the Job finished: the transition of its Complete or Failed condition. */
export function finishTimeOf(job: Job): number | undefined {
  const finished = jobCondition(job, 'Complete') ?? jobCondition(job, 'Failed')
  const time = Date.parse(finished?.lastTransitionTime ?? job.status?.completionTime ?? '')
  return Number.isFinite(time) ? time : undefined
}

export const isSuspended = (job: Job): boolean => job.spec?.suspend === true
