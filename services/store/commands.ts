import type { StatusError } from '../errors.js'
import type { EventMeta, JsonObject } from './schema.js'

/** Names one object. `namespace` is '' for cluster-scoped kinds. */
export interface ObjectKey {
  kind: string
  namespace: string
  name: string
}

/**
 * What must hold before a command applies; checked after the log head is locked, so every
 * check sees every earlier commit. All given fields must hold.
 */
export interface Precondition {
  /** false: the object must not exist (create). true: it must exist. */
  exists?: boolean
  /** The object must be at this resourceVersion (revision); otherwise Conflict. */
  revision?: number
  /** The object must have this uid; otherwise Conflict. */
  uid?: string
}

interface CommandBase extends ObjectKey {
  precondition?: Precondition
  meta?: EventMeta
  /** How messages name the resource, e.g. `{ resource: 'deployments', group: 'apps' }`. */
  resource?: { resource: string; group: string }
}

/** Store `object` as the new state of the object (a create or an update). */
export interface PutCommand extends CommandBase {
  op: 'put'
  /** The event type: Created, Updated, StatusUpdated, DeletionRequested, … */
  type: string
  object: JsonObject
}

/** Remove the object. Its event, of type `Deleted`, records the object's last state. */
export interface DeleteCommand extends CommandBase {
  op: 'delete'
}

export type AppendCommand = PutCommand | DeleteCommand

/** One entry of the log, as stored and as tailed. */
export interface LogEvent {
  revision: number
  /** The first revision of the transaction that committed this event. */
  txRevision: number
  type: string
  kind: string
  namespace: string
  name: string
  uid: string
  /** The object after the change (resourceVersion = revision); for a deletion its last state. */
  object: JsonObject
  meta: EventMeta
  committedAt: Date
}

/** Each command's result: its event (whose object is the stored object) or why it failed. */
export type AppendOutcome = { ok: true; event: LogEvent } | { ok: false; error: StatusError }

/** etcd's default request limit: an object larger than this is refused. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024
