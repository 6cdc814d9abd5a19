import type { ClusterState } from '../../projections/cluster-state.js'
import { listObjects } from '../../projections/cluster-state.js'
import { arrayAt, isObject, objectAt, type JsonObject } from '../json.js'
import { keyOf } from './controller.js'
import { meta, type OwnerReference, spec, status } from '../resources/objects.js'

/** Small readers for Kubernetes objects, shared by the controllers. */

export { meta, spec, status }
export const nameOf = (o: JsonObject) => String(meta(o).name ?? '')
export const namespaceOf = (o: JsonObject) => String(meta(o).namespace ?? '')
export const uidOf = (o: JsonObject) => String(meta(o).uid ?? '')
export const keyOfObject = (o: JsonObject) => keyOf(namespaceOf(o), nameOf(o))
export const labelsOf = (o: JsonObject): Record<string, string> => (objectAt(meta(o), 'labels') ?? {}) as Record<string, string>
export const annotationsOf = (o: JsonObject): Record<string, string> => (objectAt(meta(o), 'annotations') ?? {}) as Record<string, string>
export const isDeleting = (o: JsonObject) => meta(o).deletionTimestamp !== undefined

/** Keys (`namespace/name`) of every object of a kind. */
export function keysOfKind(state: ClusterState, kind: string): string[] {
  return listObjects(state, kind).map(keyOfObject)
}

export type { OwnerReference }

export function ownerReferences(o: JsonObject): OwnerReference[] {
  return arrayAt(meta(o), 'ownerReferences').filter(isObject) as unknown as OwnerReference[]
}

/** The owner reference with controller: true, if any. */
export function controllerOf(o: JsonObject): OwnerReference | undefined {
  return ownerReferences(o).find((r) => r.controller === true)
}

/** The reference a controller puts on what it creates (controller and blockOwnerDeletion true). */
export function controllerReference(owner: JsonObject): OwnerReference {
  return {
    apiVersion: String(owner.apiVersion),
    kind: String(owner.kind),
    name: nameOf(owner),
    uid: uidOf(owner),
    controller: true,
    blockOwnerDeletion: true,
  }
}

/** The condition of `type` in status.conditions, if present. */
export function condition(o: JsonObject, type: string): JsonObject | undefined {
  return arrayAt(status(o), 'conditions').find((c) => isObject(c) && c.type === type) as JsonObject | undefined
}

export function isPodReady(pod: JsonObject): boolean {
  return condition(pod, 'Ready')?.status === 'True'
}

/** Counted by controllers: not finished and not being deleted. */
export function isPodActive(pod: JsonObject): boolean {
  const phase = status(pod).phase
  return phase !== 'Succeeded' && phase !== 'Failed' && !isDeleting(pod)
}

/** Ready for at least minReadySeconds at `now` (Kubernetes' IsPodAvailable). */
export function isPodAvailable(pod: JsonObject, minReadySeconds: number, now: Date): boolean {
  const ready = condition(pod, 'Ready')
  if (ready?.status !== 'True') return false
  if (minReadySeconds <= 0) return true
  const since = Date.parse(String(ready.lastTransitionTime ?? ''))
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now.getTime()
}

/** Sets (or replaces) a condition, keeping lastTransitionTime when the status does not change. */
export function withCondition(conditions: unknown, next: JsonObject, now: string): JsonObject[] {
  const list = (Array.isArray(conditions) ? conditions : []).filter(isObject)
  const existing = list.find((c) => c.type === next.type)
  const merged: JsonObject = {
    ...next,
    lastTransitionTime: existing && existing.status === next.status ? existing.lastTransitionTime : now,
    ...(next.lastUpdateTime === undefined && 'lastUpdateTime' in (existing ?? {}) ? { lastUpdateTime: now } : {}),
  }
  return existing ? list.map((c) => (c === existing ? merged : c)) : [...list, merged]
}
