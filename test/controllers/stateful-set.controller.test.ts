import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listObjects } from '../../projections/cluster-state.js'
import type { Projection } from '../../projections/projection.js'
import type { ResourceApi } from '../../services/api/resource-api.js'
import { controllerOf } from '../../services/controllers/helpers/objects.js'
import { FakeClock } from '../../services/controllers/runtime/clock.js'
import type { ControllerRunner } from '../../services/controllers/runtime/runner.js'
import { createStatefulSetController } from '../../services/controllers/stateful-set.controller.js'
import type { JsonObject } from '../../services/resources/json.js'
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
  c = await startCluster([createStatefulSetController()], clock)
  ;({ api, projection, runner } = c)
})
afterAll(() => c.stop())

const statefulSet = (name: string, policy: 'OrderedReady' | 'Parallel') => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas: 3,
    serviceName: name,
    podManagementPolicy: policy,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
})

const meta = (o: JsonObject) => o.metadata as JsonObject
const podsOf = (set: string) =>
  listObjects(projection.state, 'Pod', 'default')
    .filter((p) => controllerOf(p)?.name === set)
    .map((p) => String(meta(p).name))
    .sort()
const pod = (name: string) => listObjects(projection.state, 'Pod', 'default').find((p) => meta(p).name === name)!
const claims = () => listObjects(projection.state, 'PersistentVolumeClaim', 'default').map((c) => String(meta(c).name))

/** The stand-in kubelet: the pod runs and is ready. */
async function markReady(name: string) {
  const now = clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z')
  const ready = { type: 'Ready', status: 'True', lastTransitionTime: now }
  const current = pod(name)
  await api.updateStatus(kubelet, { ...current, metadata: { ...meta(current), resourceVersion: undefined }, status: { phase: 'Running', startTime: now, conditions: [ready] } })
  await runner.settled()
}

describe(`the StatefulSet controller (${backend})`, () => {
  it('creates ordinals in order, each waiting for the one before to be Running and Ready (OrderedReady)', async () => {
    await api.create(user, statefulSet('web', 'OrderedReady'))
    await runner.settled()
    expect(podsOf('web')).toEqual(['web-0'])
    await runner.settled()
    expect(podsOf('web')).toEqual(['web-0'])

    await markReady('web-0')
    expect(podsOf('web')).toEqual(['web-0', 'web-1'])
    await markReady('web-1')
    expect(podsOf('web')).toEqual(['web-0', 'web-1', 'web-2'])
    await markReady('web-2')

    const web1 = pod('web-1')
    expect(meta(web1).labels).toMatchObject({ app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-1', 'apps.kubernetes.io/pod-index': '1' })
    expect(web1.spec).toMatchObject({ hostname: 'web-1', subdomain: 'web', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } }] })
    expect(claims()).toEqual(['data-web-0', 'data-web-1', 'data-web-2'])

    const sts = await api.get('sts', 'default', 'web')
    const revision = (meta(web1).labels as Record<string, string>)['controller-revision-hash']
    expect(revision).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/)
    expect(sts.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: revision, updateRevision: revision, observedGeneration: 1 })
  })

  it('scales down from the highest ordinal, one at a time, and keeps the claims', async () => {
    const head = (await c.t.store.head()).revision
    await api.scale(user, 'sts', 'default', 'web', 1)
    await runner.settled()
    expect(podsOf('web')).toEqual(['web-0'])
    const deletions = (await c.t.store.events({ after: head, kind: 'Pod' })).filter((e) => e.type === 'Deleted').map((e) => e.name)
    expect(deletions).toEqual(['web-2', 'web-1'])
    expect(claims()).toEqual(['data-web-0', 'data-web-1', 'data-web-2'])
    expect((await api.get('sts', 'default', 'web')).status).toMatchObject({ replicas: 1, readyReplicas: 1 })
  })

  it('rolls a new template out from the highest ordinal down, sparing ordinals below the partition', async () => {
    await api.scale(user, 'sts', 'default', 'web', 3)
    await runner.settled()
    await markReady('web-1')
    await markReady('web-2')
    await api.patch(user, 'sts', 'default', 'web', { spec: { updateStrategy: { rollingUpdate: { partition: 1 } }, template: { spec: { containers: [{ name: 'db', image: 'db:2' }] } } } }, 'strategic')
    await runner.settled()
    const image = (name: string) => ((pod(name).spec as JsonObject).containers as JsonObject[])[0]!.image
    expect([image('web-0'), image('web-1'), image('web-2')]).toEqual(['db:1', 'db:1', 'db:2'])
    await markReady('web-2')
    expect([image('web-0'), image('web-1'), image('web-2')]).toEqual(['db:1', 'db:2', 'db:2'])
    await markReady('web-1')

    const sts = await api.get('sts', 'default', 'web')
    expect(sts.status).toMatchObject({ replicas: 3, updatedReplicas: 2, currentReplicas: 1 })
    const status = sts.status as JsonObject
    expect(status.currentRevision).not.toBe(status.updateRevision)
    expect(listObjects(projection.state, 'ControllerRevision', 'default').map((r) => r.revision).sort()).toEqual([1, 2])
  })

  it('creates every ordinal at once, without waiting (Parallel)', async () => {
    await api.create(user, statefulSet('cache', 'Parallel'))
    await runner.settled()
    expect(podsOf('cache')).toEqual(['cache-0', 'cache-1', 'cache-2'])
    expect(claims().filter((c) => c.includes('cache'))).toEqual(['data-cache-0', 'data-cache-1', 'data-cache-2'])
    await api.scale(user, 'sts', 'default', 'cache', 0)
    await runner.settled()
    expect(podsOf('cache')).toEqual([])
  })
})
