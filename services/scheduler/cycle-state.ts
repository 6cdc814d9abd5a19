import type { ClusterView } from '../../projections/cluster-state.js'
import type { Pod, PodSpec } from 'kubernetes-types/core/v1.js'
import { interPodAffinityPreFilter, type InterPodAffinityState } from './inter-pod-affinity.js'
import { preferredNodeAffinity, requiredNodeAffinity, type PreferredTerm, type RequiredNodeAffinity } from './node-affinity.js'
import type { NodeInfoCache } from './node-info-cache.js'
import { podInfo, specOf, type PodInfo } from './pod-info.js'
import { spreadPreFilter, type SoftState, spreadPreScore } from './topology-spread.js'

/**
 * What the PreFilter and PreScore steps work out once per pod, for the filters and scores that
 * then run once per node (scheduler `framework.CycleState`).
 */
export interface CycleState {
  pod: PodInfo
  spec: PodSpec
  nodeAffinity: RequiredNodeAffinity | undefined
  interPodAffinity: InterPodAffinityState | undefined
  spread: ReturnType<typeof spreadPreFilter>
  /** A PreFilter that rejected the pod outright (its message replaces the per-node reasons). */
  preFilterRejection: string | undefined
  /** The nodes NodeAffinity PreFilter limited the search to (a pod pinned by `metadata.name`). */
  nodeNames: Set<string> | undefined
  /** Why the pod cannot be scheduled at all: malformed requests, selectors (a scheduler error, not unschedulable). */
  error: string | undefined
}

/** What scoring needs; worked out only when there is more than one feasible node. */
export interface ScoreState {
  preferredNodeAffinity: PreferredTerm[]
  spread: SoftState | undefined
  error: string | undefined
}

/** PreFilter: parse the pod and work out what every filter needs from the cluster. */
export function preFilter(pod: Pod, cache: NodeInfoCache, state: ClusterView): CycleState {
  const info = podInfo(pod, cache.namespacesMatching)
  const spec = specOf(pod)
  const nodeAffinity = requiredNodeAffinity(spec)
  const spreadProblems: string[] = []
  const spread = info.problems.length === 0 ? spreadPreFilter(spec, info, cache, state, nodeAffinity, spreadProblems) : undefined
  if (spreadProblems.length > 0) info.problems.push(`running PreFilter plugin "PodTopologySpread": ${spreadProblems.join(', ')}`)
  const error = info.problems[0]
  return {
    pod: info,
    spec,
    nodeAffinity,
    interPodAffinity: error ? undefined : interPodAffinityPreFilter(info, cache, state),
    spread,
    preFilterRejection: nodeAffinity?.conflict ? 'pod affinity terms conflict' : undefined,
    nodeNames: nodeAffinity?.nodeNames,
    error,
  }
}

/** PreScore: what the score plugins need beyond the filters' state. */
export function preScore(cycle: CycleState, cache: NodeInfoCache, state: ClusterView): ScoreState {
  const problems: string[] = []
  const preferred = preferredNodeAffinity(cycle.spec, problems)
  if (problems.length > 0)
    return { preferredNodeAffinity: [], spread: undefined, error: `running PreScore plugin "NodeAffinity": ${problems.join(', ')}` }
  const spread = spreadPreScore(cycle.spec, cycle.pod, cache, state, problems)
  if (problems.length > 0)
    return { preferredNodeAffinity: [], spread: undefined, error: `running PreScore plugin "PodTopologySpread": ${problems.join(', ')}` }
  return { preferredNodeAffinity: preferred, spread, error: undefined }
}
