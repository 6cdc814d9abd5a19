import { getObject } from '../../projections/cluster-state.js'
import { Projection } from '../../projections/projection.js'
import { realEnvironment } from '../../services/api/context.js'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import { createNodeLifecycleController } from '../../services/controllers/node-lifecycle.controller.js'
import { FakeClock } from '../../services/runtime/clock.js'
import { ControllerRunner } from '../../services/runtime/runner.js'
import { HeartbeatTable } from '../../services/runtime/heartbeat-table.js'
import { createKubelet } from '../../services/kubelet/kubelet.js'
import { PodMetrics } from '../../services/kubelet/pod-metrics.js'
import { silentLogger } from '../../services/log.js'
import type { JsonObject } from '../../services/json.js'
import { asJson, condition, type Conditioned } from '../../services/runtime/objects.js'
import type { KubeObject } from '../../services/resources/kind-types.js'
import { openTestStore, type TestStore } from '../support/store.js'

/**
 * A cluster of simulated nodes for integration tests: the real store and projection, the API on a
 * fake clock, and the kubelet and node lifecycle controller run by the controller runner.
 */
export interface SimCluster {
  clock: FakeClock
  t: TestStore
  api: ResourceApi
  projection: Projection
  runner: ControllerRunner
  heartbeats: HeartbeatTable
  metrics: PodMetrics
  /** Moves the clock in steps (as time passes: every heartbeat and check in its turn), settling after each. */
  advance(ms: number, stepMs?: number): Promise<void>
  /** The pod as the projection has it now. */
  pod(name: string, namespace?: string): JsonObject | undefined
  node(name: string): JsonObject | undefined
  /** The Events recorded about an object, as `reason: message`. */
  eventsFor(name: string): Promise<string[]>
  stop(): Promise<void>
}

export async function startSimCluster(): Promise<SimCluster> {
  const clock = new FakeClock()
  const t = await openTestStore()
  const projection = await Projection.start(t.store)
  const api = new ResourceApi({ store: t.store, projection, env: { ...realEnvironment, now: () => clock.now() } })
  await bootstrapNamespaces(api)
  const heartbeats = new HeartbeatTable()
  const metrics = new PodMetrics()
  const kubelet = createKubelet({ heartbeats, metrics, clock })
  const runner = new ControllerRunner({
    api,
    projection,
    controllers: [kubelet, createNodeLifecycleController({ heartbeats })],
    clock,
    log: silentLogger,
  })
  runner.start()
  return {
    clock,
    t,
    api,
    projection,
    runner,
    heartbeats,
    metrics,
    async advance(ms, stepMs = 5_000) {
      for (let done = 0; done < ms; done += stepMs) {
        clock.advance(Math.min(stepMs, ms - done))
        await runner.settled()
      }
    },
    pod: (name, namespace = 'default') => found(getObject(projection.state, 'Pod', namespace, name)),
    node: (name) => found(getObject(projection.state, 'Node', '', name)),
    async eventsFor(name) {
      const { items } = await api.list('Event')
      return items.filter((e) => (e.involvedObject as JsonObject).name === name).map((e) => `${String(e.reason)}: ${String(e.message)}`)
    },
    async stop() {
      kubelet.stop()
      await runner.stop()
      projection.stop()
      await t.cleanup()
    },
  }
}

/** A pod bound to `nodeName` (no scheduler yet), with simulation knobs as annotations. */
export function boundPod(name: string, nodeName: string, annotations: Record<string, string> = {}, spec: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', annotations },
    spec: { nodeName, containers: [{ name: 'app', image: 'nginx:1.25' }], ...spec },
  }
}

export const conditionOf = (object: Conditioned | undefined, type: string) => (object ? condition(object, type) : undefined)

/** An object of the state as the tests read it: plain JSON. */
const found = (object: KubeObject | undefined) => object && asJson(object)
