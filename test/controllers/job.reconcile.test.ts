import { describe, expect, it } from 'vitest'
import { createJobController } from '../../services/controllers/job.controller.js'
import type { JsonObject } from '../../services/json.js'
import {
  controlledBy,
  created,
  deleted,
  patched,
  ReconcilerSpecification,
  recorded,
  secondsFromNow,
  statusWritten,
  uidOfGiven,
} from '../support/given.js'

const given = ReconcilerSpecification.for(createJobController())
const now = secondsFromNow(0)
const TRACKING = 'batch.kubernetes.io/job-tracking'

function job(spec: JsonObject = {}, status: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'batch', namespace: 'default' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] } }, ...spec },
    status,
  }
}

interface PodOptions {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed'
  /** Seconds before now its container finished. */
  finished?: number
  ready?: boolean
  restarts?: number
  tracked?: boolean
  index?: number
}

function jobPod(owner: JsonObject, name: string, o: PodOptions = {}): JsonObject {
  const phase = o.phase ?? 'Running'
  const terminated = phase === 'Succeeded' || phase === 'Failed'
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: { 'batch.kubernetes.io/job-name': 'batch', 'job-name': 'batch' },
      ...(o.index !== undefined && { annotations: { 'batch.kubernetes.io/job-completion-index': String(o.index) } }),
      ...(o.tracked !== false && { finalizers: [TRACKING] }),
      ownerReferences: [controlledBy(owner)],
    },
    spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: secondsFromNow(-(o.finished ?? 60)) }],
      containerStatuses: [
        {
          name: 'work',
          restartCount: o.restarts ?? 0,
          state: terminated
            ? { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: secondsFromNow(-(o.finished ?? 60)) } }
            : { running: { startedAt: secondsFromNow(-120) } },
        },
      ],
    },
  }
}

const createdJobPod = (owner: JsonObject) =>
  created('Pod', {
    metadata: {
      labels: { 'batch.kubernetes.io/job-name': 'batch', 'job-name': 'batch' },
      finalizers: [TRACKING],
      ownerReferences: [controlledBy(owner)],
    },
  })
const removesTracking = (pod: string) =>
  patched('Pod', `default/${pod}`, { metadata: { '$deleteFromPrimitiveList/finalizers': [TRACKING] } })
const started = { startTime: secondsFromNow(-120) }

