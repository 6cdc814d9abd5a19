import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listObjects } from '../../projections/cluster-state.js'
import { Projection } from '../../projections/projection.js'
import { realEnvironment } from '../../services/api/context.js'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import { createHorizontalPodAutoscalerController } from '../../services/controllers/horizontal-pod-autoscaler.controller.js'
import { FakeClock } from '../../services/runtime/clock.js'
import { ControllerRunner } from '../../services/runtime/runner.js'
import { PodMetrics } from '../../services/kubelet/pod-metrics.js'
import { silentLogger } from '../../services/log.js'
import type { JsonObject } from '../../services/json.js'
import { backend, openTestStore, type TestStore } from '../support/store.js'

let t: TestStore
let api: ResourceApi
let projection: Projection
let runner: ControllerRunner
const clock = new FakeClock(new Date())
const metrics = new PodMetrics()
const user = { actor: 'user' }
const kubelet = { actor: 'system:node:test' }

beforeAll(async () => {
  t = await openTestStore()
  projection = await Projection.start(t.store)
  api = new ResourceApi({ store: t.store, projection, env: { ...realEnvironment, now: () => clock.now() } })
  await bootstrapNamespaces(api)
  runner = new ControllerRunner({
    api,
    projection,
    controllers: [createHorizontalPodAutoscalerController({ metrics })],
    clock,
    log: silentLogger,
  })
  runner.start()
})
afterAll(async () => {
  await runner.stop()
  projection.stop()
  await t.cleanup()
})

const now = () =>
  clock
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
const meta = (o: JsonObject) => o.metadata as JsonObject
const replicas = async () => Number(((await api.get('deploy', 'default', 'web')).spec as JsonObject).replicas)
const hpaStatus = async () => (await api.get('hpa', 'default', 'web')).status as JsonObject
const condition = async (type: string) => ((await hpaStatus()).conditions as JsonObject[]).find((c) => c.type === type)
const webPods = () => listObjects(projection.state, 'Pod', 'default').filter((p) => p.metadata?.labels?.app === 'web')

/**
 * The stand-ins for the Deployment controller and the kubelets: as many running, ready pods as
 * the Deployment asks for, each using `cpuMillis` of its 100m request.
 */
async function runPods(cpuMillis: number) {
  const want = await replicas()
  const pods = webPods()
  for (let i = pods.length; i < want; i++) {
    const pod = await api.create(user, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `web-${i}`, namespace: 'default', labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'web:1', resources: { requests: { cpu: '100m' } } }] },
    })
    const ready = { type: 'Ready', status: 'True', lastTransitionTime: now() }
    await api.updateStatus(kubelet, {
      ...pod,
      metadata: { ...meta(pod), resourceVersion: undefined },
      status: { phase: 'Running', startTime: now(), conditions: [ready] },
    })
  }
  for (const pod of pods.slice(want)) await api.delete(user, 'pod', 'default', String(pod.metadata?.name))
  for (let i = 0; i < want; i++) metrics.report(`default/web-${i}`, { cpuMillis, memoryBytes: 0, timestamp: clock.now() })
}

/** One sync period later. */
async function sync(cpuMillis: number) {
  await runPods(cpuMillis)
  clock.advance(15_000)
  await runner.settled()
}

// The controller's decisions are specified in horizontal-pod-autoscaler.reconcile.test.ts; this
// case runs it: it scales its target through the scale subresource, every sync period, with the
// usage the kubelets report.
describe(`the HorizontalPodAutoscaler controller, run (${backend})`, () => {
  it('scales its target under load through the scale subresource, again each sync period', async () => {
    await api.create(user, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
      },
    })
    await runPods(100)
    await api.create(user, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      },
    })
    await runner.settled()
    // 100% of the request against a 50% target: twice as many pods.
    expect(await replicas()).toBe(4)
    const status = await hpaStatus()
    expect(status).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 4,
      lastScaleTime: now(),
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 100, averageValue: '100m' } } }],
    })
    expect(await condition('AbleToScale')).toMatchObject({ status: 'True', reason: 'SucceededRescale' })
    expect(await condition('ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetricFound' })
    const events = listObjects(projection.state, 'Event', 'default').filter((e) => e.reason === 'SuccessfulRescale')
    expect(events.map((e) => e.message)).toEqual(['New size: 4; reason: cpu resource utilization (percentage of request) above target'])

    // 400% against 50%: 32 pods wanted; at most 4 more (or 100% more) per 15 s, and never more than 10.
    // The next sync period: 400% against 50%, at most 4 more (or 100% more) per 15 s.
    await sync(400)
    expect(await replicas()).toBe(8)
    expect(await condition('ScalingLimited')).toMatchObject({ status: 'True', reason: 'ScaleUpLimit' })
    const [scaledBy] = (await t.store.history({ kind: 'Deployment', namespace: 'default', name: 'web' })).filter(
      (e) => e.type !== 'Created',
    )
    expect(scaledBy!.meta.actor).toBe('system:controller:horizontal-pod-autoscaler')
  })
})
