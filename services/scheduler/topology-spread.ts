import type { PodSpec, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js'
import type { ClusterView } from '../../projections/cluster-state.js'
import { isObject } from '../json.js'
import { byKey } from '../resources/label-selector-model.js'
import { matchesLabels, type LabelSelector } from '../resources/label-selector.js'
import { ownerCounter, spreadCounter } from './counter-specs.js'
import type { RequiredNodeAffinity } from './node-affinity.js'
import type { NodeInfo, NodeInfoCache } from './node-info-cache.js'
import { podSelector, selectorSignature } from './pod-affinity-terms.js'
import { HOSTNAME_LABEL, topologyValue, ZONE_LABEL, type PodCounter } from './pod-counters.js'
import type { PodInfo } from './pod-info.js'
import { listOf } from './stored.js'
import { firstUntoleratedTaint } from './taints.js'

/**
 * PodTopologySpread (scheduler `plugins/podtopologyspread`): DoNotSchedule constraints filter,
 * ScheduleAnyway constraints score. A pod without constraints is spread by the system defaults —
 * hostname with maxSkew 3 and zone with maxSkew 5, both ScheduleAnyway — over the pods of its
 * controller (upstream selects them with the selectors of the Services and workloads matching
 * the pod; the controller's pods are what those select).
 */

export const SPREAD_NOT_MATCH = "node(s) didn't match pod topology spread constraints"
export const SPREAD_MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)"

export interface Constraint {
  maxSkew: number
  topologyKey: string
  minDomains: number
  honorAffinity: boolean
  honorTaints: boolean
  selfMatch: 0 | 1
  counter: PodCounter
}

interface HardState {
  constraints: Constraint[]
  /** per constraint: domain → matching pods on eligible nodes */
  counts: Array<Map<string, number>>
  /** per constraint: the global minimum the skew is measured from */
  minimum: number[]
}

export interface SoftState {
  constraints: Constraint[]
  /** Nodes lacking a topology key are left out of scoring unless the constraints are the defaults. */
  requireAllTopologies: boolean
}

function parse(
  raw: TopologySpreadConstraint,
  pod: PodInfo,
  cache: NodeInfoCache,
  state: ClusterView,
  problems: string[],
  path: string,
): Constraint | undefined {
  if (!isObject(raw)) return undefined
  const selector = podSelector(raw.labelSelector, `${path}.labelSelector`, problems)
  if (!selector) return undefined
  // matchLabelKeys: the pod's own values for those keys narrow the selector.
  const extra = listOf(raw.matchLabelKeys)
    .filter((k): k is string => typeof k === 'string' && Object.hasOwn(pod.labels, k))
    .map((key) => ({ key, operator: 'In' as const, values: [pod.labels[key]!] }))
  const full: LabelSelector = extra.length > 0 ? { requirements: [...selector.requirements, ...extra].sort(byKey) } : selector
  return {
    maxSkew: typeof raw.maxSkew === 'number' ? raw.maxSkew : 1,
    topologyKey: typeof raw.topologyKey === 'string' ? raw.topologyKey : '',
    minDomains: typeof raw.minDomains === 'number' ? raw.minDomains : 1,
    honorAffinity: raw.nodeAffinityPolicy !== 'Ignore',
    honorTaints: raw.nodeTaintsPolicy === 'Honor',
    selfMatch: matchesLabels(full, pod.labels) ? 1 : 0,
    counter: cache.counters.get(spreadCounter(state, pod.namespace, full, selectorSignature(full, undefined))),
  }
}

/** The pod's constraints with `whenUnsatisfiable`, parse problems going to `problems`. */
function constraints(
  spec: PodSpec,
  when: string,
  pod: PodInfo,
  cache: NodeInfoCache,
  state: ClusterView,
  problems: string[],
): Constraint[] {
  const out: Constraint[] = []
  listOf(spec.topologySpreadConstraints).forEach((raw, i) => {
    if (!isObject(raw) || (raw.whenUnsatisfiable ?? 'DoNotSchedule') !== when) return
    const c = parse(raw, pod, cache, state, problems, `spec.topologySpreadConstraints[${i}]`)
    if (c) out.push(c)
  })
  return out
}

