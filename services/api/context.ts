import { randomBytes, randomUUID } from 'node:crypto'
import type { UserInfo } from '../auth/user.js'
import type { KindDefinition } from '../resources/kind.js'
import type { JsonObject } from '../json.js'
import type { FieldValidation } from '../resources/schema/decode.js'
import type { EventMeta } from '../store/schema.js'

/** Who is asking and why: recorded in the meta of every event the request causes. */
export interface RequestContext {
  /** The caller: a user name or a controller identity such as `system:controller:deployment`. */
  actor: string
  groups?: string[]
  requestId?: string
  /** Ties together the events of one logical operation (an apply of many objects, a rollout). */
  correlationId?: string
  /** The revision of the event that led to this request (a controller's trigger). */
  causationRevision?: number
  /** Why: a change-cause or a controller's reason. */
  reason?: string
  /** Validate and decide, but write nothing. */
  dryRun?: boolean
  /** More to record in the events' meta (it takes precedence over what the verb records). */
  meta?: Record<string, unknown>
  /**
   * The authenticated caller, whose permissions every write is checked against. Absent for the
   * control plane itself (controllers, the scheduler, kubelets), which acts with its own identity.
   */
  user?: UserInfo
  /**
   * How unknown fields in the objects written are treated, as Kubernetes' `fieldValidation` query
   * parameter. Absent for the control plane: ResourceApiOptions.fieldValidation applies.
   */
  fieldValidation?: FieldValidation
  /** Where the API leaves warnings for the client (Kubernetes' `Warning` headers): one per unknown field under Warn. */
  warnings?: string[]
  /** The client's address and user agent, recorded for audit. */
  sourceAddress?: string
  userAgent?: string
}

/** A write as authorization sees it: the verb (create, update, patch, delete) on an object or subresource. */
export interface WriteRequest {
  verb: string
  definition: KindDefinition
  namespace: string
  name?: string
  subresource?: string
}

/** Authorization of the API's writes: RBAC on the caller, and escalation prevention for RBAC objects. */
export interface WriteGuard {
  /** Forbidden unless ctx.user may make the request; a request without a user is the control plane's. */
  authorize(ctx: RequestContext, request: WriteRequest): void
  /** Checks of the object about to be stored (a Role, a binding: no escalation). */
  admit(ctx: RequestContext, definition: KindDefinition, object: JsonObject): void
}

/** What a decision needs from the world: the time, fresh uids, randomness for generated names. */
export interface Environment {
  now(): Date
  newUid(): string
  /** Five characters for generateName, from Kubernetes' alphabet. */
  randomSuffix(): string
}

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

export const realEnvironment: Environment = {
  now: () => new Date(),
  newUid: () => randomUUID(),
  randomSuffix: () => Array.from(randomBytes(5), (b) => ALPHABET[b % ALPHABET.length]).join(''),
}

/** RFC 3339 with whole seconds, as Kubernetes writes timestamps. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export function eventMeta(ctx: RequestContext, extra: Record<string, unknown> = {}): EventMeta {
  return {
    actor: ctx.actor,
    ...(ctx.groups && { groups: ctx.groups }),
    ...(ctx.requestId && { requestId: ctx.requestId }),
    ...((ctx.correlationId ?? ctx.requestId) && { correlationId: ctx.correlationId ?? ctx.requestId }),
    ...(ctx.causationRevision !== undefined && { causationRevision: ctx.causationRevision }),
    ...(ctx.reason && { reason: ctx.reason }),
    ...(ctx.user?.uid && { uid: ctx.user.uid }),
    ...(ctx.sourceAddress && { sourceAddress: ctx.sourceAddress }),
    ...(ctx.userAgent && { userAgent: ctx.userAgent }),
    ...extra,
    ...ctx.meta,
  }
}
