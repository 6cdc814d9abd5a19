import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listObjects } from '../../projections/cluster-state.js'
import type { Projection } from '../../projections/projection.js'
import type { ResourceApi } from '../../services/api/resource-api.js'
import { controllerOf, labelsOf, nameOf } from '../../services/runtime/objects.js'
import { FakeClock } from '../../services/runtime/clock.js'
import type { ControllerRunner } from '../../services/runtime/runner.js'
import { createStatefulSetController } from '../../services/controllers/stateful-set.controller.js'
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
    volumeClaimTemplates: [
      { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    ],
  },
})

const podsOf = (set: string) =>
  listObjects(projection.state, 'Pod', 'default')
    .filter((p) => controllerOf(p)?.name === set)
    .map(nameOf)
    .sort()
const pod = (name: string) => listObjects(projection.state, 'Pod', 'default').find((p) => nameOf(p) === name)!
const claims = () => listObjects(projection.state, 'PersistentVolumeClaim', 'default').map(nameOf)

/** The stand-in kubelet: the pod runs and is ready. */
async function markReady(name: string) {
  const now = clock
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
  const ready = { type: 'Ready', status: 'True', lastTransitionTime: now }
  const current = pod(name)
  await api.updateStatus(kubelet, {
    ...current,
    metadata: { ...current.metadata, resourceVersion: undefined },
    status: { phase: 'Running', startTime: now, conditions: [ready] },
  })
  await runner.settled()
}

// The controller's decisions are specified in stateful-set.reconcile.test.ts; this case runs it:
// each pod a kubelet readies brings the next ordinal, and a scale-down deletes one pod at a time.
describe(`the StatefulSet controller, run (${backend})`, () => {
  it('creates ordinals in order as each becomes ready, then scales down from the highest one at a time', async () => {
    await api.create(user, statefulSet('web', 'OrderedReady'))
    await runner.settled()
    expect(podsOf('web')).toEqual(['web-0'])
    await markReady('web-0')
    expect(podsOf('web')).toEqual(['web-0', 'web-1'])
    await markReady('web-1')
    await markReady('web-2')
    expect(claims()).toEqual(['data-web-0', 'data-web-1', 'data-web-2'])
    const revision = labelsOf(pod('web-1'))['controller-revision-hash']
    expect((await api.get('sts', 'default', 'web')).status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      currentRevision: revision,
      updateRevision: revision,
    })
    const [createdBy] = await c.t.store.history({ kind: 'Pod', namespace: 'default', name: 'web-2' })
    expect(createdBy!.meta.actor).toBe('system:controller:statefulset')

    const head = (await c.t.store.head()).revision
    await api.scale(user, 'sts', 'default', 'web', 1)
    await runner.settled()
    expect(podsOf('web')).toEqual(['web-0'])
    const deletions = (await c.t.store.events({ after: head, kind: 'Pod' })).filter((e) => e.type === 'Deleted').map((e) => e.name)
    expect(deletions).toEqual(['web-2', 'web-1'])
    expect(claims()).toEqual(['data-web-0', 'data-web-1', 'data-web-2'])
  })
})
