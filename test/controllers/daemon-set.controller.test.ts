import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listObjects } from '../../projections/cluster-state.js'
import type { Projection } from '../../projections/projection.js'
import type { ResourceApi } from '../../services/api/resource-api.js'
import { createDaemonSetController } from '../../services/controllers/daemon-set.controller.js'
import { targetNodeOf } from '../../services/controllers/daemon-set-nodes.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { controllerOf, labelsOf, nameOf } from '../../services/runtime/objects.js'
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
  c = await startCluster([createDaemonSetController()], clock)
  ;({ api, projection, runner } = c)
})
afterAll(() => c.stop())

const node = (name: string, taints: JsonObject[] = []) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: { taints },
  status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
})

const daemonSet = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image }] } },
  },
})

const podsOf = () => listObjects(projection.state, 'Pod', 'default').filter((p) => controllerOf(p)?.name === 'agent')
const byNode = () => Object.fromEntries(podsOf().map((p) => [targetNodeOf(p), p]))

/** The stand-in kubelet: the pod runs and is ready. */
async function markReady(pod: Pod) {
  const now = clock
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
  const ready = { type: 'Ready', status: 'True', lastTransitionTime: now }
  await api.updateStatus(kubelet, {
    ...pod,
    metadata: { ...pod.metadata, resourceVersion: undefined },
    status: { phase: 'Running', startTime: now, conditions: [ready] },
  })
}

async function markAllReady() {
  for (const pod of podsOf()) if (!pod.status?.conditions) await markReady(pod)
  await runner.settled()
}

// The controller's decisions are specified in daemon-set.reconcile.test.ts; this case runs it:
// its writes land, and node and pod changes reach it.
describe(`the DaemonSet controller, run (${backend})`, () => {
  it('puts a pod on each node, follows a new node, and counts the pods a kubelet makes ready', async () => {
    for (const n of [node('n1'), node('n2', [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }])]) await api.create(user, n)
    await api.create(user, daemonSet('agent:1'))
    await runner.settled()
    expect(Object.keys(byNode())).toEqual(['n1'])
    const [revision] = listObjects(projection.state, 'ControllerRevision', 'default')
    expect(revision).toMatchObject({ revision: 1, metadata: { name: `agent-${labelsOf(byNode().n1!)['controller-revision-hash']}` } })
    const [createdBy] = await c.t.store.history({ kind: 'Pod', namespace: 'default', name: nameOf(byNode().n1!) })
    expect(createdBy!.meta.actor).toBe('system:controller:daemonset')

    await api.create(user, node('n3'))
    await runner.settled()
    expect(Object.keys(byNode()).sort()).toEqual(['n1', 'n3'])
    await markAllReady()
    expect((await api.get('ds', 'default', 'agent')).status).toEqual({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberMisscheduled: 0,
      numberReady: 2,
      numberAvailable: 2,
      updatedNumberScheduled: 2,
      observedGeneration: 1,
    })
  })
})
