import { describe, expect, it } from 'vitest'
import { createCronJobController } from '../../services/controllers/cron-job.controller.js'
import type { JsonObject } from '../../services/json.js'
import {
  controlledBy,
  created,
  deleted,
  NOW,
  ReconcilerSpecification,
  recorded,
  secondsFromNow,
  statusWritten,
  uidOfGiven,
} from '../support/given.js'

const given = ReconcilerSpecification.for(createCronJobController())
/** NOW is a whole minute: the minute `* * * * *` fires, and the name of its Job. */
const minute = NOW.getTime() / 60_000

function cronJob(spec: JsonObject = {}, status: JsonObject = {}, createdAgo = 30): JsonObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default', creationTimestamp: secondsFromNow(-createdAgo) },
    spec: {
      schedule: '* * * * *',
      jobTemplate: {
        metadata: { labels: { app: 'tick' } },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'tick', image: 'busybox' }] } } },
      },
      ...spec,
    },
    status,
  }
}

/** The Job the CronJob made for the schedule `minutesAgo` before NOW, finished as `outcome` (active when absent). */
function jobOf(owner: JsonObject, minutesAgo: number, outcome?: 'Complete' | 'Failed'): JsonObject {
  const at = secondsFromNow(-60 * minutesAgo)
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `tick-${minute - minutesAgo}`,
      namespace: 'default',
      annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': at },
      ownerReferences: [controlledBy(owner)],
    },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'tick', image: 'busybox' }] } } },
    status: {
      startTime: at,
      ...(outcome && { conditions: [{ type: outcome, status: 'True', lastTransitionTime: secondsFromNow(-60 * minutesAgo + 10) }] }),
      ...(outcome === 'Complete' && { completionTime: secondsFromNow(-60 * minutesAgo + 10), succeeded: 1 }),
    },
  }
}

const reference = (job: JsonObject) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  name: (job.metadata as JsonObject).name,
  namespace: 'default',
  uid: uidOfGiven(job),
})
const createdJob = (scheduledAgo = 0, owner?: JsonObject) =>
  created('Job', {
    metadata: {
      name: `tick-${minute - scheduledAgo}`,
      labels: { app: 'tick' },
      annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': secondsFromNow(-60 * scheduledAgo) },
      ...(owner && { ownerReferences: [controlledBy(owner)] }),
    },
    spec: { template: { spec: { containers: [{ name: 'tick', image: 'busybox' }] } } },
  })

