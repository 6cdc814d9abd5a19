import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listObjects } from '../../projections/cluster-state.js'
import type { Projection } from '../../projections/projection.js'
import type { ResourceApi } from '../../services/api/resource-api.js'
import { createCronJobController } from '../../services/controllers/cron-job.controller.js'
import { controllerOf } from '../../services/controllers/helpers/objects.js'
import { FakeClock } from '../../services/controllers/runtime/clock.js'
import type { ControllerRunner } from '../../services/controllers/runtime/runner.js'
import type { JsonObject } from '../../services/resources/json.js'
import { backend } from '../support/store.js'
import { startCluster, type Cluster } from './cluster-harness.js'

const clock = new FakeClock(new Date())
const user = { actor: 'user' }
const jobController = { actor: 'system:controller:job' }
let c: Cluster
let api: ResourceApi
let projection: Projection
let runner: ControllerRunner

beforeAll(async () => {
  c = await startCluster([createCronJobController()], clock)
  ;({ api, projection, runner } = c)
})
afterAll(() => c.stop())

const cronJob = (name: string, spec: JsonObject = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name, namespace: 'default' },
  spec: {
    schedule: '* * * * *',
    jobTemplate: { metadata: { labels: { app: name } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'tick', image: 'busybox' }] } } } },
    ...spec,
  },
})

const meta = (o: JsonObject) => o.metadata as JsonObject
const jobsOf = (name: string) => listObjects(projection.state, 'Job', 'default').filter((j) => controllerOf(j)?.name === name)
const jobNames = (name: string) => jobsOf(name).map((j) => String(meta(j).name)).sort()
const statusOf = async (name: string) => (await api.get('cj', 'default', name)).status as JsonObject
const reasons = (name: string) =>
  listObjects(projection.state, 'Event', 'default')
    .filter((e) => (e.involvedObject as JsonObject).name === name)
    .map((e) => String(e.reason))
