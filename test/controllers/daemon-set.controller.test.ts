import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listObjects } from '../../projections/cluster-state.js'
import type { Projection } from '../../projections/projection.js'
import type { ResourceApi } from '../../services/api/resource-api.js'
import { createDaemonSetController } from '../../services/controllers/daemon-set.controller.js'
import { targetNodeOf } from '../../services/controllers/daemon-set-nodes.js'
import { controllerOf } from '../../services/controllers/helpers/objects.js'
import { FakeClock } from '../../services/controllers/runtime/clock.js'
import type { ControllerRunner } from '../../services/controllers/runtime/runner.js'
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
const meta = (o: JsonObject) => o.metadata as JsonObject
const labels = (o: JsonObject) => meta(o).labels as Record<string, string>
const byNode = () => Object.fromEntries(podsOf().map((p) => [targetNodeOf(p), p]))

/** The stand-in kubelet: the pod runs and is ready. */
async function markReady(pod: JsonObject) {
  const now = clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z')
  const ready = { type: 'Ready', status: 'True', lastTransitionTime: now }
  await api.updateStatus(kubelet, { ...pod, metadata: { ...meta(pod), resourceVersion: undefined }, status: { phase: 'Running', startTime: now, conditions: [ready] } })
}

async function markAllReady() {
  for (const pod of podsOf()) if (!(pod.status as JsonObject).conditions) await markReady(pod)
  await runner.settled()
}

describe(`the DaemonSet controller (${backend})`, () => {
  it('puts one pod on each node whose taints it tolerates, pinned there by node affinity', async () => {
    for (const n of [node('n1'), node('n2'), node('n3', [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }])]) await api.create(user, n)
    await api.create(user, daemonSet('agent:1'))
    await runner.settled()

    const pods = byNode()
    expect(Object.keys(pods).sort()).toEqual(['n1', 'n2'])
    const pod = pods.n1!
    expect((pod.spec as JsonObject).affinity).toEqual({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } },
    })
    const tolerations = (pod.spec as JsonObject).tolerations as JsonObject[]
    expect(tolerations).toContainEqual({ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' })
    expect(tolerations).toContainEqual({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' })
    expect(tolerations.some((t) => t.tolerationSeconds !== undefined)).toBe(false)
    expect(labels(pod)['pod-template-generation']).toBe('1')

    const [revision] = listObjects(projection.state, 'ControllerRevision', 'default')
    expect(revision).toMatchObject({ revision: 1, metadata: { name: `agent-${labels(pod)['controller-revision-hash']}` } })
    expect((await api.get('ds', 'default', 'agent')).status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 0, numberUnavailable: 2 })
  })

  it('counts ready pods in its status', async () => {
    await markAllReady()
    const ds = await api.get('ds', 'default', 'agent')
    expect(ds.status).toEqual({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberMisscheduled: 0,
      numberReady: 2,
      numberAvailable: 2,
      updatedNumberScheduled: 2,
      observedGeneration: 1,
    })
  })

  it('follows nodes: a new node gets a pod, a NoExecute taint it does not tolerate evicts it', async () => {
    await api.create(user, node('n4'))
    await runner.settled()
    expect(Object.keys(byNode()).sort()).toEqual(['n1', 'n2', 'n4'])

    await api.patch(user, 'node', undefined, 'n4', { spec: { taints: [{ key: 'maintenance', effect: 'NoExecute' }] } }, 'merge')
    await runner.settled()
    expect(Object.keys(byNode()).sort()).toEqual(['n1', 'n2'])
    expect((await api.get('ds', 'default', 'agent')).status).toMatchObject({ desiredNumberScheduled: 2, numberReady: 2 })
  })

  it('rolls a new template out one node at a time, waiting for each new pod to be ready', async () => {
    const oldHash = labels(podsOf()[0]!)['controller-revision-hash']
    await api.patch(user, 'ds', 'default', 'agent', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:2' }] } } } }, 'strategic')
    await runner.settled()
    const images = () => podsOf().map((p) => ((p.spec as JsonObject).containers as JsonObject[])[0]!.image).sort()
    expect(images()).toEqual(['agent:1', 'agent:2'])
    await runner.settled()
    expect(images()).toEqual(['agent:1', 'agent:2'])

    await markAllReady()
    expect(images()).toEqual(['agent:2', 'agent:2'])
    await markAllReady()
    const pods = podsOf()
    expect(pods.every((p) => labels(p)['controller-revision-hash'] !== oldHash && labels(p)['pod-template-generation'] === '2')).toBe(true)
    const revisions = listObjects(projection.state, 'ControllerRevision', 'default').map((r) => r.revision).sort()
    expect(revisions).toEqual([1, 2])
    expect((await api.get('ds', 'default', 'agent')).status).toMatchObject({ updatedNumberScheduled: 2, numberAvailable: 2, observedGeneration: 2 })
  })
})
