import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js'
import { objectAt, type JsonObject } from '../json.js'
import type { KubeObject } from './kind-types.js'

/** Kubernetes' own declarations (the kubernetes-types package: types only, nothing at run time). */
export type { ObjectMeta, OwnerReference }

/** An object's metadata, or an empty one. */
export function metadataOf(object: KubeObject | undefined): JsonObject {
  return objectAt(object, 'metadata') ?? {}
}

/** An object's metadata, spec and status, each an empty object when absent. */
export const meta = metadataOf
export const spec = (o: KubeObject): JsonObject => objectAt(o, 'spec') ?? {}
export const status = (o: KubeObject): JsonObject => objectAt(o, 'status') ?? {}
