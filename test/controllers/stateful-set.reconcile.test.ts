import { describe, expect, it } from 'vitest'
import { computeHash } from '../../services/controllers/controller-revision.js'
import { createStatefulSetController } from '../../services/controllers/stateful-set.controller.js'
import type { JsonObject } from '../../services/json.js'
import {
  asStored,
  controlledBy,
  created,
  deleted,
  ReconcilerSpecification,
  recorded,
  secondsFromNow,
  statusWritten,
} from '../support/given.js'

const given = ReconcilerSpecification.for(createStatefulSetController())

function statefulSet(
  o: { replicas?: number; policy?: 'OrderedReady' | 'Parallel'; image?: string; partition?: number; generation?: number } = {},
): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', generation: o.generation ?? 1 },
    spec: {
      replicas: o.replicas ?? 3,
      serviceName: 'web',
      podManagementPolicy: o.policy ?? 'OrderedReady',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'db', image: o.image ?? 'db:1' }] } },
      ...(o.partition !== undefined && { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: o.partition } } }),
      volumeClaimTemplates: [
        { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
      ],
    },
  }
}

/** The revision name (`<set>-<hash>`) of the set's template as stored. */
const revisionName = (set: JsonObject) => `web-${computeHash((asStored(set, 1).spec as JsonObject).template)}`

function revisionFor(set: JsonObject, of: JsonObject, revision: number): JsonObject {
  const template = (asStored(of, 1).spec as JsonObject).template as JsonObject
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name: revisionName(of), namespace: 'default', labels: { app: 'web' }, ownerReferences: [controlledBy(set)] },
    data: { spec: { template: { ...template, $patch: 'replace' } } },
    revision,
  }
}

function pod(
  set: JsonObject,
  ordinal: number,
  o: { of?: JsonObject; ready?: boolean; phase?: string; deleting?: boolean } = {},
): JsonObject {
  const name = `web-${ordinal}`
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'web', 'controller-revision-hash': revisionName(o.of ?? set) },
      ownerReferences: [controlledBy(set)],
      ...(o.deleting && { deletionTimestamp: secondsFromNow(30), finalizers: ['example.com/hold'] }),
    },
    spec: { hostname: name, subdomain: 'web', containers: [{ name: 'db', image: 'x' }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: secondsFromNow(-600) }],
    },
  }
}

const claim = (ordinal: number) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: `data-web-${ordinal}`, namespace: 'default', labels: { app: 'web' } },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
})

const createdPod = (ordinal: number, set: JsonObject) =>
  created('Pod', {
    metadata: {
      name: `web-${ordinal}`,
      labels: {
        app: 'web',
        'statefulset.kubernetes.io/pod-name': `web-${ordinal}`,
        'apps.kubernetes.io/pod-index': String(ordinal),
        'controller-revision-hash': revisionName(set),
      },
      ownerReferences: [controlledBy(set)],
    },
    spec: {
      hostname: `web-${ordinal}`,
      subdomain: 'web',
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `data-web-${ordinal}` } }],
    },
  })

