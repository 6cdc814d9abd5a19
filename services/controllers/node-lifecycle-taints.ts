import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js'
import { deepEqual } from '../json.js'
import { condition } from '../runtime/objects.js'

/**
 * Taints the node lifecycle controller owns, and the taint eviction rules it applies with them
 * (kubernetes `pkg/controller/nodelifecycle`,
 * `pkg/controller/tainteviction`, k8s.io/api `core/v1/toleration.go`).
 */

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable'
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready'
const OWNED = [TAINT_UNREACHABLE, TAINT_NOT_READY]

/**
 * The node's taints as its Ready condition asks: `unreachable` for Unknown, `not-ready` for False,
 * each NoSchedule and NoExecute; neither when Ready is True (or was never reported). Taints already
 * there keep their timeAdded. Undefined when the node has the right ones already.
 */
export function readinessTaints(node: Node, time: string): Taint[] | undefined {
  const ready = condition(node, 'Ready')?.status
  const key = ready === 'Unknown' ? TAINT_UNREACHABLE : ready === 'False' ? TAINT_NOT_READY : undefined
  const taints = node.spec?.taints ?? []
  const owned = (t: Taint) => OWNED.includes(t.key) && (t.effect === 'NoSchedule' || t.effect === 'NoExecute')
  const wanted = key
    ? ['NoSchedule', 'NoExecute'].map(
        (effect) => taints.find((t) => t.key === key && t.effect === effect) ?? { key, effect, timeAdded: time },
      )
    : []
  const current = taints.filter(owned)
  if (current.length === wanted.length && wanted.every((w) => current.some((c) => deepEqual(c, w)))) return undefined
  return [...taints.filter((t) => !owned(t)), ...wanted]
}

/** `ToleratesTaint`: effect, key and value (by operator) all match. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  const effect = toleration.effect ?? ''
  if (effect !== '' && effect !== taint.effect) return false
  const key = toleration.key ?? ''
  if (key !== '' && key !== taint.key) return false
  const operator = toleration.operator ?? 'Equal'
  if (operator === 'Exists') return true
  if (operator === 'Equal' || operator === '') return (toleration.value ?? '') === (taint.value ?? '')
  return false
}

/** The node's NoExecute taints. */
export const noExecuteTaints = (node: Node): Taint[] => (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute')

/**
 * When a pod must leave a node with these NoExecute taints, in ms: -Infinity when a taint is not
 * tolerated (at once), Infinity when every taint is tolerated forever; otherwise the earliest
 * taint's timeAdded plus the tolerationSeconds of the first toleration that matches it
 * (`GetMatchingTolerations`, `getMinTolerationTime`). A taint without timeAdded counts from 0.
 */
export function evictionDeadline(pod: Pod, taints: Taint[]): number {
  const tolerations = pod.spec?.tolerations ?? []
  let deadline = Infinity
  for (const taint of taints) {
    const toleration = tolerations.find((t) => toleratesTaint(t, taint))
    if (!toleration) return -Infinity
    const seconds = toleration.tolerationSeconds
    if (seconds === undefined) continue
    const added = Date.parse(taint.timeAdded ?? '')
    deadline = Math.min(deadline, (Number.isFinite(added) ? added : 0) + Math.max(0, seconds) * 1000)
  }
  return deadline
}
