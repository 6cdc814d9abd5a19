import type { ObjectMeta } from 'kubernetes-types/meta/v1.js'
import type { JsonObject } from '../json.js'

/**
 * Kind name → its Kubernetes type (from the kubernetes-types package: declarations only, nothing
 * at run time). Empty here: each kind's definition file adds its own line by module augmentation,
 * so a kind's type lives in its one file:
 *
 * @example
 * ```ts
 * import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js'
 * declare module '../../kind-types.js' {
 *   interface KindTypes { PriorityClass: PriorityClass }
 * }
 * ```
 *
 * Objects in the cluster state were decoded against their kind's schema when written, so reading
 * them as these types is sound; kinds without a line here read as plain {@link JsonObject}s.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by each kind's definition file
export interface KindTypes {}

/** A kind revkube has a Kubernetes type for. */
export type TypedKind = keyof KindTypes

/** The type of an object of kind `K`: its Kubernetes type when known, else a plain JSON object. */
export type ObjectOf<K extends string> = K extends TypedKind ? KindTypes[K] : JsonObject

/**
 * What every Kubernetes object has, typed or not: the readers shared by controllers, the scheduler
 * and the kubelets take this, so a `Pod` and a `JsonObject` both fit.
 */
export type KubeObject = { apiVersion?: string; kind?: string; metadata?: ObjectMeta }
