import type { Job, JobStatus } from 'kubernetes-types/batch/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { eventObject, getObject, listObjects, ownedBy, withLabel, type ClusterView } from '../../projections/cluster-state.js'
import { timestamp } from '../api/context.js'
import { deepEqual } from '../json.js'
import { recordEvent } from '../runtime/events.js'
import { asJson, controllerOf, isDeleting, isPodActive, isPodReady, keysOfKind, nameOf, namespaceOf, uidOf } from '../runtime/objects.js'
import {
  activePodsForRemoval,
  backoffRemainingMs,
  completionIndexOf,
  formatIndexes,
  hasTrackingFinalizer,
  isIndexed,
  isPodFailed,
  newJobPod,
  parseIndexes,
  pastBackoffLimitOnFailure,
  TRACKING_FINALIZER,
} from './job-pods.js'
import {
  backoffLimitExceeded,
  completionsReached,
  deadlineExceeded,
  ensureCondition,
  finishTimeOf,
  isJobFinished,
  isSuspended,
  jobCondition,
  startTimeOf,
  trackFinishedPods,
  type JobCondition,
} from './job-status.js'
import { keyOf, nothing, splitKey, type Action, type Controller, type Reconciliation } from '../runtime/controller.js'

const COMPONENT = 'job-controller'
/** `MaxPodCreateDeletePerSync`. */
const MAX_PER_SYNC = 500

/**
 * The Job controller (kubernetes `pkg/controller/job`, ≥1.31): runs pods until `completions`
 * succeed, `parallelism` at a time (NonIndexed, or Indexed with one success per index); counts
 * failed pods (or container restarts with OnFailure) against backoffLimit, backs off 10 s doubling
 * between re-creations, enforces activeDeadlineSeconds, suspend and ttlSecondsAfterFinished, and
 * finishes with SuccessCriteriaMet → Complete or FailureTarget → Failed.
 */
export function createJobController(): Controller {
  return {
    name: 'job',
    keysFor: (change) => {
      const { event, previous } = change
      if (event.kind === 'Job') return [keyOf(event.namespace, event.name)]
      if (event.kind !== 'Pod') return []
      const owner = controllerOf(eventObject(event) ?? previous ?? event.object)
      return owner?.kind === 'Job' ? [keyOf(event.namespace, owner.name)] : []
    },
    allKeys: (state) => keysOfKind(state, 'Job'),
    reconcile: (key, state, now) => {
      const { namespace, name } = splitKey(key)
      const job = getObject(state, 'Job', namespace, name)
      if (!job) return releaseOrphans(state, namespace, name)
      if (isJobFinished(job)) return expireFinished(job, now)
      return syncJob(job, state, now)
    },
  }
}

const removeFinalizer = (pod: Pod): Action => ({
  type: 'patch',
  kind: 'Pod',
  namespace: namespaceOf(pod),
  name: nameOf(pod),
  patch: { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [TRACKING_FINALIZER] } },
  patchType: 'strategic',
})

/** Pods of a Job that is gone keep no tracking finalizer, or they could never be deleted. */
function releaseOrphans(state: ClusterView, namespace: string, name: string): Reconciliation {
  const orphans = withLabel(state, 'Pod', 'batch.kubernetes.io/job-name', name).filter((pod) => {
    const owner = controllerOf(pod)
    return (
      namespaceOf(pod) === namespace &&
      hasTrackingFinalizer(pod) &&
      owner?.kind === 'Job' &&
      !listObjects(state, 'Job', namespace).some((j) => uidOf(j) === owner.uid)
    )
  })
  return orphans.length > 0 ? { actions: [orphans.map(removeFinalizer)] } : nothing
}

/** ttlSecondsAfterFinished (the ttl-after-finished controller): a finished Job goes once it has expired. */
function expireFinished(job: Job, now: Date): Reconciliation {
  const ttl = job.spec?.ttlSecondsAfterFinished
  const finished = finishTimeOf(job)
  if (ttl === undefined || finished === undefined || isDeleting(job)) return nothing
  const remaining = finished + ttl * 1000 - now.getTime()
  if (remaining > 0) return { actions: [], requeueAfterMs: remaining }
  const options = { propagationPolicy: 'Background', preconditions: { uid: uidOf(job) } }
  return {
    actions: [
      { type: 'delete', kind: 'Job', namespace: namespaceOf(job), name: nameOf(job), options, reason: 'ttlSecondsAfterFinished expired' },
    ],
  }
}

