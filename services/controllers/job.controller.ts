import { eventObject, getObject, listObjects, ownedBy, withLabel, type ClusterState } from '../../projections/cluster-state.js'
import { timestamp } from '../api/context.js'
import { deepEqual, isObject, objectAt, type JsonObject } from '../json.js'
import { recordEvent } from '../runtime/events.js'
import {
  controllerOf,
  isDeleting,
  isPodActive,
  isPodReady,
  keysOfKind,
  nameOf,
  namespaceOf,
  spec,
  status,
  uidOf,
} from '../runtime/objects.js'
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

const removeFinalizer = (pod: JsonObject): Action => ({
  type: 'patch',
  kind: 'Pod',
  namespace: namespaceOf(pod),
  name: nameOf(pod),
  patch: { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [TRACKING_FINALIZER] } },
  patchType: 'strategic',
})

/** Pods of a Job that is gone keep no tracking finalizer, or they could never be deleted. */
function releaseOrphans(state: ClusterState, namespace: string, name: string): Reconciliation {
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
function expireFinished(job: JsonObject, now: Date): Reconciliation {
  const ttl = spec(job).ttlSecondsAfterFinished
  const finished = finishTimeOf(job)
  if (typeof ttl !== 'number' || finished === undefined || isDeleting(job)) return nothing
  const remaining = finished + ttl * 1000 - now.getTime()
  if (remaining > 0) return { actions: [], requeueAfterMs: remaining }
  const options = { propagationPolicy: 'Background', preconditions: { uid: uidOf(job) } }
  return {
    actions: [
      { type: 'delete', kind: 'Job', namespace: namespaceOf(job), name: nameOf(job), options, reason: 'ttlSecondsAfterFinished expired' },
    ],
  }
}

function syncJob(job: JsonObject, state: ClusterState, now: Date): Reconciliation {
  const jobSpec = spec(job)
  const pods = ownedBy(state, uidOf(job), 'Pod').filter((p) => controllerOf(p)?.uid === uidOf(job))
  const before = status(job)
  const next: JsonObject = { ...before }
  const conditions = (Array.isArray(before.conditions) ? before.conditions : []).filter(isObject).map((c) => ({ ...c }))
  const event = (reason: string, message: string, type?: 'Warning') =>
    recordEvent(job, { reason, message, component: COMPONENT, ...(type && { type }) }, now)
  const events: Action[] = []
  let requeueAfterMs: number | undefined

  const active = pods.filter(isPodActive)
  let activeCount = active.length
  let terminating = pods.filter((p) => isDeleting(p) && status(p).phase !== 'Succeeded' && status(p).phase !== 'Failed').length
  let ready = active.filter(isPodReady).length
  const uncounted = objectAt(before, 'uncountedTerminatedPods') ?? {}
  const counted = (list: string, pod: JsonObject) => Array.isArray(uncounted[list]) && (uncounted[list] as unknown[]).includes(uidOf(pod))
  const fresh = (pod: JsonObject) =>
    hasTrackingFinalizer(pod) && (!isIndexed(job) || (completionIndexOf(pod) >= 0 && completionIndexOf(pod) < Number(jobSpec.completions)))
  const succeededIndexes = parseIndexes(before.completedIndexes)
  if (isIndexed(job)) {
    for (const pod of pods) if (status(pod).phase === 'Succeeded' && fresh(pod)) succeededIndexes.add(completionIndexOf(pod))
  }
  const succeeded = isIndexed(job)
    ? succeededIndexes.size
    : Number(before.succeeded ?? 0) +
      pods.filter((p) => fresh(p) && !counted('succeeded', p) && status(p).phase === 'Succeeded').length +
      arrayLength(uncounted.succeeded)
  const failed =
    Number(before.failed ?? 0) +
    pods.filter((p) => fresh(p) && !counted('failed', p) && isPodFailed(p, job)).length +
    arrayLength(uncounted.failed)
  if (next.startTime === undefined && !isSuspended(job)) next.startTime = timestamp(now)

  // Is the Job done? An interim condition already written decides; otherwise the counters and the clock.
  let finishing: JobCondition | undefined
  const target = jobCondition(job, 'SuccessCriteriaMet') ?? jobCondition(job, 'FailureTarget')
  const backoffLimit = Number(jobSpec.backoffLimit ?? 6)
  const start = startTimeOf({ status: next })
  const deadline =
    typeof jobSpec.activeDeadlineSeconds === 'number' && start !== undefined && !isSuspended(job)
      ? start + jobSpec.activeDeadlineSeconds * 1000
      : undefined
  if (target) finishing = { type: String(target.type), reason: String(target.reason ?? ''), message: String(target.message ?? '') }
  else if (failed > backoffLimit || pastBackoffLimitOnFailure(job, pods)) finishing = backoffLimitExceeded
  else if (deadline !== undefined && now.getTime() >= deadline) finishing = deadlineExceeded
  else if (deadline !== undefined) requeueAfterMs = deadline - now.getTime()

  const creates: JsonObject[] = []
  const deletes: JsonObject[] = []
  const released: JsonObject[] = []
  if (finishing) {
    // Finishing: every active pod goes (and counts as failed).
    deletes.push(...active)
    activeCount -= deletes.length
    terminating += deletes.length
  } else if (!isDeleting(job)) {
    const parallelism = Number(jobSpec.parallelism ?? 1)
    const completions = typeof jobSpec.completions === 'number' ? jobSpec.completions : undefined
    let want =
      completions === undefined ? (succeeded > 0 ? activeCount : parallelism) : Math.max(0, Math.min(completions - succeeded, parallelism))
    if (isSuspended(job)) want = 0
    const excess = activePodsForRemoval(job, active, activeCount - want, succeededIndexes).slice(0, MAX_PER_SYNC)
    if (excess.length > 0) {
      deletes.push(...excess)
      released.push(...excess.filter(hasTrackingFinalizer))
    } else {
      const replacing = jobSpec.podReplacementPolicy === 'Failed' ? terminating : 0
      const missing = Math.min(want - replacing - activeCount, MAX_PER_SYNC)
      const wait = missing > 0 ? backoffRemainingMs(job, pods, now) : 0
      if (wait > 0) requeueAfterMs = Math.min(requeueAfterMs ?? wait, wait)
      else if (missing > 0) {
        const taken = new Set(listObjects(state, 'Pod', namespaceOf(job)).map(nameOf))
        const indexes = isIndexed(job)
          ? pendingIndexes(Number(completions), succeededIndexes, active, missing)
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
    ...creates.map((object): Action => ({ type: 'create', object })),
    ...deletes
      .filter((p) => !released.includes(p))
      .map((p): Action => ({ type: 'delete', kind: 'Pod', namespace: namespaceOf(p), name: nameOf(p) })),
  ]
  events.push(...creates.map((p) => event('SuccessfulCreate', `Created pod: ${nameOf(p)}`)))
  events.push(...deletes.map((p) => event('SuccessfulDelete', `Deleted pod: ${nameOf(p)}`)))
  const finalizerRemovals = [...new Set([...tracking.removeFinalizer, ...released])].map(removeFinalizer)
  const releasedDeletes = released.map((p): Action => ({ type: 'delete', kind: 'Pod', namespace: namespaceOf(p), name: nameOf(p) }))
  return {
    actions: [
      ...(writes.length > 0 ? [writes] : []),
      ...(deepEqual(next, before) ? [] : [{ type: 'updateStatus', object: { ...job, status: next } } as Action]),
      ...(finalizerRemovals.length > 0 ? [finalizerRemovals] : []),
      ...(releasedDeletes.length > 0 ? [releasedDeletes] : []),
      ...events,
    ],
    ...(requeueAfterMs !== undefined && { requeueAfterMs }),
  }
}

const arrayLength = (value: unknown): number => (Array.isArray(value) ? value.length : 0)

/** `firstPendingIndexes`: the lowest indexes neither done nor running. */
function pendingIndexes(completions: number, done: Set<number>, active: JsonObject[], count: number): number[] {
  const running = new Set(active.map(completionIndexOf))
  const out: number[] = []
  for (let i = 0; i < completions && out.length < count; i++) if (!done.has(i) && !running.has(i)) out.push(i)
  return out
}
