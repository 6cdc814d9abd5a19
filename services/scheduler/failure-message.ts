import { byteOrder } from '../resources/label-selector-model.js'

/**
 * Why a pod fits nowhere, worded as Kubernetes' FitError (scheduler
 * `framework/types.go FitError.Error()`, `defaultpreemption`).
 */
export interface Diagnosis {
  numAllNodes: number
  /** reason → how many nodes gave it (a node may give several) */
  reasons: Map<string, number>
  /** a PreFilter's rejection, which replaces the per-node reasons */
  preFilterMessage: string | undefined
  /** nodes whose failure removing pods could cure, and nodes whose failure it could not */
  resolvableNodes: number
  unresolvableNodes: number
}

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods'
export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling'
export const NO_PREEMPTION_VICTIMS = 'No preemption victims found for incoming pod'

/** `<count> <reason>` for each reason, sorted as strings (Go's sort.Strings), joined by ", ". */
export function reasonHistogram(reasons: Map<string, number>): string {
  return [...reasons]
    .map(([reason, count]) => `${count} ${reason}`)
    .sort(byteOrder)
    .join(', ')
}

/**
 * What DefaultPreemption reports. revkube does not preempt: nodes whose failure preemption could
 * cure report no victims, which is what Kubernetes reports when no pod there has a lower priority.
 */
export function preemptionMessage(d: Diagnosis, preemptionNever: boolean): string {
  if (preemptionNever) return 'preemption: not eligible due to preemptionPolicy=Never.'
  const reasons = new Map<string, number>()
  if (d.unresolvableNodes > 0) reasons.set(PREEMPTION_NOT_HELPFUL, d.unresolvableNodes)
  if (d.resolvableNodes > 0) reasons.set(NO_PREEMPTION_VICTIMS, d.resolvableNodes)
  return `preemption: 0/${d.numAllNodes} nodes are available: ${reasonHistogram(reasons)}.`
}

/**
 * The FailedScheduling message: `0/3 nodes are available: 1 node(s) had untolerated taint {k: v},
 * 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.`
 */
export function fitErrorMessage(d: Diagnosis, preemptionNever = false): string {
  if (d.numAllNodes === 0) return NO_NODES_AVAILABLE
  let message = `0/${d.numAllNodes} nodes are available:`
  if (d.preFilterMessage !== undefined) message += ` ${d.preFilterMessage}.`
  else if (d.reasons.size > 0) message += ` ${reasonHistogram(d.reasons)}.`
  return `${message} ${preemptionMessage(d, preemptionNever)}`
}
