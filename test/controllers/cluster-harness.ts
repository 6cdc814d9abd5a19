import { Projection } from '../../projections/projection.js'
import { realEnvironment } from '../../services/api/context.js'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import { FakeClock } from '../../services/runtime/clock.js'
import type { Controller } from '../../services/runtime/controller.js'
import { ControllerRunner } from '../../services/runtime/runner.js'
import { silentLogger } from '../../services/log.js'
import type { JsonObject } from '../../services/json.js'
import { openTestStore, type TestStore } from '../support/store.js'

/**
 * A store, a projection, the API (on the controllers' fake clock) and a runner with the given
 * controllers: what the controller tests share.
 */
export interface Cluster {
  t: TestStore
  api: ResourceApi
  projection: Projection
  runner: ControllerRunner
  clock: FakeClock
  stop(): Promise<void>
}

export const user = { actor: 'user' }
/** The stand-in kubelet's identity. */
export const kubelet = { actor: 'system:node:node-1' }

export async function startCluster(controllers: Controller[], clock = new FakeClock(new Date())): Promise<Cluster> {
  const t = await openTestStore()
  const projection = await Projection.start(t.store)
  const api = new ResourceApi({ store: t.store, projection, env: { ...realEnvironment, now: () => clock.now() } })
  await bootstrapNamespaces(api)
  const runner = new ControllerRunner({ api, projection, controllers, clock, log: silentLogger })
  runner.start()
  return {
    t,
    api,
    projection,
    runner,
    clock,
    stop: async () => {
      await runner.stop()
      projection.stop()
      await t.cleanup()
    },
  }
}

export interface PodOptions {
  namespace?: string
  ports?: JsonObject[]
  nodeName?: string
  hostname?: string
  subdomain?: string
  resources?: JsonObject
  initContainers?: JsonObject[]
}

export function pod(name: string, labels: Record<string, string>, options: PodOptions = {}): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: options.namespace ?? 'default', labels },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'nginx:1.25',
          ...(options.ports && { ports: options.ports }),
          ...(options.resources && { resources: options.resources }),
        },
      ],
      ...(options.nodeName && { nodeName: options.nodeName }),
      ...(options.hostname && { hostname: options.hostname }),
      ...(options.subdomain && { subdomain: options.subdomain }),
      ...(options.initContainers && { initContainers: options.initContainers }),
    },
  }
}

/** What a kubelet would report: the pod running with `ip`, Ready or not. */
export async function runPod(
  api: ResourceApi,
  namespace: string,
  name: string,
  ip: string,
  ready: boolean,
  now = new Date(),
): Promise<JsonObject> {
  const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z')
  return api.patch(
    kubelet,
    'pod',
    namespace,
    name,
    {
      status: {
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: time }],
      },
    },
    'merge',
    { subresource: 'status' },
  )
}

export const meta = (o: JsonObject) => o.metadata as JsonObject
