import type { ClusterView } from '../../projections/cluster-state.js'
import { listObjects } from '../../projections/cluster-state.js'
import { isObject, type JsonObject } from '../json.js'
import type { KubeObject } from '../resources/kind-types.js'
import { meta, type OwnerReference, spec, status } from '../resources/objects.js'
import { keyOf } from './controller.js'

/** Small readers for Kubernetes objects, typed or not, shared by the controllers, the scheduler and the kubelets. */

export { meta, spec, status }
export const nameOf = (o: KubeObject) => o.metadata?.name ?? ''
export const namespaceOf = (o: KubeObject) => o.metadata?.namespace ?? ''
export const uidOf = (o: KubeObject) => o.metadata?.uid ?? ''
export const keyOfObject = (o: KubeObject) => keyOf(namespaceOf(o), nameOf(o))
export const labelsOf = (o: KubeObject): Record<string, string> => o.metadata?.labels ?? {}
export const annotationsOf = (o: KubeObject): Record<string, string> => o.metadata?.annotations ?? {}
export const isDeleting = (o: KubeObject) => o.metadata?.deletionTimestamp !== undefined

/** A typed object as the write path takes it (a plain JSON object): no copy, no cast. */
export const asJson = (o: KubeObject): JsonObject => o

/** Keys (`namespace/name`) of every object of a kind. */
export function keysOfKind(state: ClusterView, kind: string): string[] {
  return listObjects(state, kind).map(keyOfObject)
}

export type { OwnerReference }

export function ownerReferences(o: KubeObject): OwnerReference[] {
  return (o.metadata?.ownerReferences ?? []).filter(isObject)
}

/** The owner reference with controller: true, if any. */
export function controllerOf(o: KubeObject): OwnerReference | undefined {
  return ownerReferences(o).find((r) => r.controller === true)
}

/** The reference a controller puts on what it creates (controller and blockOwnerDeletion true). */
export function controllerReference(owner: KubeObject): OwnerReference {
  return {
    apiVersion: String(owner.apiVersion),
    kind: String(owner.kind),
    name: nameOf(owner),
    uid: uidOf(owner),
    controller: true,
    blockOwnerDeletion: true,
  }
}

/** A status condition as every kind writes one (Pod, Node, Deployment, Job, Namespace, …). */
export interface Condition {
  type: string
  status: string
  reason?: string
  message?: string
  lastTransitionTime?: string
  lastUpdateTime?: string
  lastProbeTime?: string
  lastHeartbeatTime?: string
}

/** An object whose status may hold conditions. */
export type Conditioned = KubeObject & { status?: { conditions?: readonly Condition[] } }

/** The condition of `type` in status.conditions, if present. */
export function condition(o: Conditioned, type: string): Condition | undefined {
  const conditions = o.status?.conditions
  return Array.isArray(conditions) ? conditions.find((c) => isObject(c) && c.type === type) : undefined
}

export function isPodReady(pod: Conditioned): boolean {
  return condition(pod, 'Ready')?.status === 'True'
}

/** Counted by controllers: not finished and not being deleted. */
export function isPodActive(pod: KubeObject & { status?: { phase?: string } }): boolean {
  const phase = pod.status?.phase
  return phase !== 'Succeeded' && phase !== 'Failed' && !isDeleting(pod)
}

/** Ready for at least minReadySeconds at `now` (Kubernetes' IsPodAvailable). */
export function isPodAvailable(pod: Conditioned, minReadySeconds: number, now: Date): boolean {
  const ready = condition(pod, 'Ready')
  if (ready?.status !== 'True') return false
  if (minReadySeconds <= 0) return true
  const since = Date.parse(String(ready.lastTransitionTime ?? ''))
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now.getTime()
}

/** Sets (or replaces) a condition, keeping lastTransitionTime when the status does not change. */
export function withCondition<C extends Condition>(conditions: readonly C[] | undefined, next: C, now: string): C[] {
  const list = (conditions ?? []).filter((c) => isObject(c))
  const existing = list.find((c) => c.type === next.type)
  const merged: C = {
    ...next,
    lastTransitionTime: existing && existing.status === next.status ? existing.lastTransitionTime : now,
    ...(next.lastUpdateTime === undefined && existing && 'lastUpdateTime' in existing ? { lastUpdateTime: now } : {}),
  }
  return existing ? list.map((c) => (c === existing ? merged : c)) : [...list, merged]
}
