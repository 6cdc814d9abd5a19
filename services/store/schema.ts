/** Row shapes of revkube's tables, as Kysely sees them (see migrations/). */

import type { JsonObject } from '../json.js'

export type { JsonObject }

/** What changed an object, beyond the object itself: who, why, and what caused it. */
export interface EventMeta {
  /** The authenticated user or controller identity, e.g. `alice` or `system:controller:deployment`. */
  actor?: string
  groups?: string[]
  /** The revision of the event that caused this one (a controller's trigger). */
  causationRevision?: number
  correlationId?: string
  requestId?: string
  /** Why: a change-cause, a controller's reason. */
  reason?: string
  [key: string]: unknown
}

export interface EventsTable {
  revision: number
  /** The first revision of the transaction (batch) that committed this event. */
  tx_revision: number
  type: string
  kind: string
  /** '' for cluster-scoped kinds. */
  namespace: string
  name: string
  uid: string
  /** The whole object after the change; for a deletion, its last state. */
  object: JsonObject
  meta: EventMeta
  committed_at: Date
}

export interface ObjectsTable {
  kind: string
  namespace: string
  name: string
  uid: string
  /** The revision of the event that last changed the object (its resourceVersion); this
   * version is valid from it on. */
  revision: number
  object: JsonObject
}

/** One row per version that has ended, valid for revisions in [valid_from, valid_to). */
export interface ObjectVersionsTable {
  kind: string
  namespace: string
  name: string
  /** The revision of the event holding this version's object. */
  valid_from: number
  /** The revision of the event that replaced or deleted it. */
  valid_to: number
}

export interface LogHeadTable {
  id: number
  revision: number
  committed_at: Date
  epoch: number
  compact_revision: number
}

export interface Tables {
  events: EventsTable
  objects: ObjectsTable
  object_versions: ObjectVersionsTable
  log_head: LogHeadTable
}
