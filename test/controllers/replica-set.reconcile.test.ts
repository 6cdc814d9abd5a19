import { describe, expect, it } from 'vitest'
import { createReplicaSetController } from '../../services/controllers/replica-set.controller.js'
import type { JsonObject } from '../../services/json.js'
import {
  controlledBy,
  created,
  deleted,
  NOW,
  patched,
  ReconcilerSpecification,
  recorded,
  secondsFromNow,
  statusWritten,
  uidOfGiven,
} from '../support/given.js'

const given = ReconcilerSpecification.for(createReplicaSetController('ReplicaSet'))

function replicaSet(name: string, replicas: number, spec: JsonObject = {}, status: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: { team: 'blue' } },
        spec: { containers: [{ name: 'app', image: 'nginx' }] },
      },
      ...spec,
    },
    status,
  }
}

interface PodOptions {
  owner?: JsonObject
  labels?: Record<string, string>
  node?: string
  phase?: string
  /** Ready since this many seconds before NOW; not ready when absent. */
  readyFor?: number
  deleting?: boolean
}

function pod(name: string, o: PodOptions = {}): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: o.labels ?? { app: 'web' },
      ...(o.owner && { ownerReferences: [controlledBy(o.owner)] }),
      ...(o.deleting && { deletionTimestamp: secondsFromNow(30), finalizers: ['example.com/hold'] }),
    },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...(o.node && { nodeName: o.node }) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [
        { type: 'Ready', status: o.readyFor === undefined ? 'False' : 'True', lastTransitionTime: secondsFromNow(-(o.readyFor ?? 0)) },
      ],
    },
  }
}

const web = replicaSet('web', 3)
const createdPod = created('Pod', { metadata: { generateName: 'web-', namespace: 'default', ownerReferences: [controlledBy(web)] } })
const successfulCreate = recorded('Normal', 'SuccessfulCreate', /^Created pod: web-[bcdfghjklmnpqrstvwxz2456789]{5}$/)

