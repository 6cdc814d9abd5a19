import type { Node, Taint as NodeTaint, Toleration as PodToleration } from 'kubernetes-types/core/v1.js'
import { isObject } from '../json.js'
import { condition } from '../runtime/objects.js'
import { listOf } from './stored.js'

/**
 * Taints and tolerations (k8s.io/api `core/v1/toleration.go ToleratesTaint`,
 * component-helpers `scheduling/corev1/helpers.go`). Malformed entries are read the way Go decodes
 * them: a missing or non-string field is the empty string.
 */
export type Taint = Required<Pick<NodeTaint, 'key' | 'value' | 'effect'>>

export type Toleration = Required<Pick<PodToleration, 'key' | 'operator' | 'value' | 'effect'>>

export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable'
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready'
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable'

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

export function parseTaints(list: readonly NodeTaint[] | undefined): Taint[] {
  return listOf(list)
    .filter(isObject)
    .map((t) => ({ key: str(t.key), value: str(t.value), effect: str(t.effect) }))
}

export function parseTolerations(list: readonly PodToleration[] | undefined): Toleration[] {
  return listOf(list)
    .filter(isObject)
    .map((t) => ({ key: str(t.key), operator: str(t.operator), value: str(t.value), effect: str(t.effect) }))
}

/**
 * Whether a toleration tolerates a taint: the effect is empty or equal, the key is empty or equal,
 * and the operator is Exists (any value) or Equal/empty (the same value). Any other operator never
 * matches.
 */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect !== '' && toleration.effect !== taint.effect) return false
  if (toleration.key !== '' && toleration.key !== taint.key) return false
  switch (toleration.operator) {
    case 'Exists':
      return true
    case 'Equal':
    case '':
      return toleration.value === taint.value
    default:
      return false
  }
}

export const toleratesAny = (tolerations: readonly Toleration[], taint: Taint): boolean => tolerations.some((t) => tolerates(t, taint))

/** The first taint with NoSchedule or NoExecute effect the tolerations do not tolerate (TaintToleration Filter). */
export function firstUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[]): Taint | undefined {
  for (const taint of taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue
    if (!toleratesAny(tolerations, taint)) return taint
  }
  return undefined
}

/**
 * How many PreferNoSchedule taints the pod does not tolerate (TaintToleration Score). Only
 * tolerations with an empty or PreferNoSchedule effect count, as upstream's
 * `getAllTolerationPreferNoSchedule` keeps.
 */
export function intolerablePreferNoSchedule(taints: readonly Taint[], tolerations: readonly Toleration[]): number {
  let count = 0
  for (const taint of taints) {
    if (taint.effect !== 'PreferNoSchedule') continue
    if (!tolerations.some((t) => (t.effect === '' || t.effect === 'PreferNoSchedule') && tolerates(t, taint))) count++
  }
  return count
}

/**
 * A node's taints, plus the NoSchedule taint the node lifecycle controller puts on a node whose
 * Ready condition is False (not-ready) or Unknown (unreachable), if it is not there yet: until
 * that controller has run, the scheduler must not place pods on a node known not to be ready.
 */
export function nodeTaints(node: Node): Taint[] {
  const taints = parseTaints(node.spec?.taints)
  const ready = condition(node, 'Ready')
  const implied = ready?.status === 'False' ? NOT_READY_TAINT : ready?.status === 'Unknown' ? UNREACHABLE_TAINT : undefined
  if (implied && !taints.some((t) => t.key === implied && t.effect === 'NoSchedule'))
    taints.push({ key: implied, value: '', effect: 'NoSchedule' })
  return taints
}
