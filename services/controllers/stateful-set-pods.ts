import { arrayAt, isObject, objectAt, type JsonObject } from '../json.js'
import { REVISION_HASH_LABEL } from './controller-revision.js'
import {
  condition,
  controllerReference,
  isDeleting,
  isPodAvailable,
  labelsOf,
  nameOf,
  namespaceOf,
  spec,
  status,
} from '../runtime/objects.js'

/**
 * A StatefulSet's pods and claims: stable names and ordinals, identity (hostname, subdomain,
 * labels) and storage (kubernetes `pkg/controller/statefulset/stateful_set_utils.go`).
 */

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name'
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index'

/** `getOrdinal`: the ordinal in `<set>-<ordinal>`, or -1 when the pod is not named for the set. */
export function ordinalOf(set: JsonObject, pod: JsonObject): number {
  const match = /^(.*)-(\d+)$/.exec(nameOf(pod))
  if (!match || match[1] !== nameOf(set)) return -1
  const ordinal = Number(match[2])
  return Number.isSafeInteger(ordinal) ? ordinal : -1
}

export const startOrdinal = (set: JsonObject): number => Number(objectAt(spec(set), 'ordinals')?.start ?? 0)
export const revisionOf = (pod: JsonObject): string | undefined => labelsOf(pod)[REVISION_HASH_LABEL]

export function isRunningAndReady(pod: JsonObject): boolean {
  return status(pod).phase === 'Running' && condition(pod, 'Ready')?.status === 'True'
}

export function isRunningAndAvailable(pod: JsonObject, minReadySeconds: number, now: Date): boolean {
  return status(pod).phase === 'Running' && isPodAvailable(pod, minReadySeconds, now)
}

export const isHealthy = (pod: JsonObject): boolean => isRunningAndReady(pod) && !isDeleting(pod)

/** `getPersistentVolumeClaimName`: `<template>-<set>-<ordinal>`. */
export const claimName = (set: JsonObject, template: JsonObject, ordinal: number): string =>
  `${templateName(template)}-${nameOf(set)}-${ordinal}`

const templateName = (template: JsonObject): string => String(objectAt(template, 'metadata')?.name ?? '')

export const claimTemplates = (set: JsonObject): JsonObject[] => arrayAt(spec(set), 'volumeClaimTemplates').filter(isObject)

/**
 * `getPersistentVolumeClaims`: the claims a pod of this ordinal mounts, labelled with the set's
 * matchLabels. With the default retention policy (Retain) they have no owner and outlive the set.
 */
export function claimsFor(set: JsonObject, ordinal: number): JsonObject[] {
  const matchLabels = objectAt(objectAt(spec(set), 'selector'), 'matchLabels') ?? {}
  return claimTemplates(set).map((template) => {
    const metadata = objectAt(template, 'metadata') ?? {}
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        ...metadata,
        name: claimName(set, template, ordinal),
        namespace: namespaceOf(set),
        labels: { ...objectAt(metadata, 'labels'), ...matchLabels },
      },
      spec: objectAt(template, 'spec') ?? {},
    }
  })
}

/**
 * `newVersionedStatefulSetPod`: pod `<set>-<ordinal>` from `template` (the current or the update
 * revision's), with its identity, its claims mounted in place of same-named volumes, and the
 * revision's name as `controller-revision-hash`.
 */
export function newStatefulPod(set: JsonObject, template: JsonObject, ordinal: number, revision: string): JsonObject {
  const name = `${nameOf(set)}-${ordinal}`
  const templateMeta = objectAt(template, 'metadata') ?? {}
  const templateSpec = objectAt(template, 'spec') ?? {}
  const claims = new Map(claimTemplates(set).map((t) => [templateName(t), claimName(set, t, ordinal)]))
  const volumes = arrayAt(templateSpec, 'volumes')
    .filter(isObject)
    .filter((v) => !claims.has(String(v.name)))
  for (const [volume, claim] of claims) volumes.push({ name: volume, persistentVolumeClaim: { claimName: claim } })
  const serviceName = spec(set).serviceName
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: namespaceOf(set),
      labels: {
        ...objectAt(templateMeta, 'labels'),
        [POD_NAME_LABEL]: name,
        [POD_INDEX_LABEL]: String(ordinal),
        [REVISION_HASH_LABEL]: revision,
      },
      ...(templateMeta.annotations !== undefined && { annotations: templateMeta.annotations }),
      ownerReferences: [controllerReference(set)],
    },
    spec: {
      ...templateSpec,
      ...(volumes.length > 0 && { volumes }),
      hostname: name,
      ...(typeof serviceName === 'string' && serviceName !== '' && { subdomain: serviceName }),
    },
  }
}
