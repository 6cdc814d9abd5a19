import { emptyState, getObject, type ClusterState } from '../../projections/cluster-state.js'
import { evolve } from '../../projections/evolve.js'
import type { JsonObject } from '../../services/json.js'
import { preFilter } from '../../services/scheduler/cycle-state.js'
import type { FilterFailure, FilterPlugin } from '../../services/scheduler/filters.js'
import { NodeInfoCache } from '../../services/scheduler/node-info-cache.js'
import { schedulePod, type ScheduleOptions, type ScheduleResult } from '../../services/scheduler/schedule-one.js'
import type { LogEvent } from '../../services/store/commands.js'

/** Small builders of Nodes, Pods and hand-made cluster states for the scheduler's tests. */

export interface NodeSpec {
  cpu?: string
  memory?: string
  pods?: string
  labels?: Record<string, string>
  taints?: JsonObject[]
  unschedulable?: boolean
  ready?: 'True' | 'False' | 'Unknown'
  extra?: Record<string, string>
}

export function node(name: string, s: NodeSpec = {}): JsonObject {
  const capacity = { cpu: s.cpu ?? '4', memory: s.memory ?? '8Gi', pods: s.pods ?? '110', ...s.extra }
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...s.labels } },
    spec: { ...(s.taints && { taints: s.taints }), ...(s.unschedulable && { unschedulable: true }) },
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: 'Ready', status: s.ready ?? 'True', reason: 'KubeletReady' }],
    },
  }
}

export interface PodSpec {
  namespace?: string
  cpu?: string
  memory?: string
  labels?: Record<string, string>
  nodeName?: string
  tolerations?: JsonObject[]
  nodeSelector?: Record<string, string>
  affinity?: JsonObject
  topologySpreadConstraints?: JsonObject[]
  hostPort?: number
  initContainers?: JsonObject[]
  overhead?: Record<string, string>
  owner?: string
  phase?: string
  schedulerName?: string
  preemptionPolicy?: string
  schedulingGates?: JsonObject[]
}

export function pod(name: string, s: PodSpec = {}): JsonObject {
  const requests = { ...(s.cpu && { cpu: s.cpu }), ...(s.memory && { memory: s.memory }) }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: s.namespace ?? 'default',
      labels: s.labels ?? {},
      ...(s.owner && { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: s.owner, controller: true }] }),
    },
    spec: {
      schedulerName: s.schedulerName ?? 'default-scheduler',
      containers: [
        {
          name: 'c',
          image: 'nginx',
          ...(Object.keys(requests).length > 0 && { resources: { requests } }),
          ...(s.hostPort && { ports: [{ containerPort: 80, hostPort: s.hostPort, protocol: 'TCP' }] }),
        },
      ],
      ...(s.initContainers && { initContainers: s.initContainers }),
      ...(s.overhead && { overhead: s.overhead }),
      ...(s.nodeName && { nodeName: s.nodeName }),
      ...(s.tolerations && { tolerations: s.tolerations }),
      ...(s.nodeSelector && { nodeSelector: s.nodeSelector }),
      ...(s.affinity && { affinity: s.affinity }),
      ...(s.topologySpreadConstraints && { topologySpreadConstraints: s.topologySpreadConstraints }),
      ...(s.preemptionPolicy && { preemptionPolicy: s.preemptionPolicy }),
      ...(s.schedulingGates && { schedulingGates: s.schedulingGates }),
    },
    status: { phase: s.phase ?? 'Pending' },
  }
}

/** A state built by folding Created events of the objects, as the projection would. */
export function stateOf(objects: JsonObject[]): ClusterState {
  const state = emptyState()
  objects.forEach((object) => apply(state, object))
  return state
}

let uid = 0

/** Folds one more version of an object into the state (or its deletion) and returns the event. */
export function apply(state: ClusterState, object: JsonObject, type = 'Created'): LogEvent {
  const metadata = object.metadata as JsonObject
  const revision = state.revision + 1
  const event: LogEvent = {
    revision,
    txRevision: revision,
    type,
    kind: String(object.kind),
    namespace: String(metadata.namespace ?? ''),
    name: String(metadata.name),
    uid: String(metadata.uid ?? `uid-${++uid}`),
    object: { ...object, metadata: { ...metadata, resourceVersion: String(revision) } },
    meta: {},
    committedAt: new Date(0),
  }
  evolve(state, event)
  return event
}

export const cpu = (milli: number) => `${milli}m`

/** A pod decided on in a cluster of `objects`, from a cache built from scratch. */
export function decide(objects: JsonObject[], candidate: JsonObject, options: ScheduleOptions = {}): ScheduleResult {
  const state = stateOf([...objects, candidate])
  const cache = NodeInfoCache.fromState(state)
  const metadata = candidate.metadata as JsonObject
  const stored = getObject(state, 'Pod', String(metadata.namespace), String(metadata.name))!
  return schedulePod(stored, cache, state, { next: 0 }, options)
}

/** What one filter says of one node for a pod, in a cluster of `others`. */
export function filterOn(
  plugin: FilterPlugin,
  target: JsonObject,
  candidate: JsonObject,
  others: JsonObject[] = [],
): FilterFailure | undefined {
  const state = stateOf([target, ...others, candidate])
  const cache = NodeInfoCache.fromState(state)
  const cycle = preFilter(candidate, cache, state)
  return plugin.filter(cycle, cache.nodes.get(String((target.metadata as JsonObject).name))!)
}

/** The message of an unschedulable or failed decision. */
export function messageOf(result: ScheduleResult): string {
  if (result.outcome === 'scheduled') throw new Error(`expected a failure, got node ${result.node}`)
  return result.message
}
