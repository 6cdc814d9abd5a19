import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js'
import { objectAt, type JsonObject } from '../json.js'

/** Kubernetes' own declarations (the kubernetes-types package: types only, nothing at run time). */
export type { ObjectMeta, OwnerReference }

/** An object's metadata, or an empty one. */
export function metadataOf(object: JsonObject | undefined): JsonObject {
  return objectAt(object, 'metadata') ?? {}
}

/** An object's metadata, spec and status, each an empty object when absent. */
export const meta = metadataOf
export const spec = (o: JsonObject): JsonObject => objectAt(o, 'spec') ?? {}
export const status = (o: JsonObject): JsonObject => objectAt(o, 'status') ?? {}
