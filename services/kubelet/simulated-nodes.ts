import type { Node } from 'kubernetes-types/core/v1.js'
import type { ResourceApi } from '../api/resource-api.js'
import { isStatusError } from '../errors.js'
import type { JsonObject } from '../json.js'
import { asJson } from '../runtime/objects.js'

export interface SimulatedNodeOptions {
  /** The nodes' names. @default `sim-node-1` … `sim-node-<count>` */
  names?: string[]
  /** status.capacity of each node (allocatable follows it). @default the kubelet's: cpu 4, memory 16Gi, pods 110 */
  capacity?: Record<string, string>
  /** Labels besides the ones every kubelet sets. */
  labels?: Record<string, string>
  /** Annotations, e.g. a simulation knob. */
  annotations?: Record<string, string>
}

/**
 * Creates `count` Node objects for the simulated kubelet to run (the server's `--sim-nodes N`).
 * Each registers itself as its kubelet would, acting as `system:node:<name>`; a node that already
 * exists is left as it is, so starting again with the same option changes nothing.
 */
export async function createSimulatedNodes(api: ResourceApi, count: number, options: SimulatedNodeOptions = {}): Promise<JsonObject[]> {
  const names = options.names ?? Array.from({ length: count }, (_, i) => `sim-node-${i + 1}`)
  return Promise.all(
    names.slice(0, count).map(async (name) => {
      const node: Node = {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...options.labels },
          ...(options.annotations && { annotations: options.annotations }),
        },
        spec: {},
        ...(options.capacity && { status: { capacity: options.capacity } }),
      }
      try {
        return await api.create({ actor: `system:node:${name}`, reason: 'simulated node' }, asJson(node))
      } catch (error) {
        if (isStatusError(error, 'AlreadyExists')) return api.get('Node', undefined, name)
        throw error
      }
    }),
  )
}