function syncJob(job: Job, state: ClusterView, now: Date): Reconciliation {
  const jobSpec = job.spec
  const completions = jobSpec?.completions
  const pods = ownedBy(state, uidOf(job), 'Pod').filter((p) => controllerOf(p)?.uid === uidOf(job))
  const before = job.status ?? {}
  const next: JobStatus = { ...before }
  const conditions = (before.conditions ?? []).map((c) => ({ ...c }))
  const event = (reason: string, message: string, type?: 'Warning') =>
    recordEvent(job, { reason, message, component: COMPONENT, ...(type && { type }) }, now)
  const events: Action[] = []
  let requeueAfterMs: number | undefined

  const active = pods.filter(isPodActive)
  let activeCount = active.length
  let terminating = pods.filter((p) => isDeleting(p) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length
  let ready = active.filter(isPodReady).length
  const uncounted = before.uncountedTerminatedPods ?? {}
  const counted = (list: 'succeeded' | 'failed', pod: Pod) => (uncounted[list] ?? []).includes(uidOf(pod))
  // Without completions no index is valid.
  const fresh = (pod: Pod) =>
    hasTrackingFinalizer(pod) && (!isIndexed(job) || (completionIndexOf(pod) >= 0 && completionIndexOf(pod) < (completions ?? 0)))
  const succeededIndexes = parseIndexes(before.completedIndexes)
  if (isIndexed(job)) {
    for (const pod of pods) if (pod.status?.phase === 'Succeeded' && fresh(pod)) succeededIndexes.add(completionIndexOf(pod))
  }
  const succeeded = isIndexed(job)
    ? succeededIndexes.size
    : (before.succeeded ?? 0) +
      pods.filter((p) => fresh(p) && !counted('succeeded', p) && p.status?.phase === 'Succeeded').length +
      (uncounted.succeeded ?? []).length
  const failed =
    (before.failed ?? 0) +
    pods.filter((p) => fresh(p) && !counted('failed', p) && isPodFailed(p, job)).length +
    (uncounted.failed ?? []).length
  if (next.startTime === undefined && !isSuspended(job)) next.startTime = timestamp(now)

  // Is the Job done? An interim condition already written decides; otherwise the counters and the clock.
  let finishing: JobCondition | undefined
  const target = jobCondition(job, 'SuccessCriteriaMet') ?? jobCondition(job, 'FailureTarget')
  const backoffLimit = jobSpec?.backoffLimit ?? 6
  const start = startTimeOf({ status: next })
  const activeDeadline = jobSpec?.activeDeadlineSeconds
  const deadline = activeDeadline !== undefined && start !== undefined && !isSuspended(job) ? start + activeDeadline * 1000 : undefined
  if (target) finishing = { type: target.type, reason: target.reason ?? '', message: target.message ?? '' }
  else if (failed > backoffLimit || pastBackoffLimitOnFailure(job, pods)) finishing = backoffLimitExceeded
  else if (deadline !== undefined && now.getTime() >= deadline) finishing = deadlineExceeded
  else if (deadline !== undefined) requeueAfterMs = deadline - now.getTime()

  const creates: Pod[] = []
  const deletes: Pod[] = []
  const released: Pod[] = []
  if (finishing) {
    // Finishing: every active pod goes (and counts as failed).
    deletes.push(...active)
    activeCount -= deletes.length
    terminating += deletes.length
  } else if (!isDeleting(job)) {
    const parallelism = jobSpec?.parallelism ?? 1
    let want =
      completions === undefined ? (succeeded > 0 ? activeCount : parallelism) : Math.max(0, Math.min(completions - succeeded, parallelism))
    if (isSuspended(job)) want = 0
    const excess = activePodsForRemoval(job, active, activeCount - want, succeededIndexes).slice(0, MAX_PER_SYNC)
    if (excess.length > 0) {
      deletes.push(...excess)
      released.push(...excess.filter(hasTrackingFinalizer))
    } else {
      const replacing = jobSpec?.podReplacementPolicy === 'Failed' ? terminating : 0
      const missing = Math.min(want - replacing - activeCount, MAX_PER_SYNC)
      const wait = missing > 0 ? backoffRemainingMs(job, pods, now) : 0
      if (wait > 0) requeueAfterMs = Math.min(requeueAfterMs ?? wait, wait)
      else if (missing > 0) {
        const taken = new Set(listObjects(state, 'Pod', namespaceOf(job)).map(nameOf))
        const indexes = isIndexed(job)
          ? pendingIndexes(completions, succeededIndexes, active, missing)
          : new Array<undefined>(missing).fill(undefined)
        for (const index of indexes) creates.push(newJobPod(job, index, now, taken))
      }
    }
    activeCount += creates.length - deletes.length
    terminating += deletes.length
    const complete = completions === undefined ? succeeded > 0 && activeCount === 0 : succeeded >= completions && activeCount === 0
    if (complete) finishing = completionsReached
    else if (isSuspended(job)) {
      if (ensureCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now))
        events.push(event('Suspended', 'Job suspended'))
    } else if (ensureCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
      events.push(event('Resumed', 'Job resumed'))
      next.startTime = timestamp(now)
    }
  }
  ready -= deletes.filter(isPodReady).length

  next.active = activeCount
  next.ready = ready
  next.terminating = terminating
  if (isIndexed(job)) next.completedIndexes = formatIndexes(succeededIndexes)
  if (isIndexed(job)) next.succeeded = succeededIndexes.size
  if (next.completedIndexes === '') delete next.completedIndexes
  if (next.active === 0) delete next.active
  const tracking = trackFinishedPods(
    job,
    pods,
    next,
    finishing ? (finishing.type === 'SuccessCriteriaMet' ? 'success' : 'failure') : undefined,
  )
  if (finishing && !conditions.some((c) => c.type === finishing.type && c.status === 'True')) {
    ensureCondition(conditions, finishing.type, 'True', finishing.reason, finishing.message, now)
  }
  // `enactJobFinished`: the terminal condition once every pod is counted and none is still terminating.
  if (finishing && !tracking.uncounted && tracking.removeFinalizer.length === 0 && terminating === 0) {
    const complete = finishing.type === 'SuccessCriteriaMet'
    ensureCondition(conditions, complete ? 'Complete' : 'Failed', 'True', finishing.reason, finishing.message, now)
    if (complete) next.completionTime = timestamp(now)
    events.push(complete ? event('Completed', 'Job completed') : event(finishing.reason, finishing.message, 'Warning'))
  }
  if (conditions.length > 0) next.conditions = conditions

  const writes: Action[] = [
    ...creates.map((pod): Action => ({ type: 'create', object: asJson(pod) })),
    ...deletes
      .filter((p) => !released.includes(p))
      .map((p): Action => ({ type: 'delete', kind: 'Pod', namespace: namespaceOf(p), name: nameOf(p) })),
  ]
  events.push(...creates.map((p) => event('SuccessfulCreate', `Created pod: ${nameOf(p)}`)))
  events.push(...deletes.map((p) => event('SuccessfulDelete', `Deleted pod: ${nameOf(p)}`)))
  const finalizerRemovals = [...new Set([...tracking.removeFinalizer, ...released])].map(removeFinalizer)
  const releasedDeletes = released.map((p): Action => ({ type: 'delete', kind: 'Pod', namespace: namespaceOf(p), name: nameOf(p) }))
  const updated: Job = { ...job, status: next }
  return {
    actions: [
      ...(writes.length > 0 ? [writes] : []),
      ...(deepEqual(next, before) ? [] : [{ type: 'updateStatus', object: asJson(updated) } satisfies Action]),
      ...(finalizerRemovals.length > 0 ? [finalizerRemovals] : []),
      ...(releasedDeletes.length > 0 ? [releasedDeletes] : []),
      ...events,
    ],
    ...(requeueAfterMs !== undefined && { requeueAfterMs }),
  }
}

/** `firstPendingIndexes`: the lowest indexes neither done nor running. */
function pendingIndexes(completions: number | undefined, done: Set<number>, active: Pod[], count: number): number[] {
  const running = new Set(active.map(completionIndexOf))
  const out: number[] = []
  for (let i = 0; i < (completions ?? 0) && out.length < count; i++) if (!done.has(i) && !running.has(i)) out.push(i)
  return out
}
