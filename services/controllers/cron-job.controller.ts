import { eventObject, getObject, ownedBy, type ClusterState } from '../../projections/cluster-state.js'
import { timestamp } from '../api/context.js'
import { arrayAt, deepEqual, isObject, objectAt, type JsonObject } from '../json.js'
import { parseSchedule } from '../resources/kinds/batch/cron-schedule.js'
import { jobNameFor, mostRecentScheduleTime, rfc1123z, untilNextSchedule } from './cron-job-schedule.js'
import { recordEvent } from '../runtime/events.js'
import {
  controllerOf,
  controllerReference,
  isDeleting,
  keysOfKind,
  meta,
  nameOf,
  namespaceOf,
  spec,
  status,
  uidOf,
} from '../runtime/objects.js'
import { jobCondition } from './job-status.js'
import { keyOf, nothing, splitKey, type Action, type Controller, type Reconciliation } from '../runtime/controller.js'

const COMPONENT = 'cronjob-controller'
export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp'

/**
 * The CronJob controller (kubernetes `pkg/controller/cronjob/cronjob_controllerv2.go`): creates a
 * Job from the template at each schedule (only the most recent missed one, and not later than
 * startingDeadlineSeconds), honours concurrencyPolicy and suspend, keeps status.active,
 * lastScheduleTime and lastSuccessfulTime, trims finished Jobs to the history limits, and looks
 * again at the next schedule.
 */
export function createCronJobController(): Controller {
  return {
    name: 'cronjob',
    keysFor: (change) => {
      const { event, previous } = change
      if (event.kind === 'CronJob') return [keyOf(event.namespace, event.name)]
      if (event.kind !== 'Job') return []
      const owner = controllerOf(eventObject(event) ?? previous ?? event.object)
      return owner?.kind === 'CronJob' ? [keyOf(event.namespace, owner.name)] : []
    },
    allKeys: (state) => keysOfKind(state, 'CronJob'),
    reconcile: (key, state, now) => {
      const { namespace, name } = splitKey(key)
      const cronJob = getObject(state, 'CronJob', namespace, name)
      return cronJob ? syncCronJob(cronJob, state, now) : nothing
    },
  }
}

const isFinished = (job: JsonObject) => jobCondition(job, 'Complete') !== undefined || jobCondition(job, 'Failed') !== undefined
const referenceTo = (job: JsonObject): JsonObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  name: nameOf(job),
  namespace: namespaceOf(job),
  uid: uidOf(job),
  resourceVersion: meta(job).resourceVersion,
})
const deleteJob = (job: JsonObject): Action => ({
  type: 'delete',
  kind: 'Job',
  namespace: namespaceOf(job),
  name: nameOf(job),
  options: { propagationPolicy: 'Background' },
})