describe('the ReplicaSet controller decides', () => {
  it('to create the missing pods from its template in slow-start batches of 1, then 2, each with a SuccessfulCreate event', () => {
    const when = given(web).when('default/web')
    when.then(
      createdPod,
      createdPod,
      createdPod,
      successfulCreate,
      successfulCreate,
      successfulCreate,
      statusWritten('ReplicaSet', 'default/web', { replicas: 0, observedGeneration: 1 }),
    )
    // The first pod alone; the next two together, with the first one's event; then the last events.
    expect(
      when.reconciliation.actions.map((step) => (Array.isArray(step) ? step.map((a) => a.type === 'create' && a.object.kind) : step.type)),
    ).toEqual([['Pod'], ['Pod', 'Pod', 'Event'], ['Event', 'Event'], 'updateStatus'])
    for (const pod of when.created('Pod')) {
      expect(pod.metadata).toMatchObject({ labels: { app: 'web' }, annotations: { team: 'blue' } })
      expect(pod.spec).toMatchObject({ containers: [{ name: 'app', image: 'nginx' }] })
    }
    const names = when.created('Pod').map((p) => `Created pod: ${String((p.metadata as JsonObject).name)}`)
    expect(when.created('Event').map((e) => e.message)).toEqual(names)
    expect(when.created('Event')[0]).toMatchObject({
      involvedObject: { kind: 'ReplicaSet', name: 'web', uid: uidOfGiven(web) },
      source: { component: 'replicaset-controller' },
    })
  })

  it('to create at most 500 pods in one sync (burstReplicas)', () => {
    const when = given(replicaSet('web', 600)).when('default/web')
    expect(when.created('Pod')).toHaveLength(500)
  })

  it('to delete the pods that are not ready first when there are too many, with their uid as a precondition', () => {
    const owner = replicaSet('web', 2)
    const pods = [
      pod('web-a', { owner, node: 'n1', readyFor: 600 }),
      pod('web-b', { owner, node: 'n1' }),
      pod('web-c', { owner, node: 'n1', readyFor: 600 }),
    ]
    given(owner, pods)
      .when('default/web')
      .then(
        deleted('Pod', 'default/web-b', { options: { preconditions: { uid: uidOfGiven(pods[1]!) } } }),
        recorded('Normal', 'SuccessfulDelete', 'Deleted pod: web-b'),
        statusWritten('ReplicaSet', 'default/web', {
          replicas: 3,
          fullyLabeledReplicas: 3,
          readyReplicas: 2,
          availableReplicas: 2,
          observedGeneration: 1,
        }),
      )
  })

  it('to adopt a matching orphan, leaving pods of other controllers, finished pods and pods being deleted alone', () => {
    const owner = replicaSet('web', 2)
    const other = replicaSet('other', 1, { selector: { matchLabels: { app: 'web' } } })
    const orphan = pod('stray')
    given(owner, orphan, pod('foreign', { owner: other }), pod('done', { phase: 'Succeeded' }), pod('going', { deleting: true }))
      .when('default/web')
      .then(
        patched(
          'Pod',
          'default/stray',
          { metadata: { ownerReferences: [controlledBy(owner)], uid: uidOfGiven(orphan) } },
          { patchType: 'strategic', reason: 'adopted by ReplicaSet web' },
        ),
        createdPod,
        successfulCreate,
        statusWritten('ReplicaSet', 'default/web', { replicas: 1, fullyLabeledReplicas: 1 }),
      )
  })

  it('to release a pod whose labels stopped matching, and to replace it', () => {
    const owner = replicaSet('web', 1)
    const moved = pod('web-a', { owner, labels: { app: 'elsewhere' } })
    given(owner, moved)
      .when('default/web')
      .then(
        patched(
          'Pod',
          'default/web-a',
          { metadata: { ownerReferences: [{ $patch: 'delete', uid: uidOfGiven(owner) }], uid: uidOfGiven(moved) } },
          { reason: 'released by ReplicaSet web: its labels no longer match the selector' },
        ),
        createdPod,
        successfulCreate,
        statusWritten('ReplicaSet', 'default/web', { replicas: 0 }),
      )
  })

  it('to replace a pod that failed, not counting it', () => {
    const owner = replicaSet('web', 2, {}, { replicas: 2, fullyLabeledReplicas: 2, observedGeneration: 1 })
    given(owner, pod('web-a', { owner }), pod('web-b', { owner, phase: 'Failed' }))
      .when('default/web')
      .then(createdPod, successfulCreate, statusWritten('ReplicaSet', 'default/web', { replicas: 1, fullyLabeledReplicas: 1 }))
  })

  it('to write nothing when the pods and the status are as they should be', () => {
    const owner = replicaSet(
      'web',
      1,
      {},
      { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 },
    )
    given(owner, pod('web-a', { owner, readyFor: 60 }))
      .when('default/web')
      .thenNothing()
  })

  it('to count a ready pod available only after minReadySeconds, and to look again when it will be', () => {
    const owner = replicaSet('web', 1, { minReadySeconds: 30 })
    const ready = pod('web-a', { owner, readyFor: 10 })
    given(owner, ready)
      .when('default/web')
      .thenRequeuesAfter(20_000)
      .then(statusWritten('ReplicaSet', 'default/web', { replicas: 1, readyReplicas: 1, observedGeneration: 1 }))
    expect(given(owner, ready).when('default/web').status?.availableReplicas).toBeUndefined()
    given(owner, ready)
      .when('default/web', secondsFromNow(20))
      .thenRequeuesAfter(undefined)
      .then(statusWritten('ReplicaSet', 'default/web', { replicas: 1, readyReplicas: 1, availableReplicas: 1 }))
  })

  it('to neither create nor delete pods for a ReplicaSet being deleted, only to report them', () => {
    const owner = replicaSet('web', 3)
    ;(owner.metadata as JsonObject).deletionTimestamp = secondsFromNow(0)
    ;(owner.metadata as JsonObject).finalizers = ['foregroundDeletion']
    given(owner, pod('web-a', { owner }))
      .when('default/web')
      .then(statusWritten('ReplicaSet', 'default/web', { replicas: 1 }))
  })

  it('to report a template the API would reject as FailedCreate and a ReplicaFailure condition, creating nothing', () => {
    const broken = replicaSet('broken', 2, {
      template: { metadata: { labels: { app: 'broken' } }, spec: { containers: [{ name: 'app' }] } },
    })
    given(broken)
      .when('default/broken')
      .then(
        recorded('Warning', 'FailedCreate', /^Error creating: Pod "broken-\w{5}" is invalid: spec\.containers\[0\]\.image: Required value/),
        statusWritten('ReplicaSet', 'default/broken', {
          replicas: 0,
          observedGeneration: 1,
          conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', lastTransitionTime: secondsFromNow(0) }],
        }),
      )
  })

  it('to record FailedCreate once: with the ReplicaFailure condition already there, it writes nothing more', () => {
    const failure = {
      type: 'ReplicaFailure',
      status: 'True',
      reason: 'FailedCreate',
      message: 'x',
      lastTransitionTime: secondsFromNow(-60),
    }
    const broken = replicaSet(
      'broken',
      2,
      { template: { metadata: { labels: { app: 'broken' } }, spec: { containers: [{ name: 'app' }] } } },
      { replicas: 0, observedGeneration: 1, conditions: [failure] },
    )
    given(broken).when('default/broken').thenNothing()
  })

  it('to drop the ReplicaFailure condition once the pods can be created', () => {
    const failure = {
      type: 'ReplicaFailure',
      status: 'True',
      reason: 'FailedCreate',
      message: 'x',
      lastTransitionTime: secondsFromNow(-60),
    }
    const owner = replicaSet('web', 1, {}, { replicas: 0, observedGeneration: 1, conditions: [failure] })
    const when = given(owner).when('default/web')
    when.then(createdPod, successfulCreate, statusWritten('ReplicaSet', 'default/web', { replicas: 0 }))
    expect(when.status).toEqual({ replicas: 0, observedGeneration: 1 })
  })

  it('to do nothing for a ReplicaSet whose selector selects nothing, or one that is gone', () => {
    given(replicaSet('none', 2, { selector: null }))
      .when('default/none')
      .thenNothing()
    given().when('default/gone').thenNothing()
  })
})