const minute = () => Math.floor(clock.now().getTime() / 60_000)
const iso = (minutes: number) => new Date(minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z')

/** Moves the clock just past the next whole minute (when `* * * * *` fires) and lets the controller act. */
async function nextMinute(minutes = 1) {
  const ms = (minute() + minutes) * 60_000 + 500 - clock.now().getTime()
  clock.advance(ms)
  await runner.settled()
}

/** The stand-in Job controller: the Job finished. */
async function finishJob(job: JsonObject, type: 'Complete' | 'Failed') {
  const time = clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z')
  await api.updateStatus(jobController, {
    ...job,
    metadata: { ...meta(job), resourceVersion: undefined },
    status: { startTime: time, ...(type === 'Complete' && { completionTime: time, succeeded: 1 }), conditions: [{ type, status: 'True', lastTransitionTime: time }] },
  })
  await runner.settled()
}

describe(`the CronJob controller (${backend})`, () => {
  it('creates a Job from the template at each schedule and tracks it in status', async () => {
    await api.create(user, cronJob('tick'))
    await runner.settled()
    expect(jobsOf('tick')).toHaveLength(0)

    await nextMinute()
    const scheduled = minute()
    expect(jobNames('tick')).toEqual([`tick-${scheduled}`])
    const job = jobsOf('tick')[0]!
    expect(meta(job).annotations).toEqual({ 'batch.kubernetes.io/cronjob-scheduled-timestamp': iso(scheduled) })
    expect(meta(job).labels).toEqual({ app: 'tick' })
    let status = await statusOf('tick')
    expect(status).toMatchObject({ lastScheduleTime: iso(scheduled), active: [{ kind: 'Job', name: `tick-${scheduled}`, uid: meta(job).uid }] })

    await finishJob(job, 'Complete')
    status = await statusOf('tick')
    expect(status.active).toBeUndefined()
    expect(status.lastSuccessfulTime).toBeDefined()
    expect(reasons('tick')).toEqual(expect.arrayContaining(['SuccessfulCreate', 'SawCompletedJob']))

    await nextMinute()
    expect(jobNames('tick')).toEqual([`tick-${scheduled}`, `tick-${scheduled + 1}`])
    await api.delete(user, 'cj', 'default', 'tick')
  })

  it('skips a run while the last one is active under Forbid', async () => {
    await api.create(user, cronJob('forbid', { concurrencyPolicy: 'Forbid' }))
    await runner.settled()
    await nextMinute()
    const first = jobNames('forbid')
    expect(first).toHaveLength(1)
    await nextMinute()
    expect(jobNames('forbid')).toEqual(first)
    expect(reasons('forbid')).toContain('JobAlreadyActive')
    await api.delete(user, 'cj', 'default', 'forbid')
  })

  it('replaces the active run with the new one under Replace', async () => {
    await api.create(user, cronJob('replace', { concurrencyPolicy: 'Replace' }))
    await runner.settled()
    await nextMinute()
    const [first] = jobNames('replace')
    await nextMinute()
    const names = jobNames('replace')
    expect(names).toHaveLength(1)
    expect(names[0]).not.toBe(first)
    expect((await statusOf('replace')).active).toEqual([expect.objectContaining({ name: names[0] })])
    await api.delete(user, 'cj', 'default', 'replace')
  })

  it('keeps only successfulJobsHistoryLimit and failedJobsHistoryLimit finished Jobs', async () => {
    await api.create(user, cronJob('history', { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }))
    await runner.settled()
    const outcomes: Array<'Complete' | 'Failed'> = ['Complete', 'Failed', 'Complete', 'Failed']
    const seen: string[] = []
    for (const outcome of outcomes) {
      await nextMinute()
      const job = jobsOf('history').find((j) => !(j.status as JsonObject | undefined)?.conditions)!
      seen.push(String(meta(job).name))
      await finishJob(job, outcome)
    }
    expect(jobNames('history')).toEqual([seen[2], seen[3]].sort())
    await api.delete(user, 'cj', 'default', 'history')
  })

  it('runs only the most recent missed schedule, warning when more than 100 were missed', async () => {
    await api.create(user, cronJob('missed', { suspend: true }))
    await nextMinute(150)
    expect(jobsOf('missed')).toHaveLength(0)
    await api.patch(user, 'cj', 'default', 'missed', { spec: { suspend: false } }, 'merge')
    await runner.settled()
    expect(jobNames('missed')).toEqual([`missed-${minute()}`])
    expect(reasons('missed')).toContain('TooManyMissedTimes')
    await api.delete(user, 'cj', 'default', 'missed')
  })

  it('does not start a run later than startingDeadlineSeconds', async () => {
    await api.create(user, cronJob('deadline', { suspend: true, startingDeadlineSeconds: 10 }))
    await nextMinute(3)
    clock.advance(20_000)
    await api.patch(user, 'cj', 'default', 'deadline', { spec: { suspend: false } }, 'merge')
    await runner.settled()
    expect(jobsOf('deadline')).toHaveLength(0)
    await nextMinute()
    expect(jobNames('deadline')).toEqual([`deadline-${minute()}`])
    await api.delete(user, 'cj', 'default', 'deadline')
  })

  it('reads the schedule in spec.timeZone', async () => {
    // Minute 30 in Kolkata (UTC+05:30) is minute 0 in UTC: the run comes at the next whole UTC hour.
    await api.create(user, cronJob('zoned', { schedule: '30 * * * *', timeZone: 'Asia/Kolkata' }))
    await runner.settled()
    const hour = Math.ceil((clock.now().getTime() + 1) / 3_600_000) * 60
    await nextMinute(hour - minute() - 1)
    expect(jobsOf('zoned')).toHaveLength(0)
    await nextMinute()
    expect(jobNames('zoned')).toEqual([`zoned-${hour}`])
    await api.delete(user, 'cj', 'default', 'zoned')
  })
})
