import { StatusError } from '../../errors.js'
import type { JsonObject } from '../../json.js'
import { qualifiedResourceName, type KindDefinition } from '../../resources/kind.js'
import type { RequestContext } from '../context.js'
import type { ResourceApi } from '../resource-api.js'

/** What an admission plugin is and sees (services/api/admission/admission.ts runs them). */

/** One write as the plugins see it (Kubernetes' `admission.Attributes`). */
export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE'
  /** `status`, `scale`, … for a write to a subresource. */
  subresource?: string
  definition: KindDefinition
  /** '' for cluster-scoped kinds. */
  namespace: string
  /** The name messages give: for a create from generateName, the prefix, as upstream's admission sees it. */
  name: string
  /** The object to store (mutating plugins change it in place); for a DELETE, the stored one. */
  object: JsonObject
  /** The stored object, for UPDATE and DELETE. */
  old?: JsonObject
  ctx: RequestContext
}

/** What plugins may read (memoised for the request) and the API, for the writes ResourceQuota makes. */
export interface AdmissionContext {
  api: ResourceApi
  now: Date
  /**
   * Objects of a kind in a namespace: the projection's once it has every write this process made
   * (a LimitRange a client just created applies to its next Pod), else the store's. Writes through
   * another revkube process may show a moment late, as with upstream's informer caches; quota
   * charges never rely on it (resource-quota-charger.ts re-reads the store).
   */
  list(kind: string, namespace: string): Promise<JsonObject[]>
  /** One object: the projection's copy if it has one, else the store's. */
  get(kind: string, namespace: string, name: string): Promise<JsonObject | undefined>
  /** The projection's copy of an object (possibly a moment behind the store); undefined without a projection. */
  cached(kind: string, namespace: string, name: string): JsonObject | undefined
}

/** Call once the write was tried: a write that was not stored gives back what it reserved. */
export type Settle = (stored: boolean) => Promise<void>

export interface AdmissionPlugin {
  /** Its name in kube-apiserver's `--enable-admission-plugins`. */
  name: string
  /** Mutating admission: changes `request.object` and says whether it did. */
  admit?(request: AdmissionRequest, context: AdmissionContext): Promise<boolean>
  /** Validating admission: throws Forbidden to refuse; may return what to do once the write was tried. */
  validate?(request: AdmissionRequest, context: AdmissionContext): Promise<Settle | void>
}

/** Admission's refusal: 403 `<resource> "<name>" is forbidden: <why>` (upstream's `admission.NewForbidden`). */
export function forbidden(
  request: Pick<AdmissionRequest, 'definition' | 'name'>,
  why: string,
  causes?: StatusError['details']['causes'],
): StatusError {
  const { definition, name } = request
  const subject = name ? `${qualifiedResourceName(definition)} "${name}"` : qualifiedResourceName(definition)
  return new StatusError('Forbidden', `${subject} is forbidden: ${why}`, {
    name,
    group: definition.group,
    kind: definition.resource,
    ...(causes && { causes }),
  })
}

/** Errors joined as apimachinery's `NewAggregate(errs).Error()` does: one as is, several deduplicated in brackets. */
export function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)]
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`
}
