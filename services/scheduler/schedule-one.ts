import type { ClusterView } from '../../projections/cluster-state.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { preFilter, preScore } from './cycle-state.js'
import { fitErrorMessage, NO_NODES_AVAILABLE, type Diagnosis } from './failure-message.js'
import { runFilters } from './filters.js'
import type { NodeInfo, NodeInfoCache } from './node-info-cache.js'
import type { PodInfo } from './pod-info.js'
import { scoreNodes } from './scores.js'

/**
 * One scheduling cycle for one pod (scheduler `schedule_one.go`): PreFilter, then the filters
 * over the nodes starting where the previous cycle stopped, until enough feasible nodes are found
 * (percentageOfNodesToScore), then the scores over those, and the best node. Ties go to the node
 * whose name sorts first, so the same state gives the same decision.
 */
export type ScheduleResult =
  | { outcome: 'scheduled'; node: string; pod: PodInfo; feasibleNodes: number; evaluatedNodes: number }
  | { outcome: 'unschedulable'; message: string; pod: PodInfo | undefined }
  | { outcome: 'error'; message: string; pod: PodInfo }

export interface ScheduleOptions {
  /** Percentage of the nodes to find feasible before scoring; 0 for Kubernetes' adaptive default. @default 0 */
  percentageOfNodesToScore?: number
}

/** Where the next cycle starts looking (round-robin over the nodes, as upstream's nextStartNodeIndex). */
export interface Cursor {
  next: number
}

const MIN_FEASIBLE_NODES_TO_FIND = 100
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5

/**
 * How many feasible nodes to find before scoring: every node below 100; otherwise the percentage
 * (adaptive: 50 − nodes/125, at least 5) of the nodes, at least 100.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes
  let percentage = percentageOfNodesToScore
  if (percentage <= 0) percentage = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - Math.trunc(numAllNodes / 125))
  if (percentage >= 100) return numAllNodes
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.trunc((numAllNodes * percentage) / 100))
}

export function schedulePod(
  pod: Pod,
  cache: NodeInfoCache,
  state: ClusterView,
  cursor: Cursor,
  options: ScheduleOptions = {},
): ScheduleResult {
  const cycle = preFilter(pod, cache, state)
  if (cycle.error) return { outcome: 'error', message: cycle.error, pod: cycle.pod }
  const allNodes = cache.nodeList()
  if (allNodes.length === 0) return { outcome: 'unschedulable', message: NO_NODES_AVAILABLE, pod: cycle.pod }
  const diagnosis: Diagnosis = {
    numAllNodes: allNodes.length,
    reasons: new Map(),
    preFilterMessage: undefined,
    resolvableNodes: 0,
    unresolvableNodes: 0,
  }
  const unschedulable = () => ({
    outcome: 'unschedulable' as const,
    message: fitErrorMessage(diagnosis, cycle.pod.preemptionNever),
    pod: cycle.pod,
  })
  if (cycle.preFilterRejection) {
    diagnosis.preFilterMessage = cycle.preFilterRejection
    diagnosis.unresolvableNodes = allNodes.length
    return unschedulable()
  }

  let nodes = allNodes
  const names = cycle.nodeNames
  if (names) {
    nodes = allNodes.filter((n) => names.has(n.name))
    const absent = allNodes.length - nodes.length
    if (absent > 0) {
      diagnosis.reasons.set("node(s) didn't satisfy plugin(s) [NodeAffinity]", absent)
      diagnosis.unresolvableNodes += absent
    }
  }
  const feasible = findFeasible(nodes, cycle, diagnosis, names ? { next: 0 } : cursor, options)
  if (feasible.nodes.length === 0) return unschedulable()
  if (feasible.nodes.length === 1)
    return { outcome: 'scheduled', node: feasible.nodes[0]!.name, pod: cycle.pod, feasibleNodes: 1, evaluatedNodes: feasible.evaluated }

  const scoring = preScore(cycle, cache, state)
  if (scoring.error) return { outcome: 'error', message: scoring.error, pod: cycle.pod }
  const totals = scoreNodes(feasible.nodes, { cycle, scoring, cache, state })
  let best = 0
  for (let i = 1; i < totals.length; i++) {
    const better = totals[i]! > totals[best]! || (totals[i] === totals[best] && feasible.nodes[i]!.name < feasible.nodes[best]!.name)
    if (better) best = i
  }
  return {
    outcome: 'scheduled',
    node: feasible.nodes[best]!.name,
    pod: cycle.pod,
    feasibleNodes: feasible.nodes.length,
    evaluatedNodes: feasible.evaluated,
  }
}

/** Filters nodes from the cursor on until enough fit; records why the others did not. */
function findFeasible(
  nodes: NodeInfo[],
  cycle: ReturnType<typeof preFilter>,
  diagnosis: Diagnosis,
  cursor: Cursor,
  options: ScheduleOptions,
) {
  const wanted = numFeasibleNodesToFind(nodes.length, options.percentageOfNodesToScore)
  const found: NodeInfo[] = []
  const start = nodes.length === 0 ? 0 : cursor.next % nodes.length
  let evaluated = 0
  while (evaluated < nodes.length && found.length < wanted) {
    const node = nodes[(start + evaluated) % nodes.length]!
    evaluated++
    const failed = runFilters(cycle, node)
    if (!failed) {
      found.push(node)
      continue
    }
    for (const reason of failed.reasons) diagnosis.reasons.set(reason, (diagnosis.reasons.get(reason) ?? 0) + 1)
    if (failed.unresolvable) diagnosis.unresolvableNodes++
    else diagnosis.resolvableNodes++
  }
  if (nodes.length > 0) cursor.next = (start + evaluated) % nodes.length
  return { nodes: found, evaluated }
}
