import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listObjects } from '../../projections/cluster-state.js'
import type { Projection } from '../../projections/projection.js'
import type { ResourceApi } from '../../services/api/resource-api.js'
import { createCronJobController } from '../../services/controllers/cron-job.controller.js'
import type { Job } from 'kubernetes-types/batch/v1.js'
import { controllerOf, nameOf } from '../../services/runtime/objects.js'
import { FakeClock } from '../../services/runtime/clock.js'
import type { ControllerRunner } from '../../services/runtime/runner.js'
import type { JsonObject } from '../../services/json.js'
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
    jobTemplate: {
      metadata: { labels: { app: name } },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'tick', image: 'busybox' }] } } },
    },
    ...spec,
  },
})

const jobsOf = (name: string) => listObjects(projection.state, 'Job', 'default').filter((j) => controllerOf(j)?.name === name)
const jobNames = (name: string) => jobsOf(name).map(nameOf).sort()
const statusOf = async (name: string) => (await api.get('cj', 'default', name)).status as JsonObject
const reasons = (name: string) =>
  listObjects(projection.state, 'Event', 'default')
    .filter((e) => e.involvedObject.name === name)
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
async function finishJob(job: Job, type: 'Complete' | 'Failed') {
  const time = clock
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
  await api.updateStatus(jobController, {
    ...job,
    metadata: { ...job.metadata, resourceVersion: undefined },
    status: {
      startTime: time,
      ...(type === 'Complete' && { completionTime: time, succeeded: 1 }),
      conditions: [{ type, status: 'True', lastTransitionTime: time }],
    },
  })
  await runner.settled()
}

// The controller's decisions are specified in cron-job.reconcile.test.ts; this case runs it on
// the fake clock: the requeue at the next schedule brings the next Job, and the Job's changes
// reach its CronJob.
describe(`the CronJob controller, run (${backend})`, () => {
  it('creates a Job from the template at each schedule and tracks it in status', async () => {
    await api.create(user, cronJob('tick'))
    await runner.settled()
    expect(jobsOf('tick')).toHaveLength(0)

    await nextMinute()
    const scheduled = minute()
    expect(jobNames('tick')).toEqual([`tick-${scheduled}`])
    const job = jobsOf('tick')[0]!
    expect(job.metadata?.annotations).toEqual({ 'batch.kubernetes.io/cronjob-scheduled-timestamp': iso(scheduled) })
    expect(job.metadata?.labels).toEqual({ app: 'tick' })
    let status = await statusOf('tick')
    expect(status).toMatchObject({
      lastScheduleTime: iso(scheduled),
      active: [{ kind: 'Job', name: `tick-${scheduled}`, uid: job.metadata?.uid }],
    })

    const finishedAt = clock
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z')
    await finishJob(job, 'Complete')
    status = await statusOf('tick')
    expect(status.active).toBeUndefined()
    // The Job's completionTime.
    expect(status.lastSuccessfulTime).toBe(finishedAt)
    expect(reasons('tick')).toEqual(expect.arrayContaining(['SuccessfulCreate', 'SawCompletedJob']))

    await nextMinute()
    expect(jobNames('tick')).toEqual([`tick-${scheduled}`, `tick-${scheduled + 1}`])
    await api.delete(user, 'cj', 'default', 'tick')
  })
})
