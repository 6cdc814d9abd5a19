import { createHash } from 'node:crypto'
import { decideCreate } from '../api/decide.js'
import { isStatusError, type StatusError } from '../errors.js'
import type { Pod, PodSpec, PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { clone } from '../json.js'
import type { KubeObject } from '../resources/kind-types.js'
import { registry } from '../resources/registry.js'
import { validateName } from '../resources/validation/names.js'
import { asJson, controllerReference, nameOf, namespaceOf, uidOf } from '../runtime/objects.js'

/** Kubernetes' cap on pods created or deleted by one sync of a ReplicaSet (`burstReplicas`). */
export const BURST_REPLICAS = 500

/**
 * Slow start (`slowStartBatch` with `SlowStartInitialBatchSize = 1`): batches of 1, 2, 4, … that
 * add up to `count`, so a template that cannot be created fails once, not `count` times.
 */
export function slowStartBatches(count: number): number[] {
  const batches: number[] = []
  for (let size = Math.min(count, 1), left = count; size > 0; size = Math.min(2 * size, left)) {
    batches.push(size)
    left -= size
  }
  return batches
}

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

/**
 * `getPodsPrefix`: `<owner>-`, unless that is not a valid generateName (then the owner's name).
 */
export function podNamePrefix(ownerName: string): string {
  const prefix = `${ownerName}-`
  return validateName('dns1123-subdomain', prefix, 'metadata.generateName', { prefix: true }).length === 0 ? prefix : ownerName
}

/**
 * Names for new pods as the apiserver makes them from generateName (the prefix cut to 58
 * characters, then 5 characters of Kubernetes' alphabet), but chosen here, so the SuccessfulCreate
 * event can name the pod. The suffixes come from a hash of the owner's uid, the revision the
 * reconcile read and the pod's position: a retry of the same reconcile asks for the same pods
 * again (and finds them already there) instead of creating more.
 */
export function podNames(owner: KubeObject, count: number, revision: number): string[] {
  const base = podNamePrefix(nameOf(owner)).slice(0, 58)
  return Array.from({ length: count }, (_, i) => {
    const digest = createHash('sha256')
      .update(`${uidOf(owner)}/${revision}/${i}`)
      .digest()
    return base + Array.from(digest.subarray(0, 5), (b) => ALPHABET[b % ALPHABET.length]).join('')
  })
}

/**
 * A pod template's spec, `{}` (Go's zero PodSpec) when it has none. The type asks for containers,
 * which the validation of every kind with a pod template guarantees; the `{}` keeps what an object
 * without them gets as it was.
 */
export const templateSpecOf = (template: PodTemplateSpec | undefined): PodSpec => template?.spec ?? ({} as PodSpec)

/**
 * `GetPodFromTemplate`: the template's labels, annotations, finalizers and spec, the owner's
 * generateName prefix and a controller reference to the owner.
 */
export function podFromTemplate(owner: KubeObject, template: PodTemplateSpec, name: string): Pod {
  const metadata = template.metadata ?? {}
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: podNamePrefix(nameOf(owner)),
      namespace: namespaceOf(owner),
      ...(metadata.labels !== undefined && { labels: clone(metadata.labels) }),
      ...(metadata.annotations !== undefined && { annotations: clone(metadata.annotations) }),
      ...(metadata.finalizers !== undefined && { finalizers: clone(metadata.finalizers) }),
      ownerReferences: [controllerReference(owner)],
    },
    spec: clone(templateSpecOf(template)),
  }
}

/**
 * The error the API would answer a create of `object` with, if its validation rejects it
 * (decided with the API's own pure decider; admission that needs the store, such as a
 * terminating namespace, is not predicted). Lets a reconcile report FailedCreate the way
 * Kubernetes' controllers do, although it only learns its writes' outcomes by looking again.
 */
export function creationError(object: KubeObject): StatusError | undefined {
  try {
    const definition = registry.forManifest(object.apiVersion, object.kind)
    decideCreate(definition, asJson(object), namespaceOf(object) || 'default', {
      now: () => new Date(0),
      newUid: () => 'uid',
      randomSuffix: () => 'xxxxx',
    })
    return undefined
  } catch (error) {
    if (isStatusError(error)) return error
    throw error
  }
}
