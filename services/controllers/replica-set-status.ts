import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1.js'
import { timestamp } from '../api/context.js'
import { arrayAt, clone, isObject, type JsonObject } from '../json.js'
import { condition, isPodAvailable, isPodReady, labelsOf, status } from '../runtime/objects.js'

/** Why managing replicas failed, for the ReplicaFailure condition (FailedCreate or FailedDelete). */
export interface ReplicaFailure {
  reason: string
  message: string
}

/**
 * A ReplicaSet's (or ReplicationController's) status from the active pods it owns, as
 * `calculateStatus` and `updateReplicaSetStatus` write it: replicas, fullyLabeledReplicas (pods
 * carrying every template label), readyReplicas, availableReplicas (ready for minReadySeconds),
 * observedGeneration and the ReplicaFailure condition, which appears with a failure and goes once
 * managing replicas succeeds. Zero counts other than `replicas` are left out, as Go's omitempty does.
 * Also when the next pod becomes available, for a requeue.
 */
export function replicaSetStatus(
  rs: ReplicaSet | ReplicationController,
  pods: Pod[],
  now: Date,
  failure?: ReplicaFailure,
): { status: JsonObject; availableAt?: number } {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {}
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0
  let fullyLabeled = 0
  let ready = 0
  let available = 0
  let availableAt: number | undefined
  for (const pod of pods) {
    const labels = labelsOf(pod)
    if (Object.entries(templateLabels).every(([k, v]) => Object.hasOwn(labels, k) && labels[k] === v)) fullyLabeled++
    if (!isPodReady(pod)) continue
    ready++
    if (isPodAvailable(pod, minReadySeconds, now)) available++
    else {
      const at = Date.parse(condition(pod, 'Ready')?.lastTransitionTime ?? '') + minReadySeconds * 1000
      if (Number.isFinite(at)) availableAt = Math.min(availableAt ?? at, at)
    }
  }

  const next: JsonObject = clone(status(rs))
  next.replicas = pods.length
  setCount(next, 'fullyLabeledReplicas', fullyLabeled)
  setCount(next, 'readyReplicas', ready)
  setCount(next, 'availableReplicas', available)
  setCount(next, 'observedGeneration', rs.metadata?.generation ?? 0)
  const conditions = arrayAt(next, 'conditions').filter(isObject)
  const existing = conditions.find((c) => c.type === 'ReplicaFailure')
  let updated = conditions
  if (failure && !existing) {
    updated = [
      ...conditions,
      { type: 'ReplicaFailure', status: 'True', lastTransitionTime: timestamp(now), reason: failure.reason, message: failure.message },
    ]
  } else if (!failure && existing) {
    updated = conditions.filter((c) => c !== existing)
  }
  if (updated.length > 0) next.conditions = updated
  else delete next.conditions
  // Keep the key order Kubernetes serialises in.
  const ordered = order(next, [
    'replicas',
    'fullyLabeledReplicas',
    'readyReplicas',
    'availableReplicas',
    'terminatingReplicas',
    'observedGeneration',
    'conditions',
  ])
  return availableAt === undefined ? { status: ordered } : { status: ordered, availableAt }
}

function setCount(object: JsonObject, key: string, value: number): void {
  if (value === 0) delete object[key]
  else object[key] = value
}

function order(object: JsonObject, keys: string[]): JsonObject {
  const out: JsonObject = {}
  for (const key of keys) if (object[key] !== undefined) out[key] = object[key]
  for (const [key, value] of Object.entries(object)) if (!(key in out)) out[key] = value
  return out
}
