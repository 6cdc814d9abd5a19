import type { StatefulSet } from 'kubernetes-types/apps/v1.js'
import type { PersistentVolumeClaim, Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { REVISION_HASH_LABEL } from './controller-revision.js'
import { templateSpecOf } from './replica-set-pods.js'
import { condition, controllerReference, isDeleting, isPodAvailable, labelsOf, nameOf, namespaceOf } from '../runtime/objects.js'

/**
 * A StatefulSet's pods and claims: stable names and ordinals, identity (hostname, subdomain,
 * labels) and storage (kubernetes `pkg/controller/statefulset/stateful_set_utils.go`).
 */

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name'
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index'

/** `getOrdinal`: the ordinal in `<set>-<ordinal>`, or -1 when the pod is not named for the set. */
export function ordinalOf(set: StatefulSet, pod: Pod): number {
  const match = /^(.*)-(\d+)$/.exec(nameOf(pod))
  if (!match || match[1] !== nameOf(set)) return -1
  const ordinal = Number(match[2])
  return Number.isSafeInteger(ordinal) ? ordinal : -1
}

export const startOrdinal = (set: StatefulSet): number => set.spec?.ordinals?.start ?? 0
export const revisionOf = (pod: Pod): string | undefined => labelsOf(pod)[REVISION_HASH_LABEL]

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && condition(pod, 'Ready')?.status === 'True'
}

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now)
}

export const isHealthy = (pod: Pod): boolean => isRunningAndReady(pod) && !isDeleting(pod)

/** `getPersistentVolumeClaimName`: `<template>-<set>-<ordinal>`. */
export const claimName = (set: StatefulSet, template: PersistentVolumeClaim, ordinal: number): string =>
  `${nameOf(template)}-${nameOf(set)}-${ordinal}`

export const claimTemplates = (set: StatefulSet): PersistentVolumeClaim[] => set.spec?.volumeClaimTemplates ?? []

/**
 * `getPersistentVolumeClaims`: the claims a pod of this ordinal mounts, labelled with the set's
 * matchLabels. With the default retention policy (Retain) they have no owner and outlive the set.
 */
export function claimsFor(set: StatefulSet, ordinal: number): PersistentVolumeClaim[] {
  const matchLabels = set.spec?.selector.matchLabels ?? {}
  return claimTemplates(set).map((template) => {
    const metadata = template.metadata ?? {}
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        ...metadata,
        name: claimName(set, template, ordinal),
        namespace: namespaceOf(set),
        labels: { ...metadata.labels, ...matchLabels },
      },
      spec: template.spec ?? {},
    }
  })
}

/**
 * `newVersionedStatefulSetPod`: pod `<set>-<ordinal>` from `template` (the current or the update
 * revision's), with its identity, its claims mounted in place of same-named volumes, and the
 * revision's name as `controller-revision-hash`.
 */
export function newStatefulPod(set: StatefulSet, template: PodTemplateSpec, ordinal: number, revision: string): Pod {
  const name = `${nameOf(set)}-${ordinal}`
  const templateMeta = template.metadata ?? {}
  const templateSpec = templateSpecOf(template)
  const claims = new Map(claimTemplates(set).map((t) => [nameOf(t), claimName(set, t, ordinal)]))
  const volumes = (templateSpec.volumes ?? []).filter((v) => !claims.has(v.name))
  for (const [volume, claim] of claims) volumes.push({ name: volume, persistentVolumeClaim: { claimName: claim } })
  const serviceName = set.spec?.serviceName
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: namespaceOf(set),
      labels: {
        ...templateMeta.labels,
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
      ...(serviceName ? { subdomain: serviceName } : {}),
    },
  }
}
