import type { CronJob, CronJobStatus, Job, JobSpec } from 'kubernetes-types/batch/v1.js'
import type { ObjectReference } from 'kubernetes-types/core/v1.js'
import { eventObject, getObject, ownedBy, type ClusterView } from '../../projections/cluster-state.js'
import { timestamp } from '../api/context.js'
import { deepEqual } from '../json.js'
import { parseSchedule } from '../resources/kinds/batch/cron-schedule.js'
import { jobNameFor, mostRecentScheduleTime, rfc1123z, untilNextSchedule } from './cron-job-schedule.js'
import { recordEvent } from '../runtime/events.js'
import { asJson, controllerOf, controllerReference, isDeleting, keysOfKind, nameOf, namespaceOf, uidOf } from '../runtime/objects.js'
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

const isFinished = (job: Job) => jobCondition(job, 'Complete') !== undefined || jobCondition(job, 'Failed') !== undefined
const referenceTo = (job: Job): ObjectReference => {
  const resourceVersion = job.metadata?.resourceVersion
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: nameOf(job),
    namespace: namespaceOf(job),
    uid: uidOf(job),
    ...(resourceVersion !== undefined && { resourceVersion }),
  }
}
const deleteJob = (job: Job): Action => ({
  type: 'delete',
  kind: 'Job',
  namespace: namespaceOf(job),
  name: nameOf(job),
  options: { propagationPolicy: 'Background' },
})

function syncCronJob(cronJob: CronJob, state: ClusterView, now: Date): Reconciliation {
  const jobs = ownedBy(state, uidOf(cronJob), 'Job').filter((j) => controllerOf(j)?.uid === uidOf(cronJob))
  const before = cronJob.status ?? {}
  const next: CronJobStatus = { ...before }
  let active = before.active ?? []
  const event = (reason: string, message: string, type?: 'Warning') =>
    recordEvent(cronJob, { reason, message, component: COMPONENT, ...(type && { type }) }, now)
  const events: Action[] = []
  const writes: Action[] = []
  const inActive = (job: Job) => active.some((ref) => ref.uid === uidOf(job))
  const lastScheduled = Date.parse(before.lastScheduleTime ?? '')

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
    const completionTime = job.status?.completionTime
    const completed = Date.parse(completionTime ?? '')
    if (
      isFinished(job) &&
      completionTime !== undefined &&
      Number.isFinite(completed) &&
      !(Date.parse(next.lastSuccessfulTime ?? '') >= completed)
    ) {
      next.lastSuccessfulTime = completionTime
    }
  }
  for (const ref of active) {
    if (jobs.some((j) => uidOf(j) === ref.uid)) continue
    events.push(event('MissingJob', `Active job went missing: ${ref.name}`))
    active = active.filter((r) => r !== ref)
  }

  let requeueAfterMs: number | undefined
  const schedule = parseSchedule(cronJob.spec?.schedule ?? '')
  if ('error' in schedule) {
    events.push(
      event('UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cronJob.spec?.schedule)} : ${schedule.error}`, 'Warning'),
    )
  } else if (!isDeleting(cronJob) && cronJob.spec?.suspend !== true) {
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
    const deadline = cronJob.spec?.startingDeadlineSeconds
    const name = scheduled && jobNameFor(nameOf(cronJob), scheduled)
    if (!scheduled || scheduled > now) {
      // Nothing due yet.
    } else if (deadline !== undefined && scheduled.getTime() + deadline * 1000 < now.getTime()) {
      events.push(event('MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`, 'Warning'))
    } else if (active.some((ref) => ref.name === name) || scheduled.getTime() === lastScheduled) {
      // This schedule was already started.
    } else if (cronJob.spec?.concurrencyPolicy === 'Forbid' && active.length > 0) {
      events.push(event('JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid'))
    } else {
      if (cronJob.spec?.concurrencyPolicy === 'Replace') {
        for (const ref of active) {
          const job = jobs.find((j) => uidOf(j) === ref.uid)
          if (!job) continue
          writes.push(deleteJob(job))
          events.push(event('SuccessfulDelete', `Deleted job ${nameOf(job)}`))
        }
        active = []
      }
      writes.push({ type: 'create', object: asJson(jobFromTemplate(cronJob, scheduled)) })
      events.push(event('SuccessfulCreate', `Created job ${name}`))
      next.lastScheduleTime = timestamp(scheduled)
      requeueAfterMs = untilNextSchedule({ ...cronJob, status: next }, schedule, now)
    }
  }

  const cleanup = cleanupFinishedJobs(cronJob, jobs)
  for (const job of cleanup) events.push(event('SuccessfulDelete', `Deleted job ${nameOf(job)}`))
  next.active = active
  if (active.length === 0) delete next.active
  const updated: CronJob = { ...cronJob, status: next }
  return {
    actions: [
      ...(writes.length > 0 ? [writes] : []),
      ...(deepEqual(next, before) ? [] : [{ type: 'updateStatus', object: asJson(updated) } satisfies Action]),
      ...cleanup.map(deleteJob),
      ...events,
    ],
    ...(requeueAfterMs !== undefined && { requeueAfterMs }),
  }
}

/** `getJobFromTemplate2`: the template's labels, annotations and spec, named and stamped for the schedule. */
function jobFromTemplate(cronJob: CronJob, scheduled: Date): Job {
  const template = cronJob.spec?.jobTemplate ?? {}
  const templateMeta = template.metadata ?? {}
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(nameOf(cronJob), scheduled),
      namespace: namespaceOf(cronJob),
      ...(templateMeta.labels !== undefined && { labels: templateMeta.labels }),
      annotations: { ...templateMeta.annotations, [SCHEDULED_TIMESTAMP]: timestamp(scheduled) },
      ownerReferences: [controllerReference(cronJob)],
    },
    // `{}`, Go's zero JobSpec, when the template has none (validation requires one).
    spec: template.spec ?? ({} as JobSpec),
  }
}

/** `cleanupFinishedJobs`: beyond each history limit, the finished Jobs that started first go. */
function cleanupFinishedJobs(cronJob: CronJob, jobs: Job[]): Job[] {
  const started = (j: Job) => Date.parse(j.status?.startTime ?? '') || Number.POSITIVE_INFINITY
  const oldest = (finished: Job[], limit: number | undefined) => {
    const list = finished.filter((j) => !isDeleting(j)).sort((a, b) => started(a) - started(b) || nameOf(a).localeCompare(nameOf(b)))
    return limit !== undefined ? list.slice(0, Math.max(0, list.length - limit)) : []
  }
  return [
    ...oldest(
      jobs.filter((j) => jobCondition(j, 'Complete')),
      cronJob.spec?.successfulJobsHistoryLimit,
    ),
    ...oldest(
      jobs.filter((j) => jobCondition(j, 'Failed')),
      cronJob.spec?.failedJobsHistoryLimit,
    ),
  ]
}