function syncCronJob(cronJob: JsonObject, state: ClusterState, now: Date): Reconciliation {
  const jobs = ownedBy(state, uidOf(cronJob), 'Job').filter((j) => controllerOf(j)?.uid === uidOf(cronJob))
  const before = status(cronJob)
  const next: JsonObject = { ...before }
  let active = arrayAt(before, 'active').filter(isObject)
  const event = (reason: string, message: string, type?: 'Warning') =>
    recordEvent(cronJob, { reason, message, component: COMPONENT, ...(type && { type }) }, now)
  const events: Action[] = []
  const writes: Action[] = []
  const inActive = (job: JsonObject) => active.some((ref) => ref.uid === uidOf(job))
  const lastScheduled = Date.parse(String(before.lastScheduleTime ?? ''))

  for (const job of jobs) {
    if (!inActive(job) && !isFinished(job)) {
      // The Job this controller created last time round: now that it exists, it is active.
      if (Number.isFinite(lastScheduled) && nameOf(job) === jobNameFor(nameOf(cronJob), new Date(lastScheduled)))
        active = [...active, referenceTo(job)]
      else events.push(event('UnexpectedJob', `Saw a job that the controller did not create or forgot: ${nameOf(job)}`, 'Warning'))
    } else if (inActive(job) && isFinished(job)) {
      active = active.filter((ref) => ref.uid !== uidOf(job))
      events.push(
        event('SawCompletedJob', `Saw completed job: ${nameOf(job)}, condition: ${jobCondition(job, 'Complete') ? 'Complete' : 'Failed'}`),
      )
    }
    const completed = Date.parse(String(status(job).completionTime ?? ''))
    if (isFinished(job) && Number.isFinite(completed) && !(Date.parse(String(next.lastSuccessfulTime ?? '')) >= completed)) {
      next.lastSuccessfulTime = status(job).completionTime
    }
  }
  for (const ref of active) {
    if (jobs.some((j) => uidOf(j) === ref.uid)) continue
    events.push(event('MissingJob', `Active job went missing: ${String(ref.name)}`))
    active = active.filter((r) => r !== ref)
  }

  let requeueAfterMs: number | undefined
  const schedule = parseSchedule(String(spec(cronJob).schedule ?? ''))
  if ('error' in schedule) {
    events.push(
      event('UnparseableSchedule', `unparseable schedule: ${JSON.stringify(spec(cronJob).schedule)} : ${schedule.error}`, 'Warning'),
    )
  } else if (!isDeleting(cronJob) && spec(cronJob).suspend !== true) {
    requeueAfterMs = untilNextSchedule(cronJob, schedule, now)
    const recent = mostRecentScheduleTime(cronJob, schedule, now, true)
    const scheduled = recent.mostRecent
    if (recent.tooMany) {
      events.push(
        event(
          'TooManyMissedTimes',
          `too many missed start times: ${recent.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`,
          'Warning',
        ),
      )
    }
    const deadline = spec(cronJob).startingDeadlineSeconds
    const name = scheduled && jobNameFor(nameOf(cronJob), scheduled)
    if (!scheduled || scheduled > now) {
      // Nothing due yet.
    } else if (typeof deadline === 'number' && scheduled.getTime() + deadline * 1000 < now.getTime()) {
      events.push(event('MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`, 'Warning'))
    } else if (active.some((ref) => ref.name === name) || scheduled.getTime() === lastScheduled) {
      // This schedule was already started.
    } else if (spec(cronJob).concurrencyPolicy === 'Forbid' && active.length > 0) {
      events.push(event('JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid'))
    } else {
      if (spec(cronJob).concurrencyPolicy === 'Replace') {
        for (const ref of active) {
          const job = jobs.find((j) => uidOf(j) === ref.uid)
          if (!job) continue
          writes.push(deleteJob(job))
          events.push(event('SuccessfulDelete', `Deleted job ${nameOf(job)}`))
        }
        active = []
      }
      writes.push({ type: 'create', object: jobFromTemplate(cronJob, scheduled) })
      events.push(event('SuccessfulCreate', `Created job ${name}`))
      next.lastScheduleTime = timestamp(scheduled)
      requeueAfterMs = untilNextSchedule({ ...cronJob, status: next }, schedule, now)
    }
  }

  const cleanup = cleanupFinishedJobs(cronJob, jobs)
  for (const job of cleanup) events.push(event('SuccessfulDelete', `Deleted job ${nameOf(job)}`))
  next.active = active
  if (active.length === 0) delete next.active
  return {
    actions: [
      ...(writes.length > 0 ? [writes] : []),
      ...(deepEqual(next, before) ? [] : [{ type: 'updateStatus', object: { ...cronJob, status: next } } as Action]),
      ...cleanup.map(deleteJob),
      ...events,
    ],
    ...(requeueAfterMs !== undefined && { requeueAfterMs }),
  }
}

/** `getJobFromTemplate2`: the template's labels, annotations and spec, named and stamped for the schedule. */
function jobFromTemplate(cronJob: JsonObject, scheduled: Date): JsonObject {
  const template = objectAt(spec(cronJob), 'jobTemplate') ?? {}
  const templateMeta = objectAt(template, 'metadata') ?? {}
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(nameOf(cronJob), scheduled),
      namespace: namespaceOf(cronJob),
      ...(templateMeta.labels !== undefined && { labels: templateMeta.labels }),
      annotations: { ...objectAt(templateMeta, 'annotations'), [SCHEDULED_TIMESTAMP]: timestamp(scheduled) },
      ownerReferences: [controllerReference(cronJob)],
    },
    spec: objectAt(template, 'spec') ?? {},
  }
}

/** `cleanupFinishedJobs`: beyond each history limit, the finished Jobs that started first go. */
function cleanupFinishedJobs(cronJob: JsonObject, jobs: JsonObject[]): JsonObject[] {
  const started = (j: JsonObject) => Date.parse(String(status(j).startTime ?? '')) || Number.POSITIVE_INFINITY
  const oldest = (finished: JsonObject[], limit: unknown) => {
    const list = finished.filter((j) => !isDeleting(j)).sort((a, b) => started(a) - started(b) || nameOf(a).localeCompare(nameOf(b)))
    return typeof limit === 'number' ? list.slice(0, Math.max(0, list.length - limit)) : []
  }
  return [
    ...oldest(
      jobs.filter((j) => jobCondition(j, 'Complete')),
      spec(cronJob).successfulJobsHistoryLimit,
    ),
    ...oldest(
      jobs.filter((j) => jobCondition(j, 'Failed')),
      spec(cronJob).failedJobsHistoryLimit,
    ),
  ]
}
