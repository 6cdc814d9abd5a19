import type { ClusterView } from '../../projections/cluster-state.js'
import type { CycleState, ScoreState } from './cycle-state.js'
import { interPodAffinityPreScore, interPodAffinityScore } from './inter-pod-affinity.js'
import type { NodeInfo, NodeInfoCache } from './node-info-cache.js'
import { intolerablePreferNoSchedule } from './taints.js'
import { normalizeSpread, spreadScores } from './topology-spread.js'

/**
 * The score plugins with their default weights (scheduler `apis/config/v1/default_plugins.go`): each gives every feasible
 * node 0–100 after normalizing; the weighted sum ranks the nodes. ImageLocality is left out: the
 * simulated nodes hold no images, so it would give every node the same score.
 */
export interface ScorePlugin {
  name: string
  weight: number
  /** Normalized scores (0–100) of `nodes`, in their order. */
  score(nodes: NodeInfo[], context: ScoreContext): number[]
}

export interface ScoreContext {
  cycle: CycleState
  scoring: ScoreState
  cache: NodeInfoCache
  state: ClusterView
}

export const MAX_NODE_SCORE = 100

/** Kubernetes' DefaultNormalizeScore: scale to the highest raw score; `reverse` turns fewest into best. */
export function defaultNormalize(raw: number[], reverse: boolean): number[] {
  const max = Math.max(0, ...raw)
  if (max === 0) return raw.map(() => (reverse ? MAX_NODE_SCORE : 0))
  return raw.map((s) => {
    const scaled = Math.trunc((MAX_NODE_SCORE * s) / max)
    return reverse ? MAX_NODE_SCORE - scaled : scaled
  })
}

/** `(allocatable − requested) × 100 / allocatable`, 0 when over-committed. */
export function leastRequestedScore(requested: number, allocatable: number): number {
  if (allocatable === 0 || requested > allocatable) return 0
  return Math.trunc(((allocatable - requested) * MAX_NODE_SCORE) / allocatable)
}

/** NodeResourcesFit with the LeastAllocated strategy over cpu and memory (weights 1 and 1), counting scoring's non-zero requests. */
export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  score: (nodes, { cycle }) =>
    nodes.map((node) => {
      let total = 0
      let weights = 0
      if (node.allocatable.milliCpu > 0) {
        total += leastRequestedScore(node.nonZeroCpu + cycle.pod.nonZeroCpu, node.allocatable.milliCpu)
        weights++
      }
      if (node.allocatable.memory > 0) {
        total += leastRequestedScore(node.nonZeroMemory + cycle.pod.nonZeroMemory, node.allocatable.memory)
        weights++
      }
      return weights === 0 ? 0 : Math.trunc(total / weights)
    }),
}

/** NodeResourcesBalancedAllocation: `(1 − |cpu fraction − memory fraction| / 2) × 100`, over actual requests. */
export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  score: (nodes, { cycle }) =>
    nodes.map((node) => {
      const fractions: number[] = []
      const { allocatable, requested } = node
      if (allocatable.milliCpu > 0) fractions.push(Math.min(1, (requested.milliCpu + cycle.pod.requests.milliCpu) / allocatable.milliCpu))
      if (allocatable.memory > 0) fractions.push(Math.min(1, (requested.memory + cycle.pod.requests.memory) / allocatable.memory))
      const std = fractions.length === 2 ? Math.abs(fractions[0]! - fractions[1]!) / 2 : 0
      return Math.trunc((1 - std) * MAX_NODE_SCORE)
    }),
}

/** TaintToleration: fewer PreferNoSchedule taints the pod does not tolerate is better. */
export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  score: (nodes, { cycle }) =>
    defaultNormalize(
      nodes.map((n) => (n.taints.length === 0 ? 0 : intolerablePreferNoSchedule(n.taints, cycle.pod.tolerations))),
      true,
    ),
}

/** NodeAffinity: the summed weights of the preferred terms a node matches. */
export const nodeAffinityScore: ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  score: (nodes, { scoring }) => {
    const terms = scoring.preferredNodeAffinity
    if (terms.length === 0) return nodes.map(() => 0)
    return defaultNormalize(
      nodes.map((node) => terms.reduce((sum, t) => (t.matches(node) ? sum + t.weight : sum), 0)),
      false,
    )
  },
}

/** PodTopologySpread: fewer matching pods in the node's domains is better. */
export const podTopologySpreadScore: ScorePlugin = {
  name: 'PodTopologySpread',
  weight: 2,
  score: (nodes, { scoring }) => (scoring.spread ? normalizeSpread(spreadScores(scoring.spread, nodes)) : nodes.map(() => 0)),
}

/** InterPodAffinity: preferred (anti-)affinity of the pod and of placed pods, scaled between the lowest and highest. */
export const interPodAffinityScorePlugin: ScorePlugin = {
  name: 'InterPodAffinity',
  weight: 2,
  score: (nodes, { cycle, cache, state }) => {
    const scores = interPodAffinityPreScore(cycle.pod, cache, state)
    if (!scores) return nodes.map(() => 0)
    const raw = nodes.map((n) => interPodAffinityScore(scores, n))
    const min = Math.min(...raw)
    const diff = Math.max(...raw) - min
    return raw.map((s) => (diff > 0 ? Math.trunc((MAX_NODE_SCORE * (s - min)) / diff) : 0))
  },
}

export const scorePlugins: readonly ScorePlugin[] = [
  taintTolerationScore,
  nodeAffinityScore,
  leastAllocated,
  podTopologySpreadScore,
  interPodAffinityScorePlugin,
  balancedAllocation,
]

/** The weighted sum of every plugin's normalized score, per node. */
export function scoreNodes(nodes: NodeInfo[], context: ScoreContext): number[] {
  const totals = new Array<number>(nodes.length).fill(0)
  for (const plugin of scorePlugins) {
    const scores = plugin.score(nodes, context)
    for (let i = 0; i < nodes.length; i++) totals[i]! += plugin.weight * scores[i]!
  }
  return totals
}
