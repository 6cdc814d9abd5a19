import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js'
import { asJson, condition } from '../runtime/objects.js'
import { recordEvent } from '../runtime/events.js'
import type { Action } from '../runtime/controller.js'

/**
 * The writes a scheduling decision makes, as Kubernetes' scheduler makes them: the binding
 * (`spec.nodeName`, conditional on the pod's resourceVersion), the PodScheduled condition (a
 * strategic merge patch of the status, as upstream's `PatchPodStatus`, so it never overwrites what
 * a kubelet wrote meanwhile) and the Scheduled or FailedScheduling event.
 */

export const SCHEDULER_COMPONENT = 'default-scheduler'
export const SCHEDULING_GATED_MESSAGE = 'Scheduling is blocked due to non-empty scheduling gates'

export interface PodScheduled {
  status: 'True' | 'False'
  reason?: string
  message?: string
}

/** A PodScheduled condition as a strategic merge patch sets it: null removes a field. */
type PodScheduledEntry = Omit<PodCondition, 'reason' | 'message'> & { reason?: string | null; message?: string | null }

const keyOf = (pod: Pod) => `${String(pod.metadata?.namespace)}/${String(pod.metadata?.name)}`

/** Whether the pod's PodScheduled condition already says this. */
export function hasPodScheduled(pod: Pod, wanted: PodScheduled): boolean {
  const current = condition(pod, 'PodScheduled')
  return current !== undefined && current.status === wanted.status && current.reason === wanted.reason && current.message === wanted.message
}

/** Sets PodScheduled, keeping lastTransitionTime when the status stays; nothing when it already says so. */
export function podScheduledPatch(pod: Pod, wanted: PodScheduled, now: Date, reason: string): Action | undefined {
  if (hasPodScheduled(pod, wanted)) return undefined
  const current = condition(pod, 'PodScheduled')
  const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z')
  const entry: PodScheduledEntry = {
    type: 'PodScheduled',
    status: wanted.status,
    lastTransitionTime: current?.status === wanted.status && current.lastTransitionTime !== undefined ? current.lastTransitionTime : time,
  }
  // null removes what the previous condition said and this one does not.
  for (const field of ['reason', 'message'] as const) {
    if (wanted[field] !== undefined) entry[field] = wanted[field]
    else if (current?.[field] !== undefined) entry[field] = null
  }
  return {
    type: 'patch',
    kind: 'Pod',
    namespace: String(pod.metadata?.namespace),
    name: String(pod.metadata?.name),
    patch: { status: { conditions: [entry] } },
    patchType: 'strategic',
    subresource: 'status',
    reason,
  }
}

/** Binds the pod to a node: spec.nodeName, conditional on the resourceVersion the decision saw. */
export function bindAction(pod: Pod, node: string): Action {
  const bound = { ...pod, spec: { ...pod.spec, nodeName: node } }
  return {
    type: 'update',
    object: asJson(bound),
    reason: `Successfully assigned ${keyOf(pod)} to ${node}`,
  }
}

/** What completes a binding: PodScheduled=True and the Scheduled event; nothing when the pod already says so. */
export function scheduledActions(pod: Pod, node: string, now: Date): Action[] {
  const message = `Successfully assigned ${keyOf(pod)} to ${node}`
  const patch = podScheduledPatch(pod, { status: 'True' }, now, message)
  if (!patch) return []
  return [patch, { ...recordEvent(pod, { reason: 'Scheduled', message, component: SCHEDULER_COMPONENT }, now), reason: message }]
}

/** PodScheduled=False with the reason and message, and the FailedScheduling event; nothing when the pod already says so. */
export function failedActions(pod: Pod, reason: 'Unschedulable' | 'SchedulerError', message: string, now: Date): Action[] {
  const patch = podScheduledPatch(pod, { status: 'False', reason, message }, now, message)
  if (!patch) return []
  return [
    patch,
    {
      ...recordEvent(pod, { type: 'Warning', reason: 'FailedScheduling', message, component: SCHEDULER_COMPONENT }, now),
      reason: message,
    },
  ]
}

/** A pod with scheduling gates waits, saying so in its condition (no event, as upstream). */
export function gatedActions(pod: Pod, now: Date): Action[] {
  const patch = podScheduledPatch(
    pod,
    { status: 'False', reason: 'SchedulingGated', message: SCHEDULING_GATED_MESSAGE },
    now,
    SCHEDULING_GATED_MESSAGE,
  )
  return patch ? [patch] : []
}