describe('the CronJob controller decides', () => {
  it('to create a Job from the template at its schedule, named for the minute, and to look again 100 ms after the next', () => {
    const tick = cronJob()
    given(tick)
      .when('default/tick')
      .thenRequeuesAfter(60_100)
      .then(
        createdJob(0, tick),
        statusWritten('CronJob', 'default/tick', { lastScheduleTime: secondsFromNow(0) }),
        recorded('Normal', 'SuccessfulCreate', `Created job tick-${minute}`),
      )
  })

  it('to wait for the schedule, doing nothing before it', () => {
    given(cronJob({}, {}, 15))
      .when('default/tick', secondsFromNow(-15))
      .thenRequeuesAfter(15_100)
      .thenNothing()
  })

  it('to track the Job it created as active, and a finished one as done, with the last successful time', () => {
    const tick = cronJob({}, { lastScheduleTime: secondsFromNow(0) })
    const running = jobOf(tick, 0)
    given(tick, running)
      .when('default/tick', secondsFromNow(1))
      .then(statusWritten('CronJob', 'default/tick', { lastScheduleTime: secondsFromNow(0), active: [reference(running)] }))
    const done = jobOf(tick, 1, 'Complete')
    const watching = cronJob({}, { lastScheduleTime: secondsFromNow(-60), active: [reference(done)] })
    const when = given(watching, done).when('default/tick', secondsFromNow(-1))
    when.then(
      statusWritten('CronJob', 'default/tick', { lastSuccessfulTime: secondsFromNow(-50) }),
      recorded('Normal', 'SawCompletedJob', `Saw completed job: tick-${minute - 1}, condition: Complete`),
    )
    expect(when.status?.active).toBeUndefined()
  })

  it('to skip a run while the last one is active under Forbid', () => {
    const tick = cronJob({ concurrencyPolicy: 'Forbid' }, { lastScheduleTime: secondsFromNow(-60) })
    const running = jobOf(tick, 1)
    const forbidding = { ...tick, status: { lastScheduleTime: secondsFromNow(-60), active: [reference(running)] } }
    given(forbidding, running)
      .when('default/tick')
      .then(recorded('Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid'))
  })

  it('to replace the active run with the new one under Replace', () => {
    const tick = cronJob({ concurrencyPolicy: 'Replace' })
    const running = jobOf(tick, 1)
    const replacing = { ...tick, status: { lastScheduleTime: secondsFromNow(-60), active: [reference(running)] } }
    given(replacing, running)
      .when('default/tick')
      .then(
        deleted('Job', `default/tick-${minute - 1}`, { options: { propagationPolicy: 'Background' } }),
        createdJob(),
        statusWritten('CronJob', 'default/tick', { lastScheduleTime: secondsFromNow(0) }),
        recorded('Normal', 'SuccessfulDelete', `Deleted job tick-${minute - 1}`),
        recorded('Normal', 'SuccessfulCreate', `Created job tick-${minute}`),
      )
  })

  it('to keep only successfulJobsHistoryLimit and failedJobsHistoryLimit finished Jobs, deleting those that started first', () => {
    const tick = cronJob({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }, { lastScheduleTime: secondsFromNow(0) })
    const jobs = [jobOf(tick, 4, 'Complete'), jobOf(tick, 3, 'Failed'), jobOf(tick, 2, 'Complete'), jobOf(tick, 1, 'Failed')]
    given(tick, jobs)
      .when('default/tick', secondsFromNow(1))
      .thenIncludes(deleted('Job', `default/tick-${minute - 4}`), deleted('Job', `default/tick-${minute - 3}`))
      .thenExcludes(deleted('Job', `default/tick-${minute - 2}`), deleted('Job', `default/tick-${minute - 1}`))
  })

  it('to run only the most recent missed schedule, warning when more than 100 were missed', () => {
    given(cronJob({}, {}, 150 * 60))
      .when('default/tick')
      .then(
        createdJob(),
        statusWritten('CronJob', 'default/tick', { lastScheduleTime: secondsFromNow(0) }),
        recorded(
          'Warning',
          'TooManyMissedTimes',
          'too many missed start times: 150. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
        ),
        recorded('Normal', 'SuccessfulCreate'),
      )
  })

  it('to start no run later than startingDeadlineSeconds after its schedule', () => {
    given(cronJob({ startingDeadlineSeconds: 10 }, {}, 90))
      .when('default/tick', secondsFromNow(20))
      .thenRequeuesAfter(40_100)
      .thenExcludes(created('Job'))
    given(cronJob({ startingDeadlineSeconds: 10 }, {}, 90))
      .when('default/tick', secondsFromNow(5))
      .thenIncludes(createdJob())
  })

  it('to read the schedule in spec.timeZone', () => {
    // Minute 30 in Kolkata (UTC+05:30) is minute 0 in UTC: NOW, a whole hour.
    const zoned = cronJob({ schedule: '30 * * * *', timeZone: 'Asia/Kolkata' }, {}, 30 * 60)
    given(zoned).when('default/tick').thenIncludes(createdJob())
    given(zoned).when('default/tick', secondsFromNow(-60)).thenRequeuesAfter(60_100).thenNothing()
  })

  it('to start nothing while suspended, not even looking again', () => {
    given(cronJob({ suspend: true }, {}, 600))
      .when('default/tick')
      .thenRequeuesAfter(undefined)
      .thenNothing()
  })
})
