import type { PodAffinityTerm, PodSpec, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js'
import { isObject } from '../json.js'
import {
  isNothing,
  labelSelectorFromObject,
  labelSelectorToString,
  matchesLabels,
  type LabelSelector,
} from '../resources/label-selector.js'
import { listOf, objectOr } from './stored.js'

/**
 * Inter-pod affinity and anti-affinity terms (scheduler `framework.NewPodInfo`):
 * a label selector over pods, the namespaces it looks in, and the topology key whose values are
 * the domains. No namespaces and no namespaceSelector means the pod's own namespace; an empty
 * namespaceSelector (`{}`) means every namespace; a missing labelSelector selects no pod.
 */
export interface AffinityTerm {
  selector: LabelSelector
  /** The namespaces it looks in; undefined for every namespace. */
  namespaces: ReadonlySet<string> | undefined
  topologyKey: string
  /** The weight of a preferred term; 1 for a required one. */
  weight: number
  /** Names the set of pods the term selects (namespaces and selector), for the pod counters. */
  signature: string
}

export interface PodAffinityTerms {
  required: AffinityTerm[]
  requiredAnti: AffinityTerm[]
  preferred: AffinityTerm[]
  preferredAnti: AffinityTerm[]
}

/** Names of the namespaces whose labels a selector matches. */
export type NamespacesMatching = (selector: LabelSelector) => string[]

export const noTerms: PodAffinityTerms = Object.freeze({ required: [], requiredAnti: [], preferred: [], preferredAnti: [] })

/** The signature of a pod selector over namespaces: equal signatures select the same pods. */
export function selectorSignature(selector: LabelSelector, namespaces: ReadonlySet<string> | undefined): string {
  const ns = namespaces === undefined ? '*' : [...namespaces].sort().join(',')
  return `${ns}|${isNothing(selector) ? '<nothing>' : labelSelectorToString(selector)}`
}

/** Whether the term selects a pod in `namespace` with `labels`. */
export function termMatches(term: AffinityTerm, namespace: string, labels: Record<string, string>): boolean {
  return (term.namespaces === undefined || term.namespaces.has(namespace)) && matchesLabels(term.selector, labels)
}

/** A metav1.LabelSelector as the scheduler reads it, or Kubernetes' reason it cannot. */
export function podSelector(raw: unknown, path: string, problems: string[]): LabelSelector | undefined {
  const { selector, errors } = labelSelectorFromObject(raw, path)
  if (selector) return selector
  for (const error of errors) {
    const operator = /\.operator$/.test(error.field) ? /^Invalid value: ("(?:[^"\\]|\\.)*")/.exec(error.body)?.[1] : undefined
    problems.push(operator ? `${operator} is not a valid label selector operator` : `${error.field}: ${error.body}`)
  }
  return undefined
}

function term(
  raw: PodAffinityTerm | undefined,
  weight: number,
  namespace: string,
  namespacesMatching: NamespacesMatching,
  path: string,
  problems: string[],
): AffinityTerm | undefined {
  if (!isObject(raw)) return undefined
  const selector = podSelector(raw.labelSelector, `${path}.labelSelector`, problems)
  const listed = listOf(raw.namespaces).filter((n) => typeof n === 'string')
  let namespaces: Set<string> | undefined = new Set(listed)
  if (raw.namespaceSelector === undefined || raw.namespaceSelector === null) {
    if (listed.length === 0) namespaces.add(namespace)
  } else {
    const nsSelector = podSelector(raw.namespaceSelector, `${path}.namespaceSelector`, problems)
    if (!nsSelector) return undefined
    if (nsSelector.requirements.length === 0) namespaces = undefined
    else for (const name of namespacesMatching(nsSelector)) namespaces.add(name)
  }
  if (!selector) return undefined
  const topologyKey = typeof raw.topologyKey === 'string' ? raw.topologyKey : ''
  return { selector, namespaces, topologyKey, weight, signature: selectorSignature(selector, namespaces) }
}

/**
 * The affinity terms of a pod in `namespace`. A selector that does not parse is described in
 * `problems` (Kubernetes fails the InterPodAffinity PreFilter with "parsing pod: …") and its term
 * left out.
 */
export function podAffinityTerms(
  spec: PodSpec,
  namespace: string,
  namespacesMatching: NamespacesMatching,
  problems: string[] = [],
): PodAffinityTerms {
  const podAffinity = objectOr(spec.affinity?.podAffinity)
  const antiAffinity = objectOr(spec.affinity?.podAntiAffinity)
  if (!podAffinity && !antiAffinity) return noTerms
  const required = (list: readonly PodAffinityTerm[] | undefined, path: string) =>
    listOf(list).flatMap((entry, i) => term(entry, 1, namespace, namespacesMatching, `${path}[${i}]`, problems) ?? [])
  const preferred = (list: readonly WeightedPodAffinityTerm[] | undefined, path: string) =>
    listOf(list).flatMap((entry, i) =>
      isObject(entry) && typeof entry.weight === 'number' && entry.weight !== 0
        ? (term(entry.podAffinityTerm, entry.weight, namespace, namespacesMatching, `${path}[${i}].podAffinityTerm`, problems) ?? [])
        : [],
    )
  return {
    required: required(podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, 'spec.affinity.podAffinity.required'),
    requiredAnti: required(antiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, 'spec.affinity.podAntiAffinity.required'),
    preferred: preferred(podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, 'spec.affinity.podAffinity.preferred'),
    preferredAnti: preferred(antiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, 'spec.affinity.podAntiAffinity.preferred'),
  }
}

export const hasAnyTerm = (t: PodAffinityTerms): boolean =>
  t.required.length + t.requiredAnti.length + t.preferred.length + t.preferredAnti.length > 0
