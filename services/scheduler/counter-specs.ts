import type { ClusterView } from '../../projections/cluster-state.js'
import { matchesLabels, type LabelSelector } from '../resources/label-selector.js'
import { termMatches, type AffinityTerm } from './pod-affinity-terms.js'
import type { CounterSpec } from './pod-counters.js'

/**
 * The pod sets the scheduler counts per topology domain, each with the index that narrows its
 * candidates: the label index for a selector that requires a label value, the owner index for a
 * controller's pods.
 */

/** Keys of the pods that carry one of the values a selector requires for some key; undefined if it requires none. */
function labelCandidates(state: ClusterView, selector: LabelSelector): Iterable<string> | undefined {
  const requirement = selector.requirements.find((r) => r.operator === 'In' || r.operator === 'Equals' || r.operator === 'DoubleEquals')
  if (!requirement) return undefined
  const byLabel = state.byLabel.get('Pod')
  const out = new Set<string>()
  for (const value of requirement.values) for (const key of byLabel?.get(`${requirement.key}=${value}`) ?? []) out.add(key)
  return out
}

/** Pods an affinity term selects. */
export function termCounter(state: ClusterView, term: AffinityTerm): CounterSpec {
  return {
    signature: `term|${term.signature}`,
    matches: (pod) => termMatches(term, pod.namespace, pod.labels),
    candidates: () => labelCandidates(state, term.selector),
  }
}

/** Pods every one of the terms selects (required pod affinity counts only those). */
export function allTermsCounter(state: ClusterView, terms: AffinityTerm[]): CounterSpec {
  return {
    signature: `all|${terms.map((t) => t.signature).join('&')}`,
    matches: (pod) => terms.every((t) => termMatches(t, pod.namespace, pod.labels)),
    candidates: () => labelCandidates(state, terms[0]!.selector),
  }
}

/** Pods a topology spread constraint counts: in the namespace, selected, and not being deleted. */
export function spreadCounter(state: ClusterView, namespace: string, selector: LabelSelector, signature: string): CounterSpec {
  return {
    signature: `spread|${namespace}|${signature}`,
    matches: (pod) => pod.namespace === namespace && !pod.deleting && matchesLabels(selector, pod.labels),
    candidates: () => labelCandidates(state, selector),
  }
}

/** Pods of one controller, not being deleted: the selector of default spreading. */
export function ownerCounter(state: ClusterView, uid: string): CounterSpec {
  return {
    signature: `owner|${uid}`,
    matches: (pod) => pod.ownerUid === uid && !pod.deleting,
    candidates: () => [...(state.byOwner.get(uid) ?? [])].filter((ref) => ref.startsWith('Pod/')).map((ref) => ref.slice(4)),
  }
}
