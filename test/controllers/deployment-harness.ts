import { timestamp, type RequestContext } from '../../services/api/context.js'
import { FakeClock } from '../../services/runtime/clock.js'
import type { Controller } from '../../services/runtime/controller.js'
import { isStatusError } from '../../services/errors.js'
import { isObject, type JsonObject } from '../../services/json.js'
import { startCluster, type Cluster } from './cluster-harness.js'

/** A cluster (cluster-harness.ts) with the helpers the workload controller tests use. */
export interface Harness extends Omit<Cluster, 'stop'> {
  user: RequestContext
  /** Waits until the controllers have nothing left to do. */
  settled(): Promise<void>
  /** Moves the fake clock (firing requeues), then waits for the controllers. */
  advance(ms: number): Promise<void>
  close(): Promise<void>
}

export async function startHarness(controllers: Controller[]): Promise<Harness> {
  const cluster = await startCluster(controllers, new FakeClock())
  const settled = () => cluster.runner.settled()
  return {
    ...cluster,
    user: { actor: 'alice' },
    settled,
    advance: async (ms) => {
      cluster.clock.advance(ms)
      await settled()
    },
    close: () => cluster.stop(),
  }
}

const kubelet: RequestContext = { actor: 'system:node:stand-in' }
const meta = (o: JsonObject) => (o.metadata ?? {}) as JsonObject
const conditions = (pod: JsonObject) => (((pod.status ?? {}) as JsonObject).conditions ?? []) as JsonObject[]

export const isReady = (pod: JsonObject) => conditions(pod).some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True')
export const isActive = (pod: JsonObject) =>
  meta(pod).deletionTimestamp === undefined && !['Succeeded', 'Failed'].includes(String(((pod.status ?? {}) as JsonObject).phase))

/** A stand-in kubelet: the pod is Running and Ready as of the fake clock's now. */
export async function markReady(h: Harness, pod: JsonObject, ready = true): Promise<void> {
  const at = timestamp(h.clock.now())
  const status = {
    ...((pod.status ?? {}) as JsonObject),
    phase: 'Running',
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: at },
      { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: at },
    ],
  }
  await h.api.updateStatus(kubelet, { ...pod, metadata: { ...meta(pod), resourceVersion: undefined }, status })
}

/** Pods of a namespace (optionally with a label), as the store has them now. */
export async function pods(h: Harness, namespace: string, labelSelector?: string): Promise<JsonObject[]> {
  return (await h.api.list('Pod', { namespace, ...(labelSelector && { labelSelector }) })).items
}

/**
 * Settles, makes every active pod (of the selector) that is not Ready yet Ready, and again, until
 * all are: a rollout driven to its end by a kubelet that starts pods one settle at a time.
 */
export async function runKubelet(h: Harness, labelSelector?: string, rounds = 50, namespace = 'default'): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await h.settled()
    const pending = (await pods(h, namespace, labelSelector)).filter((p) => isActive(p) && !isReady(p))
    if (pending.length === 0) return
    for (const pod of pending) {
      // A controller may delete the pod meanwhile, as it would under a real kubelet.
      await markReady(h, pod).catch((error: unknown) => {
        if (!isStatusError(error, 'NotFound')) throw error
      })
    }
  }
  throw new Error('the pods never all became ready')
}

/**
 * A stand-in kubelet running alongside the controllers: it keeps making the pods of a selector
 * Ready as they appear, so readiness interleaves with the controllers' writes. Returns a stop.
 */
export function startKubelet(h: Harness, labelSelector: string, namespace = 'default'): () => Promise<void> {
  let running = true
  const loop = (async () => {
    while (running) {
      const pending = (await pods(h, namespace, labelSelector)).filter((p) => isActive(p) && !isReady(p))
      for (const pod of pending) {
        await markReady(h, pod).catch((error: unknown) => {
          if (!isStatusError(error, 'NotFound') && !isStatusError(error, 'Conflict')) throw error
        })
      }
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  })()
  return async () => {
    running = false
    await loop
  }
}

export function deployment(
  name: string,
  image: string,
  extra: { replicas?: number; spec?: JsonObject; annotations?: Record<string, string>; namespace?: string } = {},
): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: extra.namespace ?? 'default', ...(extra.annotations && { annotations: extra.annotations }) },
    spec: {
      replicas: extra.replicas ?? 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      ...extra.spec,
    },
  }
}

/** Sets the Deployment's image, as `kubectl set image` would. */
export async function setImage(h: Harness, name: string, image: string, namespace = 'default'): Promise<JsonObject> {
  return h.api.patch(
    h.user,
    'Deployment',
    namespace,
    name,
    { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } },
    'strategic',
  )
}