/** PodTopologySpread PreFilter: matching pods per domain over the nodes each constraint includes. */
export function spreadPreFilter(
  spec: PodSpec,
  pod: PodInfo,
  cache: NodeInfoCache,
  state: ClusterView,
  affinity: RequiredNodeAffinity | undefined,
  problems: string[],
): HardState | undefined {
  const hard = constraints(spec, 'DoNotSchedule', pod, cache, state, problems)
  if (hard.length === 0) return undefined
  const counts = hard.map(() => new Map<string, number>())
  for (const node of cache.nodeList()) {
    if (!hard.every((c) => topologyValue(node, c.topologyKey) !== undefined)) continue
    hard.forEach((c, i) => {
      if (c.honorAffinity && affinity && !affinity.matches(node)) return
      if (c.honorTaints && firstUntoleratedTaint(node.taints, pod.tolerations)) return
      const value = topologyValue(node, c.topologyKey)!
      counts[i]!.set(value, (counts[i]!.get(value) ?? 0) + c.counter.onNode(node.name))
    })
  }
  const minimum = hard.map((c, i) => {
    const domains = counts[i]!
    if (domains.size < c.minDomains) return 0
    let min = Number.MAX_SAFE_INTEGER
    for (const n of domains.values()) min = Math.min(min, n)
    return min
  })
  return { constraints: hard, counts, minimum }
}

/** PodTopologySpread Filter. */
export function spreadFilter(s: HardState, node: NodeInfo): { reason: string; unresolvable: boolean } | undefined {
  for (const [i, c] of s.constraints.entries()) {
    const value = topologyValue(node, c.topologyKey)
    if (value === undefined) return { reason: SPREAD_MISSING_LABEL, unresolvable: true }
    const skew = (s.counts[i]!.get(value) ?? 0) + c.selfMatch - s.minimum[i]!
    if (skew > c.maxSkew) return { reason: SPREAD_NOT_MATCH, unresolvable: false }
  }
  return undefined
}

/** The ScheduleAnyway constraints that score, or the system defaults for a pod without any. */
export function spreadPreScore(
  spec: PodSpec,
  pod: PodInfo,
  cache: NodeInfoCache,
  state: ClusterView,
  problems: string[],
): SoftState | undefined {
  if (listOf(spec.topologySpreadConstraints).length > 0) {
    const soft = constraints(spec, 'ScheduleAnyway', pod, cache, state, problems)
    return soft.length > 0 ? { constraints: soft, requireAllTopologies: true } : undefined
  }
  if (pod.ownerUid === undefined) return undefined
  const counter = cache.counters.get(ownerCounter(state, pod.ownerUid))
  const defaults = (topologyKey: string, maxSkew: number): Constraint => ({
    maxSkew,
    topologyKey,
    minDomains: 1,
    honorAffinity: true,
    honorTaints: false,
    selfMatch: 1,
    counter,
  })
  return { constraints: [defaults(HOSTNAME_LABEL, 3), defaults(ZONE_LABEL, 5)], requireAllTopologies: false }
}

/**
 * Raw PodTopologySpread scores of the nodes being scored, undefined for a node left out. Each
 * constraint adds `matching pods in the node's domain × log(domains + 2) + maxSkew − 1`.
 */
export function spreadScores(s: SoftState, nodes: NodeInfo[]): Array<number | undefined> {
  const { constraints } = s
  const scored = nodes.map((node) => !s.requireAllTopologies || constraints.every((c) => topologyValue(node, c.topologyKey) !== undefined))
  let included = 0
  for (const yes of scored) if (yes) included++
  const weights = constraints.map((c) => {
    if (c.topologyKey === HOSTNAME_LABEL) return Math.log(included + 2)
    const domains = new Set<string>()
    for (let i = 0; i < nodes.length; i++) {
      const value = scored[i] ? topologyValue(nodes[i]!, c.topologyKey) : undefined
      if (value !== undefined) domains.add(value)
    }
    return Math.log(domains.size + 2)
  })
  const out = new Array<number | undefined>(nodes.length)
  for (let i = 0; i < nodes.length; i++) {
    if (!scored[i]) continue
    const node = nodes[i]!
    let score = 0
    for (let j = 0; j < constraints.length; j++) {
      const c = constraints[j]!
      const value = topologyValue(node, c.topologyKey)
      if (value === undefined) continue
      const count = c.topologyKey === HOSTNAME_LABEL ? c.counter.onNode(node.name) : (c.counter.domains(c.topologyKey).get(value) ?? 0)
      score += count * weights[j]! + (c.maxSkew - 1)
    }
    out[i] = Math.round(score)
  }
  return out
}

/** PodTopologySpread NormalizeScore: fewer matching pods is better; left-out nodes get 0. */
export function normalizeSpread(raw: Array<number | undefined>): number[] {
  let min = Number.MAX_SAFE_INTEGER
  let max = 0
  for (const s of raw) {
    if (s === undefined) continue
    min = Math.min(min, s)
    max = Math.max(max, s)
  }
  return raw.map((s) => (s === undefined ? 0 : max === 0 ? 100 : Math.trunc((100 * (max + min - s)) / max)))
}
