import type { CycleState } from './cycle-state.js'
import { interPodAffinityFilter } from './inter-pod-affinity.js'
import type { NodeInfo } from './node-info-cache.js'
import type { HostPort } from './pod-info.js'
import { requestsNothing } from './resources.js'
import { spreadFilter } from './topology-spread.js'
import { firstUntoleratedTaint, toleratesAny, UNSCHEDULABLE_TAINT } from './taints.js'

/**
 * The filter plugins, in the order Kubernetes runs them (scheduler `apis/config/v1/default_plugins.go`): a node fails
 * at the first filter that rejects it, with that filter's reasons. `unresolvable` marks the
 * failures removing pods cannot cure (UnschedulableAndUnresolvable), which preemption reports as
 * "Preemption is not helpful for scheduling".
 */
export interface FilterFailure {
  reasons: readonly string[]
  unresolvable: boolean
}

export interface FilterPlugin {
  name: string
  filter(cycle: CycleState, node: NodeInfo): FilterFailure | undefined
}

export const UNSCHEDULABLE = 'node(s) were unschedulable'
export const NODE_AFFINITY_NOT_MATCH = "node(s) didn't match Pod's node affinity/selector"
export const NO_FREE_PORTS = "node(s) didn't have free ports for the requested pod ports"
export const TOO_MANY_PODS = 'Too many pods'

const failure = (reason: string, unresolvable: boolean): FilterFailure => ({ reasons: [reason], unresolvable })
const unschedulable = failure(UNSCHEDULABLE, true)
const affinityMismatch = failure(NODE_AFFINITY_NOT_MATCH, true)
const portsTaken = failure(NO_FREE_PORTS, false)
const unschedulableTaint = { key: UNSCHEDULABLE_TAINT, value: '', effect: 'NoSchedule' }

/** NodeUnschedulable: a cordoned node takes only pods tolerating its unschedulable taint. */
export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter: (cycle, node) => (node.unschedulable && !toleratesAny(cycle.pod.tolerations, unschedulableTaint) ? unschedulable : undefined),
}

/** TaintToleration: the first NoSchedule or NoExecute taint the pod does not tolerate. */
export const taintToleration: FilterPlugin = {
  name: 'TaintToleration',
  filter: (cycle, node) => {
    if (node.taints.length === 0) return undefined
    const taint = firstUntoleratedTaint(node.taints, cycle.pod.tolerations)
    return taint ? failure(`node(s) had untolerated taint {${taint.key}: ${taint.value}}`, true) : undefined
  },
}

/** NodeAffinity: spec.nodeSelector and required node affinity. */
export const nodeAffinity: FilterPlugin = {
  name: 'NodeAffinity',
  filter: (cycle, node) => (cycle.nodeAffinity && !cycle.nodeAffinity.matches(node) ? affinityMismatch : undefined),
}

/** Whether a wanted host port collides with one in use: same protocol and port, and the same IP or either 0.0.0.0. */
export function portConflict(used: NodeInfo['usedPorts'], wanted: HostPort): boolean {
  const ips = used.get(`${wanted.protocol}/${wanted.port}`)
  if (!ips) return false
  return wanted.ip === '0.0.0.0' ? ips.size > 0 : ips.has(wanted.ip) || ips.has('0.0.0.0')
}

/** NodePorts: every host port the pod wants is free on the node. */
export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  filter: (cycle, node) => {
    for (const wanted of cycle.pod.hostPorts) if (portConflict(node.usedPorts, wanted)) return portsTaken
    return undefined
  },
}

/** Adds `Insufficient <name>` when the request does not fit what is left; returns whether no pod removal could make it fit. */
function insufficient(reasons: string[], name: string, wanted: number, allocatable: number, requested: number): boolean {
  if (wanted <= 0 || wanted <= allocatable - requested) return false
  reasons.push(`Insufficient ${name}`)
  return wanted > allocatable
}

/**
 * NodeResourcesFit: a pod slot, and each resource the pod requests within allocatable minus what
 * the node's pods request. Unresolvable when the pod asks for more than the node has at all.
 */
export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(cycle, node) {
    const want = cycle.pod.requests
    const { allocatable, requested } = node
    const tooManyPods = node.pods.size + 1 > node.allowedPods
    // The common case, without allocating: everything fits.
    if (
      !tooManyPods &&
      want.milliCpu <= allocatable.milliCpu - requested.milliCpu &&
      want.memory <= allocatable.memory - requested.memory &&
      want.ephemeralStorage <= allocatable.ephemeralStorage - requested.ephemeralStorage &&
      want.scalar === undefined
    ) {
      return undefined
    }
    const reasons: string[] = tooManyPods ? [TOO_MANY_PODS] : []
    let unresolvable = false
    if (!requestsNothing(want)) {
      if (insufficient(reasons, 'cpu', want.milliCpu, allocatable.milliCpu, requested.milliCpu)) unresolvable = true
      if (insufficient(reasons, 'memory', want.memory, allocatable.memory, requested.memory)) unresolvable = true
      if (insufficient(reasons, 'ephemeral-storage', want.ephemeralStorage, allocatable.ephemeralStorage, requested.ephemeralStorage))
        unresolvable = true
      for (const [name, amount] of want.scalar ?? []) {
        if (insufficient(reasons, name, amount, allocatable.scalar?.get(name) ?? 0, requested.scalar?.get(name) ?? 0)) unresolvable = true
      }
    }
    return reasons.length > 0 ? { reasons, unresolvable } : undefined
  },
}

/** PodTopologySpread: DoNotSchedule constraints. */
export const podTopologySpread: FilterPlugin = {
  name: 'PodTopologySpread',
  filter: (cycle, node) => {
    if (!cycle.spread) return undefined
    const failed = spreadFilter(cycle.spread, node)
    return failed && failure(failed.reason, failed.unresolvable)
  },
}

/** InterPodAffinity: the pod's required (anti-)affinity and placed pods' required anti-affinity. */
export const interPodAffinity: FilterPlugin = {
  name: 'InterPodAffinity',
  filter: (cycle, node) => {
    if (!cycle.interPodAffinity) return undefined
    const failed = interPodAffinityFilter(cycle.interPodAffinity, node)
    return failed && failure(failed.reason, failed.unresolvable)
  },
}

export const filterPlugins: readonly FilterPlugin[] = [
  nodeUnschedulable,
  taintToleration,
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
  podTopologySpread,
  interPodAffinity,
]

/** Runs the filters in order; the first failure, or undefined when the node fits. */
export function runFilters(cycle: CycleState, node: NodeInfo): FilterFailure | undefined {
  for (const plugin of filterPlugins) {
    const failed = plugin.filter(cycle, node)
    if (failed) return failed
  }
  return undefined
}
