import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec, Taint, Toleration } from 'kubernetes-types/core/v1.js'
import { labelsOf, nameOf } from '../runtime/objects.js'

/**
 * Which nodes a DaemonSet's pod belongs on (kubernetes `pkg/controller/daemon`
 * `NodeShouldRunDaemonPod`, `util/daemonset_util.go`, component-helpers `scheduling/corev1`).
 */

/** The tolerations every daemon pod gets, so it runs (and stays) where ordinary pods may not. */
export function daemonTolerations(podSpec: PodSpec): Toleration[] {
  const tolerations: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ]
  if (podSpec.hostNetwork === true)
    tolerations.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' })
  return tolerations
}

/**
 * `AddOrUpdateTolerationInPodSpec` for each daemon toleration: one matching on key, operator,
 * value and effect is replaced (so the template's defaulted 300 s toleration becomes unbounded).
 */
export function withDaemonTolerations(podSpec: PodSpec): Toleration[] {
  let list = podSpec.tolerations ?? []
  for (const toleration of daemonTolerations(podSpec)) {
    const same = (t: Toleration) =>
      (t.key ?? '') === toleration.key &&
      (t.operator ?? 'Equal') === toleration.operator &&
      (t.value ?? '') === '' &&
      (t.effect ?? '') === toleration.effect
    list = list.some(same) ? list.map((t) => (same(t) ? toleration : t)) : [...list, toleration]
  }
  return list
}

/** `ToleratesTaint`. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  const effect = toleration.effect ?? ''
  if (effect !== '' && effect !== taint.effect) return false
  const key = toleration.key ?? ''
  if (key !== '' && key !== taint.key) return false
  switch (toleration.operator ?? '') {
    case 'Exists':
      return true
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '')
    default:
      return false
  }
}

/** A node selector requirement (`In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`) against a value. */
function requirementMatches(requirement: NodeSelectorRequirement, values: Record<string, string>): boolean {
  const key = requirement.key
  const wanted = requirement.values ?? []
  const has = Object.hasOwn(values, key)
  const value = values[key] ?? ''
  switch (requirement.operator) {
    case 'In':
      return has && wanted.includes(value)
    case 'NotIn':
      return !has || !wanted.includes(value)
    case 'Exists':
      return has
    case 'DoesNotExist':
      return !has
    case 'Gt':
    case 'Lt': {
      if (!has || wanted.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(wanted[0]!)) return false
      return requirement.operator === 'Gt' ? BigInt(value) > BigInt(wanted[0]!) : BigInt(value) < BigInt(wanted[0]!)
    }
    default:
      return false
  }
}

/** A nodeSelectorTerm: its expressions and fields ANDed; a term with neither matches nothing. */
function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const expressions = term.matchExpressions ?? []
  const fields = term.matchFields ?? []
  if (expressions.length === 0 && fields.length === 0) return false
  const labels = labelsOf(node)
  return (
    expressions.every((r) => requirementMatches(r, labels)) && fields.every((r) => requirementMatches(r, { 'metadata.name': nameOf(node) }))
  )
}

/** nodeSelector and required node affinity (terms ORed), as the scheduler's NodeAffinity filter. */
export function fitsNodeAffinity(podSpec: PodSpec, node: Node): boolean {
  const labels = labelsOf(node)
  const selector = podSpec.nodeSelector ?? {}
  if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) return false
  const required = podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
  if (!required) return true
  return required.nodeSelectorTerms.some((term) => termMatches(term, node))
}

/**
 * `NodeShouldRunDaemonPod`: whether a daemon pod should be created on the node (it fits and
 * tolerates its NoSchedule and NoExecute taints) and whether one already there may stay (it
 * tolerates the NoExecute taints).
 */
export function nodeShouldRunDaemonPod(podSpec: PodSpec, node: Node): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const nodeName = podSpec.nodeName
  if ((nodeName !== undefined && nodeName !== '' && nodeName !== nameOf(node)) || !fitsNodeAffinity(podSpec, node)) {
    return { shouldRun: false, shouldContinueRunning: false }
  }
  const tolerations = podSpec.tolerations ?? []
  const untolerated = (effect: string) =>
    (node.spec?.taints ?? []).some((taint) => taint.effect === effect && !tolerations.some((t) => toleratesTaint(t, taint)))
  const noExecute = untolerated('NoExecute')
  return { shouldRun: !noExecute && !untolerated('NoSchedule'), shouldContinueRunning: !noExecute }
}

/**
 * The pod spec a daemon pod gets for `node`: the template's, with the daemon tolerations and
 * required node affinity `matchFields metadata.name In [node]` in place of any other name
 * requirement (`ReplaceDaemonSetPodNodeNameNodeAffinity`), so the default scheduler places it.
 */
export function daemonPodSpec(templateSpec: PodSpec, node: string): PodSpec {
  const nodeAffinity = templateSpec.affinity?.nodeAffinity ?? {}
  const nameTerm: NodeSelectorTerm = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }
  return {
    ...templateSpec,
    tolerations: withDaemonTolerations(templateSpec),
    affinity: {
      ...templateSpec.affinity,
      nodeAffinity: { ...nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [nameTerm] } },
    },
  }
}

/** `GetTargetNodeName`: the node a daemon pod is bound to, or the one its affinity names. */
export function targetNodeOf(pod: Pod): string | undefined {
  const bound = pod.spec?.nodeName
  if (bound !== undefined && bound !== '') return bound
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
  for (const term of required?.nodeSelectorTerms ?? []) {
    for (const field of term.matchFields ?? []) {
      const values = field.values ?? []
      if (field.key === 'metadata.name' && field.operator === 'In' && values.length === 1) return values[0]
    }
  }
  return undefined
}
