import type { NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from 'kubernetes-types/core/v1.js'
import { isObject } from '../json.js'
import { parseInt64 } from '../resources/label-selector-model.js'
import { labelValue } from '../resources/validation/labels.js'
import { qualifiedName } from '../resources/validation/names.js'
import { listOf, objectOr } from './stored.js'

/**
 * `spec.nodeSelector` and node affinity (component-helpers `scheduling/corev1/nodeaffinity`):
 * required terms are ORed, the requirements of a term ANDed; matchExpressions take In, NotIn,
 * Exists, DoesNotExist, Gt and Lt over labels, matchFields In and NotIn over `metadata.name`. A term
 * that does not parse (an unknown operator, Gt with a word) matches no node, as upstream's lazy
 * error selector does; an empty term matches no node either.
 */

/** What affinity looks at on a node. */
export interface NodeLabels {
  name: string
  labels: Record<string, string>
}

type Match = (node: NodeLabels) => boolean

/** The pod's required node affinity and node selector, ANDed (NodeAffinity PreFilter and Filter). */
export interface RequiredNodeAffinity {
  matches: Match
  /** The only nodes worth filtering, when every term names nodes by `metadata.name In` (a DaemonSet pod). */
  nodeNames: Set<string> | undefined
  /** Every term names nodes, but no node name survives: `pod affinity terms conflict`. */
  conflict: boolean
}

export interface PreferredTerm {
  weight: number
  matches: Match
}

const never: Match = () => false

function requirement(expression: NodeSelectorRequirement, fields: boolean, problems: string[]): Match | undefined {
  if (!isObject(expression)) return fail(problems, 'a node selector requirement must be an object')
  const key = typeof expression.key === 'string' ? expression.key : ''
  const operator = typeof expression.operator === 'string' ? expression.operator : ''
  const values = Array.isArray(expression.values) ? expression.values : []
  if (!values.every((v): v is string => typeof v === 'string'))
    return fail(problems, `values: Invalid value: ${JSON.stringify(values)}: must be strings`)
  if (fields) {
    if (key !== 'metadata.name') return fail(problems, `${JSON.stringify(key)} is not a valid field selector key`)
    if (operator !== 'In' && operator !== 'NotIn')
      return fail(problems, `${JSON.stringify(operator)} is not a valid node field selector operator`)
    if (values.length !== 1)
      return fail(problems, `unexpected number of value (${values.length}) for node field selector operator ${JSON.stringify(operator)}`)
    const name = values[0]
    return operator === 'In' ? (node) => node.name === name : (node) => node.name !== name
  }
  const keyProblems = qualifiedName(key)
  if (keyProblems.length > 0) return fail(problems, `key: Invalid value: ${JSON.stringify(key)}: ${keyProblems.join('; ')}`)
  switch (operator) {
    case 'In':
    case 'NotIn': {
      if (values.length === 0) return fail(problems, `values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty`)
      const bad = values.find((v) => labelValue(v).length > 0)
      if (bad !== undefined) return fail(problems, `values[0]: Invalid value: ${JSON.stringify(bad)}: ${labelValue(bad).join('; ')}`)
      const set = new Set(values)
      return operator === 'In'
        ? (node) => Object.hasOwn(node.labels, key) && set.has(node.labels[key]!)
        : (node) => !Object.hasOwn(node.labels, key) || !set.has(node.labels[key]!)
    }
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) return fail(problems, 'values: Invalid value: values set must be empty for exists and does not exist')
      return operator === 'Exists' ? (node) => Object.hasOwn(node.labels, key) : (node) => !Object.hasOwn(node.labels, key)
    case 'Gt':
    case 'Lt': {
      const bound = values.length === 1 ? parseInt64(values[0]!) : undefined
      if (bound === undefined)
        return fail(
          problems,
          `values: Invalid value: ${JSON.stringify(values)}: for 'Gt', 'Lt' operators, exactly one integer value is required`,
        )
      return (node) => {
        const actual = Object.hasOwn(node.labels, key) ? parseInt64(node.labels[key]!) : undefined
        return actual !== undefined && (operator === 'Gt' ? actual > bound : actual < bound)
      }
    }
    default:
      return fail(problems, `${JSON.stringify(operator)} is not a valid node selector operator`)
  }
}

function fail(problems: string[], problem: string): undefined {
  problems.push(problem)
  return undefined
}

/** One NodeSelectorTerm: all its requirements; an empty or unparsable term matches nothing. */
export function nodeSelectorTerm(term: NodeSelectorTerm | undefined, problems: string[] = []): Match {
  const expressions = listOf(objectOr(term)?.matchExpressions)
  const fields = listOf(objectOr(term)?.matchFields)
  if (expressions.length === 0 && fields.length === 0) return never
  const matches: Match[] = []
  for (const e of expressions) {
    const m = requirement(e, false, problems)
    if (!m) return never
    matches.push(m)
  }
  for (const f of fields) {
    const m = requirement(f, true, problems)
    if (!m) return never
    matches.push(m)
  }
  return (node) => matches.every((m) => m(node))
}

/** The pod's node selector and required node affinity; undefined when it has neither. */
export function requiredNodeAffinity(spec: PodSpec): RequiredNodeAffinity | undefined {
  const selector = objectOr(spec.nodeSelector)
  const required = objectOr(spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution)
  if (!selector && !required) return undefined
  const wanted = Object.entries(selector ?? {})
  const selectorMatches: Match = (node) => wanted.every(([k, v]) => Object.hasOwn(node.labels, k) && node.labels[k] === v)
  if (!required) return { matches: selectorMatches, nodeNames: undefined, conflict: false }
  const rawTerms = listOf(required.nodeSelectorTerms)
  const terms = rawTerms.map((t) => nodeSelectorTerm(t))
  const { nodeNames, conflict } = namedNodes(rawTerms)
  return { matches: (node) => selectorMatches(node) && terms.some((t) => t(node)), nodeNames, conflict }
}

/** NodeAffinity PreFilter: the union over terms of the nodes each names by `metadata.name In`. */
function namedNodes(terms: readonly NodeSelectorTerm[]): { nodeNames: Set<string> | undefined; conflict: boolean } {
  if (terms.length === 0) return { nodeNames: undefined, conflict: false }
  const union = new Set<string>()
  for (const term of terms) {
    let names: Set<string> | undefined
    for (const field of listOf(objectOr(term)?.matchFields)) {
      if (!isObject(field) || field.key !== 'metadata.name' || field.operator !== 'In') continue
      const values = new Set(listOf(field.values).filter((v) => typeof v === 'string'))
      names = names ? new Set([...names].filter((n) => values.has(n))) : values
    }
    if (!names) return { nodeNames: undefined, conflict: false }
    for (const n of names) union.add(n)
  }
  return { nodeNames: union, conflict: union.size === 0 }
}

/**
 * The pod's preferred node affinity terms with a non-zero weight. A term that does not parse is
 * an error of the NodeAffinity PreScore, reported in `problems`.
 */
export function preferredNodeAffinity(spec: PodSpec, problems: string[]): PreferredTerm[] {
  const preferred = listOf(spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution)
  const out: PreferredTerm[] = []
  for (const entry of preferred) {
    if (!isObject(entry)) continue
    const weight = typeof entry.weight === 'number' ? entry.weight : 0
    if (weight === 0) continue
    const before = problems.length
    const matches = nodeSelectorTerm(entry.preference, problems)
    if (problems.length === before) out.push({ weight, matches })
  }
  return out
}
