import type { Pod, PodSpec } from 'kubernetes-types/core/v1.js'
import { isObject } from '../json.js'
import { hasAnyTerm, noTerms, podAffinityTerms, type NamespacesMatching, type PodAffinityTerms } from './pod-affinity-terms.js'
import { podRequests, type Resources } from './resources.js'
import { objectOr, listOf } from './stored.js'
import { parseTolerations, type Toleration } from './taints.js'

/**
 * A pod as the scheduler needs it, parsed once: what it requests, the host ports it takes, its
 * tolerations and affinity terms. The same record describes the pod being scheduled and the pods
 * already on nodes (scheduler `framework.PodInfo`).
 */
export interface PodInfo {
  key: string
  namespace: string
  name: string
  labels: Record<string, string>
  /** uid of the controller owning the pod (ReplicaSet, StatefulSet, …), for default spreading */
  ownerUid: string | undefined
  priority: number
  preemptionNever: boolean
  deleting: boolean
  requests: Resources
  nonZeroCpu: number
  nonZeroMemory: number
  hostPorts: HostPort[]
  tolerations: Toleration[]
  affinity: PodAffinityTerms
  hasAffinity: boolean
  /** Why the pod cannot be scheduled at all (a malformed request or selector), as Kubernetes words it. */
  problems: string[]
}

export interface HostPort {
  ip: string
  protocol: string
  port: number
}

export const DEFAULT_SCHEDULER = 'default-scheduler'

/** The pod's spec; a pod without one has no containers. */
export const specOf = (pod: Pod): PodSpec => pod.spec ?? { containers: [] }

export const nodeNameOf = (pod: Pod): string => {
  const name = pod.spec?.nodeName
  return typeof name === 'string' ? name : ''
}

const isTerminal = (pod: Pod) => {
  const phase = pod.status?.phase
  return phase === 'Succeeded' || phase === 'Failed'
}

/** Counted on its node: bound and not finished (the scheduler's informer skips Succeeded and Failed pods). */
export const isAssigned = (pod: Pod): boolean => nodeNameOf(pod) !== '' && !isTerminal(pod)

/** Waiting for this scheduler: unbound, ours, not finished and not being deleted. */
export function isPending(pod: Pod): boolean {
  const name = pod.spec?.schedulerName
  const scheduler = typeof name === 'string' && name !== '' ? name : DEFAULT_SCHEDULER
  return nodeNameOf(pod) === '' && scheduler === DEFAULT_SCHEDULER && pod.metadata?.deletionTimestamp === undefined && !isTerminal(pod)
}

export const isGated = (pod: Pod): boolean => listOf(pod.spec?.schedulingGates).length > 0

/** The host ports a pod's containers take (NodePorts' `getContainerPorts`); hostIP defaults to 0.0.0.0, protocol to TCP. */
export function hostPorts(podSpec: PodSpec): HostPort[] {
  const out: HostPort[] = []
  for (const container of listOf(podSpec.containers)) {
    for (const port of isObject(container) ? listOf(container.ports) : []) {
      if (!isObject(port) || typeof port.hostPort !== 'number' || port.hostPort <= 0) continue
      const ip = typeof port.hostIP === 'string' && port.hostIP !== '' ? port.hostIP : '0.0.0.0'
      const protocol = typeof port.protocol === 'string' && port.protocol !== '' ? port.protocol : 'TCP'
      out.push({ ip, protocol, port: port.hostPort })
    }
  }
  return out
}

export function podInfo(pod: Pod, namespacesMatching: NamespacesMatching): PodInfo {
  const m = pod.metadata ?? {}
  const s = specOf(pod)
  const namespace = typeof m.namespace === 'string' ? m.namespace : ''
  const name = typeof m.name === 'string' ? m.name : ''
  const requestProblems: string[] = []
  const { requests, nonZeroCpu, nonZeroMemory } = podRequests(s, requestProblems)
  const affinityProblems: string[] = []
  const affinity = objectOr(s.affinity) ? podAffinityTerms(s, namespace, namespacesMatching, affinityProblems) : noTerms
  // In PreFilter order: NodeResourcesFit runs before InterPodAffinity.
  const problems: string[] = []
  if (requestProblems.length > 0) problems.push(`running PreFilter plugin "NodeResourcesFit": ${requestProblems.join(', ')}`)
  if (affinityProblems.length > 0) problems.push(`running PreFilter plugin "InterPodAffinity": parsing pod: ${affinityProblems.join(', ')}`)
  const owner = listOf(m.ownerReferences).find((r) => isObject(r) && r.controller === true)
  return {
    key: `${namespace}/${name}`,
    namespace,
    name,
    labels: objectOr(m.labels) ?? {},
    ownerUid: typeof owner?.uid === 'string' ? owner.uid : undefined,
    priority: typeof s.priority === 'number' ? s.priority : 0,
    preemptionNever: s.preemptionPolicy === 'Never',
    deleting: m.deletionTimestamp !== undefined,
    requests,
    nonZeroCpu,
    nonZeroMemory,
    hostPorts: hostPorts(s),
    tolerations: parseTolerations(s.tolerations),
    affinity,
    hasAffinity: hasAnyTerm(affinity),
    problems,
  }
}
