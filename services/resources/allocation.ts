import type { Decision } from './decision.js'
import type { JsonObject } from '../json.js'

/**
 * What an allocation may do during one write: read objects, and create or delete the objects that
 * record its reservations, as the API server on behalf of the object being written. The resource
 * API provides it (services/api/allocation-host.ts).
 */
export interface AllocationHost {
  /** The write is a dry run: look, but reserve nothing. */
  readonly dryRun: boolean
  /** Whether the API serves a kind: with a registry that lacks the reservation kinds, nothing is allocated. */
  serves(kind: string): boolean
  /** The stored object, read from the store. */
  get(kind: string, namespace: string, name: string): Promise<JsonObject | undefined>
  /** The live view's copy, possibly a moment behind the store: a cheap look before trying `create`. */
  cached(kind: string, namespace: string, name: string): JsonObject | undefined
  /** Creates an object; false when one of that name exists already. */
  create(object: JsonObject): Promise<boolean>
  /** Deletes an object on condition that it still has `uid`. */
  delete(kind: string, namespace: string, name: string, uid: string): Promise<void>
}

/** An allocation made for a write: `settle` once the write has been tried. */
export interface Reservation {
  /** The write to make: the decision given, with allocated values filled in (or `none` if that left nothing to change). */
  decision: Decision
  /** `stored`: keep what was reserved and release what the object gave up; otherwise take back what was reserved. */
  settle(stored: boolean): Promise<void>
}

/**
 * What objects of a kind reserve elsewhere before they are stored, and release after: the
 * BeginCreate and BeginUpdate hooks of kube-apiserver's Service registry, which allocate
 * clusterIPs and node ports.
 */
export interface Allocation {
  /** Before a create is stored: completes `object` in place with what was allocated for it. */
  create(host: AllocationHost, object: JsonObject): Promise<Reservation>
  /** Before a write to the stored `current` is stored: an update, or its deletion (`op: 'delete'`). */
  change(host: AllocationHost, decision: Decision, current: JsonObject): Promise<Reservation>
}