describe('the ReplicationController controller decides', () => {
  const givenRc = ReconcilerSpecification.for(createReplicaSetController('ReplicationController'))
  const rc = {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'legacy', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { app: 'legacy' },
      template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    },
  }

  it('as the ReplicaSet controller does, with a map selector and its own component', () => {
    const when = givenRc(rc).when('default/legacy')
    const pod = created('Pod', { metadata: { generateName: 'legacy-', labels: { app: 'legacy' }, ownerReferences: [controlledBy(rc)] } })
    const event = recorded('Normal', 'SuccessfulCreate', /^Created pod: legacy-/)
    when.then(pod, pod, event, event, statusWritten('ReplicationController', 'default/legacy', { replicas: 0, observedGeneration: 1 }))
    expect(when.created('Event')[0]).toMatchObject({ source: { component: 'replication-controller' } })
  })

  it('to adopt the orphans its map selects', () => {
    const orphan = pod('old', { labels: { app: 'legacy', extra: 'x' }, readyFor: 60 })
    givenRc({ ...rc, spec: { ...rc.spec, replicas: 1 } }, orphan)
      .when('default/legacy', NOW)
      .then(
        patched('Pod', 'default/old', { metadata: { ownerReferences: [controlledBy(rc)] } }),
        statusWritten('ReplicationController', 'default/legacy', {
          replicas: 1,
          fullyLabeledReplicas: 1,
          readyReplicas: 1,
          availableReplicas: 1,
        }),
      )
  })
})