describe('the StatefulSet controller decides', () => {
  it('to create ordinal 0 first with its claim, under OrderedReady, recording its template as revision 1', () => {
    const set = statefulSet()
    given(set)
      .when('default/web')
      .then(
        created('ControllerRevision', { metadata: { name: revisionName(set), ownerReferences: [controlledBy(set)] }, revision: 1 }),
        created('PersistentVolumeClaim', {
          metadata: { name: 'data-web-0', labels: { app: 'web' } },
          spec: { resources: { requests: { storage: '1Gi' } } },
        }),
        createdPod(0, set),
        statusWritten('StatefulSet', 'default/web', {
          observedGeneration: 1,
          replicas: 0,
          currentRevision: revisionName(set),
          updateRevision: revisionName(set),
          availableReplicas: 0,
        }),
        recorded('Normal', 'SuccessfulCreate', 'create Claim data-web-0 Pod web-0 in StatefulSet web success'),
        recorded('Normal', 'SuccessfulCreate', 'create Pod web-0 in StatefulSet web successful'),
      )
  })

  it('to wait for each pod to be Running and Ready before it creates the next', () => {
    const set = statefulSet()
    const revision = revisionFor(set, set, 1)
    given(set, revision, claim(0), pod(set, 0, { ready: false }))
      .when('default/web')
      .thenExcludes(created('Pod'))
    given(set, revision, claim(0), pod(set, 0))
      .when('default/web')
      .thenIncludes(created('PersistentVolumeClaim', { metadata: { name: 'data-web-1' } }), createdPod(1, set))
      .thenExcludes(createdPod(2, set))
  })

  it('to create every ordinal at once under Parallel', () => {
    const set = statefulSet({ policy: 'Parallel' })
    const when = given(set, revisionFor(set, set, 1)).when('default/web')
    when.thenIncludes(createdPod(0, set), createdPod(1, set), createdPod(2, set))
    expect(when.created('PersistentVolumeClaim').map((c) => (c.metadata as JsonObject).name)).toEqual([
      'data-web-0',
      'data-web-1',
      'data-web-2',
    ])
  })

  it('to scale down from the highest ordinal, one pod at a time, keeping the claims', () => {
    const set = statefulSet({ replicas: 1 })
    const revision = revisionFor(set, set, 1)
    const claims = [claim(0), claim(1), claim(2)]
    given(set, revision, claims, pod(set, 0), pod(set, 1), pod(set, 2))
      .when('default/web')
      .thenIncludes(
        deleted('Pod', 'default/web-2'),
        recorded('Normal', 'SuccessfulDelete', 'delete Pod web-2 in StatefulSet web successful'),
      )
      .thenExcludes(deleted('Pod', 'default/web-1'), deleted('PersistentVolumeClaim'))
    // web-2 still terminating: web-1 waits.
    given(set, revision, claims, pod(set, 0), pod(set, 1), pod(set, 2, { deleting: true }))
      .when('default/web')
      .thenExcludes(deleted('Pod'))
    given(set, revision, claims, pod(set, 0), pod(set, 1)).when('default/web').thenIncludes(deleted('Pod', 'default/web-1'))
  })

  it('to roll a new template out from the highest ordinal down, one ready pod at a time, sparing ordinals below the partition', () => {
    const v1 = statefulSet({ partition: 1 })
    const v2 = statefulSet({ partition: 1, image: 'db:2', generation: 2 })
    const revisions = [revisionFor(v2, v1, 1), revisionFor(v2, v2, 2)]
    const claims = [claim(0), claim(1), claim(2)]
    const status = { status: { currentRevision: revisionName(v1), updateRevision: revisionName(v2) } }
    const set = { ...v2, ...status }
    given(set, revisions, claims, pod(set, 0, { of: v1 }), pod(set, 1, { of: v1 }), pod(set, 2, { of: v1 }))
      .when('default/web')
      .thenIncludes(deleted('Pod', 'default/web-2'))
      .thenExcludes(deleted('Pod', 'default/web-1'))
    given(set, revisions, claims, pod(set, 0, { of: v1 }), pod(set, 1, { of: v1 }))
      .when('default/web')
      .thenIncludes(createdPod(2, v2))
    given(set, revisions, claims, pod(set, 0, { of: v1 }), pod(set, 1, { of: v1 }), pod(set, 2, { ready: false }))
      .when('default/web')
      .thenExcludes(deleted('Pod'))
    given(set, revisions, claims, pod(set, 0, { of: v1 }), pod(set, 1, { of: v1 }), pod(set, 2))
      .when('default/web')
      .thenIncludes(deleted('Pod', 'default/web-1'))
    const done = given(set, revisions, claims, pod(set, 0, { of: v1 }), pod(set, 1), pod(set, 2)).when('default/web')
    done.thenExcludes(deleted('Pod'))
    expect(done.status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      currentReplicas: 1,
      updatedReplicas: 2,
      currentRevision: revisionName(v1),
      updateRevision: revisionName(v2),
    })
  })

  it('to recreate a failed pod, warning that it does', () => {
    const set = statefulSet({ replicas: 1 })
    given(set, revisionFor(set, set, 1), claim(0), pod(set, 0, { phase: 'Failed', ready: false }))
      .when('default/web')
      .thenIncludes(
        deleted('Pod', 'default/web-0'),
        recorded('Warning', 'RecreatingFailedPod', 'StatefulSet default/web is recreating failed Pod web-0'),
      )
  })

  it('to report a set whose pods are all ready at its one revision', () => {
    const set = statefulSet()
    given(
      set,
      revisionFor(set, set, 1),
      [0, 1, 2].map(claim),
      [0, 1, 2].map((i) => pod(set, i)),
    )
      .when('default/web')
      .then(
        statusWritten('StatefulSet', 'default/web', {
          observedGeneration: 1,
          replicas: 3,
          readyReplicas: 3,
          currentReplicas: 3,
          updatedReplicas: 3,
          currentRevision: revisionName(set),
          updateRevision: revisionName(set),
          availableReplicas: 3,
        }),
      )
  })
})