describe('the Job controller decides', () => {
  it('to start parallelism pods of completions, each holding the tracking finalizer', () => {
    const batch = job({ completions: 3, parallelism: 2 })
    const when = given(batch).when('default/batch')
    when.then(
      createdJobPod(batch),
      createdJobPod(batch),
      statusWritten('Job', 'default/batch', { active: 2, ready: 0, terminating: 0, startTime: now, uncountedTerminatedPods: {} }),
      recorded('Normal', 'SuccessfulCreate', /^Created pod: batch-[bcdfghjklmnpqrstvwxz2456789]{5}$/),
      recorded('Normal', 'SuccessfulCreate', /^Created pod: batch-[bcdfghjklmnpqrstvwxz2456789]{5}$/),
    )
  })

  it('to count a succeeded pod in two steps: its uid as uncounted with its finalizer removed, then in succeeded', () => {
    const batch = job({ completions: 3, parallelism: 2 }, { ...started, active: 2 })
    const done = jobPod(batch, 'batch-a', { phase: 'Succeeded' })
    given(batch, done, jobPod(batch, 'batch-b'))
      .when('default/batch')
      .then(
        createdJobPod(batch),
        statusWritten('Job', 'default/batch', { active: 2, uncountedTerminatedPods: { succeeded: [uidOfGiven(done)] } }),
        removesTracking('batch-a'),
        recorded('Normal', 'SuccessfulCreate'),
      )
    const counted = job(
      { completions: 3, parallelism: 2 },
      { ...started, active: 2, uncountedTerminatedPods: { succeeded: [uidOfGiven(done)] } },
    )
    const when = given(
      counted,
      jobPod(counted, 'batch-a', { phase: 'Succeeded', tracked: false }),
      jobPod(counted, 'batch-b'),
      jobPod(counted, 'batch-c'),
    ).when('default/batch')
    when.then(statusWritten('Job', 'default/batch', { active: 2, succeeded: 1, uncountedTerminatedPods: {} }))
  })

  it('to finish a Job whose completions all succeeded: SuccessCriteriaMet, then Complete with the completion time', () => {
    const batch = job({ completions: 1 }, { ...started, succeeded: 1, uncountedTerminatedPods: {} })
    const when = given(batch, jobPod(batch, 'batch-a', { phase: 'Succeeded', tracked: false })).when('default/batch')
    when.then(
      statusWritten('Job', 'default/batch', { succeeded: 1, completionTime: now }),
      recorded('Normal', 'Completed', 'Job completed'),
    )
    expect((when.status!.conditions as JsonObject[]).map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
      ['Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
    ])
  })

  it('to wait 10 s after a failure before it creates a replacement, doubling for each further failure', () => {
    const batch = (failed: number) => job({ backoffLimit: 6 }, { ...started, failed })
    const one = batch(1)
    given(one, jobPod(one, 'batch-a', { phase: 'Failed', finished: 4, tracked: false }))
      .when('default/batch')
      .thenRequeuesAfter(6_000)
      .thenExcludes(created('Pod'))
    given(one, jobPod(one, 'batch-a', { phase: 'Failed', finished: 10, tracked: false }))
      .when('default/batch')
      .thenIncludes(createdJobPod(one))
    const two = batch(2)
    given(
      two,
      jobPod(two, 'batch-a', { phase: 'Failed', finished: 40, tracked: false }),
      jobPod(two, 'batch-b', { phase: 'Failed', finished: 15, tracked: false }),
    )
      .when('default/batch')
      .thenRequeuesAfter(5_000)
      .thenExcludes(created('Pod'))
  })

  it('to fail a Job once its failures pass backoffLimit: FailureTarget, then Failed with a warning', () => {
    const batch = job({ backoffLimit: 2 }, { ...started, failed: 3, uncountedTerminatedPods: {} })
    const when = given(batch, jobPod(batch, 'batch-a', { phase: 'Failed', tracked: false })).when('default/batch')
    when.then(
      statusWritten('Job', 'default/batch', { failed: 3 }),
      recorded('Warning', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
    )
    expect((when.status!.conditions as JsonObject[]).map((c) => [c.type, c.reason])).toEqual([
      ['FailureTarget', 'BackoffLimitExceeded'],
      ['Failed', 'BackoffLimitExceeded'],
    ])
  })

  it('to count container restarts against backoffLimit when pods restart OnFailure, stopping the pod', () => {
    const onFailure = {
      backoffLimit: 2,
      template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'work', image: 'busybox' }] } },
    }
    const batch = job(onFailure, { ...started, active: 1, ready: 1, terminating: 0, uncountedTerminatedPods: {} })
    given(batch, jobPod(batch, 'batch-a', { restarts: 1, ready: true }))
      .when('default/batch')
      .thenNothing()
    const when = given(batch, jobPod(batch, 'batch-a', { restarts: 2, ready: true })).when('default/batch')
    when.thenIncludes(removesTracking('batch-a'), recorded('Normal', 'SuccessfulDelete', 'Deleted pod: batch-a'))
    expect((when.status!.conditions as JsonObject[]).map((c) => [c.type, c.reason])).toEqual([['FailureTarget', 'BackoffLimitExceeded']])
  })

  it('to fail a Job active longer than activeDeadlineSeconds, stopping its pods, and to look again at the deadline before', () => {
    const batch = job({ activeDeadlineSeconds: 150 }, { ...started, active: 1, ready: 1, terminating: 0, uncountedTerminatedPods: {} })
    given(batch, jobPod(batch, 'batch-a', { ready: true }))
      .when('default/batch')
      .thenRequeuesAfter(30_000)
      .thenNothing()
    const late = job({ activeDeadlineSeconds: 120 }, { ...started, active: 1 })
    const when = given(late, jobPod(late, 'batch-a', { ready: true })).when('default/batch')
    when.thenIncludes(deleted('Pod', 'default/batch-a'), removesTracking('batch-a'))
    expect((when.status!.conditions as JsonObject[]).map((c) => [c.type, c.reason, c.message])).toEqual([
      ['FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline'],
    ])
  })

  it('to give Indexed pods their completion index, and to start the lowest indexes neither done nor running', () => {
    const batch = job({ completionMode: 'Indexed', completions: 3, parallelism: 3 }, { ...started, completedIndexes: '1', succeeded: 1 })
    const when = given(
      batch,
      jobPod(batch, 'batch-1-x', { phase: 'Succeeded', index: 1, tracked: false }),
      jobPod(batch, 'batch-2-y', { index: 2 }),
    ).when('default/batch')
    const [pod] = when.created('Pod')
    expect(when.created('Pod')).toHaveLength(1)
    expect(pod).toMatchObject({
      metadata: {
        annotations: { 'batch.kubernetes.io/job-completion-index': '0' },
        labels: { 'batch.kubernetes.io/job-completion-index': '0' },
      },
      spec: { hostname: 'batch-0', containers: [{ env: [{ name: 'JOB_COMPLETION_INDEX' }] }] },
    })
    expect(String((pod!.metadata as JsonObject).name)).toMatch(/^batch-0-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    expect(when.status).toMatchObject({ completedIndexes: '1', succeeded: 1, active: 2 })
  })

  it('to start no pod for a suspended Job, saying it is suspended, and to start it once resumed', () => {
    const suspended = job({ suspend: true })
    const when = given(suspended).when('default/batch')
    when.then(statusWritten('Job', 'default/batch', { ready: 0, terminating: 0 }), recorded('Normal', 'Suspended', 'Job suspended'))
    expect((when.status!.conditions as JsonObject[]).map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Suspended', 'True', 'JobSuspended'],
    ])
    expect(when.status?.startTime).toBeUndefined()
    const resumed = job({ suspend: false }, when.status!)
    given(resumed)
      .when('default/batch')
      .thenIncludes(
        createdJobPod(resumed),
        statusWritten('Job', 'default/batch', {
          startTime: now,
          conditions: [{ type: 'Suspended', status: 'False', reason: 'JobResumed' }],
        }),
        recorded('Normal', 'Resumed', 'Job resumed'),
      )
  })

  it('to delete a finished Job once ttlSecondsAfterFinished have passed, and to look again then before', () => {
    const finished = (ago: number) =>
      job(
        { ttlSecondsAfterFinished: 60 },
        {
          conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: secondsFromNow(-ago) }],
          completionTime: secondsFromNow(-ago),
        },
      )
    given(finished(59)).when('default/batch').thenRequeuesAfter(1_000).thenNothing()
    const expired = finished(60)
    given(expired)
      .when('default/batch')
      .then(
        deleted('Job', 'default/batch', {
          options: { propagationPolicy: 'Background', preconditions: { uid: uidOfGiven(expired) } },
          reason: 'ttlSecondsAfterFinished expired',
        }),
      )
  })

  it('to remove the tracking finalizer from the pods of a Job that is gone', () => {
    const gone = job()
    given(jobPod(gone, 'batch-a', { phase: 'Succeeded' }), jobPod(gone, 'batch-b', { phase: 'Succeeded', tracked: false }))
      .when('default/batch')
      .then(removesTracking('batch-a'))
  })
})
