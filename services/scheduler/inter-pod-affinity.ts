import type { ClusterView } from '../../projections/cluster-state.js'
import { allTermsCounter, termCounter } from './counter-specs.js'
import type { NodeInfo, NodeInfoCache } from './node-info-cache.js'
import { termMatches, type AffinityTerm } from './pod-affinity-terms.js'
import { topologyValue, type PodCounter } from './pod-counters.js'
import type { PodInfo } from './pod-info.js'

/**
 * InterPodAffinity (scheduler `plugins/interpodaffinity`): the pod's required affinity and
 * anti-affinity, the required anti-affinity of pods already placed (symmetry), and the preferred
 * terms of both sides for scoring. Counts come from the cache's pod counters.
 */

export const AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules"
export const ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules"
export const EXISTING_ANTI_AFFINITY_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules"

export interface InterPodAffinityState {
  required: AffinityTerm[]
  /** pods matching every required term, when there are required terms */
  requiredCounter: PodCounter | undefined
  /** no pod matching every required term is in any domain: the pod may be the first of its group */
  noneAnywhere: boolean
  selfMatchesAll: boolean
  anti: Array<{ term: AffinityTerm; counter: PodCounter }>
  /** topology key → domains where a placed pod's required anti-affinity forbids this pod */
  existingAnti: Map<string, Set<string>>
}

/** InterPodAffinity PreFilter; undefined when there is nothing to check. */
export function interPodAffinityPreFilter(pod: PodInfo, cache: NodeInfoCache, state: ClusterView): InterPodAffinityState | undefined {
  const existingAnti = new Map<string, Set<string>>()
  for (const { term, nodes } of cache.placedTerms.all('requiredAnti')) {
    if (!termMatches(term, pod.namespace, pod.labels)) continue
    let values = existingAnti.get(term.topologyKey)
    for (const name of nodes.keys()) {
      const value = topologyValue(cache.nodes.get(name)!, term.topologyKey)
      if (value === undefined) continue
      if (!values) existingAnti.set(term.topologyKey, (values = new Set()))
      values.add(value)
    }
  }
  const { required, requiredAnti } = pod.affinity
  if (required.length === 0 && requiredAnti.length === 0 && existingAnti.size === 0) return undefined
  const requiredCounter = required.length > 0 ? cache.counters.get(allTermsCounter(state, required)) : undefined
  return {
    required,
    requiredCounter,
    noneAnywhere: required.every((t) => (requiredCounter?.domains(t.topologyKey).size ?? 0) === 0),
    selfMatchesAll: required.every((t) => termMatches(t, pod.namespace, pod.labels)),
    anti: requiredAnti.map((term) => ({ term, counter: cache.counters.get(termCounter(state, term)) })),
    existingAnti,
  }
}

/** InterPodAffinity Filter: the reason a node fails and whether preemption could not help, or undefined. */
export function interPodAffinityFilter(s: InterPodAffinityState, node: NodeInfo): { reason: string; unresolvable: boolean } | undefined {
  if (s.requiredCounter) {
    let podsExist = true
    for (const term of s.required) {
      const value = topologyValue(node, term.topologyKey)
      // Every topology key of the pod's affinity must be on the node.
      if (value === undefined) return { reason: AFFINITY_RULES_NOT_MATCH, unresolvable: true }
      if ((s.requiredCounter.domains(term.topologyKey).get(value) ?? 0) <= 0) podsExist = false
    }
    if (!podsExist && !(s.noneAnywhere && s.selfMatchesAll)) return { reason: AFFINITY_RULES_NOT_MATCH, unresolvable: true }
  }
  for (const { term, counter } of s.anti) {
    if (counter.inDomain(term.topologyKey, node) > 0) return { reason: ANTI_AFFINITY_RULES_NOT_MATCH, unresolvable: false }
  }
  for (const [key, values] of s.existingAnti) {
    const value = topologyValue(node, key)
    if (value !== undefined && values.has(value)) return { reason: EXISTING_ANTI_AFFINITY_NOT_MATCH, unresolvable: false }
  }
  return undefined
}

/** Weight of an existing pod's required affinity term that the incoming pod matches (`hardPodAffinityWeight`). */
const HARD_POD_AFFINITY_WEIGHT = 1

/**
 * InterPodAffinity PreScore: topology key → domain → summed weight, from the pod's preferred
 * terms over placed pods and from placed pods' terms over this pod; undefined when nothing counts.
 */
export function interPodAffinityPreScore(
  pod: PodInfo,
  cache: NodeInfoCache,
  state: ClusterView,
): Map<string, Map<string, number>> | undefined {
  const scores = new Map<string, Map<string, number>>()
  const add = (key: string, value: string, by: number) => {
    let domains = scores.get(key)
    if (!domains) scores.set(key, (domains = new Map()))
    domains.set(value, (domains.get(value) ?? 0) + by)
  }
  const own = (terms: AffinityTerm[], sign: number) => {
    for (const term of terms) {
      for (const [value, count] of cache.counters.get(termCounter(state, term)).domains(term.topologyKey))
        add(term.topologyKey, value, sign * term.weight * count)
    }
  }
  own(pod.affinity.preferred, 1)
  own(pod.affinity.preferredAnti, -1)
  for (const { kind, term, nodes } of cache.placedTerms.all()) {
    if (kind === 'requiredAnti' || !termMatches(term, pod.namespace, pod.labels)) continue
    const weight = kind === 'required' ? HARD_POD_AFFINITY_WEIGHT : kind === 'preferred' ? term.weight : -term.weight
    for (const [name, count] of nodes) {
      const value = topologyValue(cache.nodes.get(name)!, term.topologyKey)
      if (value !== undefined) add(term.topologyKey, value, weight * count)
    }
  }
  return scores.size > 0 ? scores : undefined
}

/** A node's raw InterPodAffinity score: the sum over topology keys of its domain's weight. */
export function interPodAffinityScore(scores: Map<string, Map<string, number>>, node: NodeInfo): number {
  let total = 0
  for (const [key, domains] of scores) {
    const value = topologyValue(node, key)
    if (value !== undefined) total += domains.get(value) ?? 0
  }
  return total
}
