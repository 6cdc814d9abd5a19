import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listObjects } from '../../projections/cluster-state.js'
import type { Projection } from '../../projections/projection.js'
import type { ResourceApi } from '../../services/api/resource-api.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { controllerOf, nameOf } from '../../services/runtime/objects.js'
import { createJobController } from '../../services/controllers/job.controller.js'
import { FakeClock } from '../../services/runtime/clock.js'
import type { ControllerRunner } from '../../services/runtime/runner.js'
import type { JsonObject } from '../../services/json.js'
import { backend } from '../support/store.js'
import { startCluster, type Cluster } from './cluster-harness.js'

const clock = new FakeClock(new Date())
const user = { actor: 'user' }
const kubelet = { actor: 'system:node:test' }
let c: Cluster
let api: ResourceApi
let projection: Projection
let runner: ControllerRunner

beforeAll(async () => {
  c = await startCluster([createJobController()], clock)
  ;({ api, projection, runner } = c)
})
afterAll(() => c.stop())

const job = (name: string, spec: JsonObject = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'default' },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] } }, ...spec },
})

const podsOf = (name: string) => listObjects(projection.state, 'Pod', 'default').filter((p) => controllerOf(p)?.name === name)
const running = (name: string) => podsOf(name).filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''))
const statusOf = async (name: string) => (await api.get('job', 'default', name)).status as JsonObject
const conditionTypes = async (name: string) =>
  (((await statusOf(name)).conditions ?? []) as JsonObject[]).filter((c) => c.status === 'True').map((c) => c.type)
const now = () =>
  clock
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')

/** The stand-in kubelet: the pod's one container ran and exited with `exitCode`. */
async function finish(pod: Pod, exitCode: number) {
  const terminated = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: now() }
  await api.updateStatus(kubelet, {
    ...pod,
    metadata: { ...pod.metadata, resourceVersion: undefined },
    status: {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now() }],
      containerStatuses: [{ name: 'work', ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { terminated } }],
    },
  })
}

async function finishAll(name: string, exitCode: number) {
  for (const pod of running(name)) await finish(pod, exitCode)
  await runner.settled()
}

// The controller's decisions are specified in job.reconcile.test.ts; these cases run a Job to its
// end through the store, where each finished pod is counted over several writes (uncounted, the
// tracking finalizer removed, counted) and the back-off comes back as a requeue.
describe(`the Job controller, run (${backend})`, () => {
  it('runs completions 3 with parallelism 2 to completion', async () => {
    await api.create(user, job('batch', { completions: 3, parallelism: 2 }))
    await runner.settled()
    const first = podsOf('batch')
    expect(first).toHaveLength(2)
    const pod = first[0]!
    expect(nameOf(pod)).toMatch(/^batch-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    expect(pod.metadata?.labels).toMatchObject({ 'batch.kubernetes.io/job-name': 'batch', 'job-name': 'batch' })
    expect(pod.metadata?.finalizers).toEqual(['batch.kubernetes.io/job-tracking'])
    expect(await statusOf('batch')).toMatchObject({ active: 2, ready: 0, terminating: 0, startTime: now() })

    await finishAll('batch', 0)
    expect(podsOf('batch')).toHaveLength(3)
    expect(await statusOf('batch')).toMatchObject({ active: 1, succeeded: 2 })

    await finishAll('batch', 0)
    const status = await statusOf('batch')
    expect(status).toMatchObject({ succeeded: 3, completionTime: now(), uncountedTerminatedPods: {} })
    expect(status.active).toBeUndefined()
    expect(await conditionTypes('batch')).toEqual(['SuccessCriteriaMet', 'Complete'])
    expect((status.conditions as JsonObject[])[1]).toMatchObject({
      reason: 'CompletionsReached',
      message: 'Reached expected number of succeeded pods',
    })
    expect(podsOf('batch').flatMap((p) => p.metadata?.finalizers ?? [])).toEqual([])
    const events = listObjects(projection.state, 'Event', 'default').filter((e) => e.involvedObject.name === 'batch')
    expect(events.map((e) => e.reason).sort()).toEqual(['Completed', 'SuccessfulCreate', 'SuccessfulCreate', 'SuccessfulCreate'])
  })

  it('replaces failed pods after a back-off of 10 s doubling, and fails once failures pass backoffLimit', async () => {
    await api.create(user, job('flaky', { backoffLimit: 2 }))
    await runner.settled()
    await finishAll('flaky', 1)
    expect(await statusOf('flaky')).toMatchObject({ failed: 1 })
    clock.advance(9_000)
    await runner.settled()
    expect(running('flaky')).toHaveLength(0)
    clock.advance(1_000)
    await runner.settled()
    expect(running('flaky')).toHaveLength(1)

    await finishAll('flaky', 1)
    clock.advance(19_000)
    await runner.settled()
    expect(running('flaky')).toHaveLength(0)
    clock.advance(1_000)
    await runner.settled()
    expect(running('flaky')).toHaveLength(1)

    await finishAll('flaky', 1)
    expect(await conditionTypes('flaky')).toEqual(['FailureTarget', 'Failed'])
    const status = await statusOf('flaky')
    expect((status.conditions as JsonObject[])[1]).toMatchObject({
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    })
    expect(status).toMatchObject({ failed: 3 })
    const warnings = listObjects(projection.state, 'Event', 'default').filter(
      (e) => e.involvedObject.name === 'flaky' && e.type === 'Warning',
    )
    expect(warnings.map((e) => [e.reason, e.message])).toEqual([['BackoffLimitExceeded', 'Job has reached the specified backoff limit']])
    clock.advance(600_000)
    await runner.settled()
    expect(podsOf('flaky')).toHaveLength(3)
  })
})
