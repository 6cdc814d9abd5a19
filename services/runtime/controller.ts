import type { ClusterView } from '../../projections/cluster-state.js'
import type { Change } from '../../projections/projection.js'
import type { DeleteOptions } from '../api/decide.js'
import type { PatchType } from '../api/resource-api.js'
import type { JsonObject } from '../json.js'

/**
 * A controller: which keys an event touches, and how to reconcile one key. Reconcile is pure
 * and level-triggered: it reads the state, compares desired with current, and returns the writes
 * that close the gap (none when there is no difference). The runner owns everything else.
 */
export interface Controller {
  /** Its identity: writes are recorded as `system:controller:<name>` unless an action says otherwise. */
  name: string
  /** The actor its writes carry. @default `system:controller:${name}` */
  actor?: string
  /** The keys (usually `namespace/name` of its own kind) a change asks to look at again. */
  keysFor(change: Change, state: ClusterView): Iterable<string>
  /** Every key, for periodic resync and start-up. */
  allKeys(state: ClusterView): Iterable<string>
  /** The writes that bring `key` to its desired state now. */
  reconcile(key: string, state: ClusterView, now: Date): Reconciliation
  /** How often every key is reconciled anyway. @default 300000 (5 min) */
  resyncPeriodMs?: number
}

export interface Reconciliation {
  /** Writes, in order; an inner array runs its writes concurrently. */
  actions: Array<Action | Action[]>
  /** Look at this key again after this long (time-based logic: minReadySeconds, back-off). */
  requeueAfterMs?: number
}

interface ActionBase {
  /** Why, recorded in the event's meta.reason. */
  reason?: string
  /** Act as someone else, e.g. `system:node:n1` for a simulated kubelet. */
  actor?: string
}

export type Action = ActionBase &
  (
    | { type: 'create'; object: JsonObject }
    /** Conditional on the object's metadata.resourceVersion. */
    | { type: 'update'; object: JsonObject }
    | { type: 'updateStatus'; object: JsonObject }
    | { type: 'patch'; kind: string; namespace: string; name: string; patch: unknown; patchType: PatchType; subresource?: 'status' }
    | { type: 'delete'; kind: string; namespace: string; name: string; options?: DeleteOptions }
    /** Sets replicas through the scale subresource, conditional on `resourceVersion` when given. */
    | { type: 'scale'; kind: string; namespace: string; name: string; replicas: number; resourceVersion?: string }
  )

export const nothing: Reconciliation = { actions: [] }

/** `namespace/name` ('' namespace for cluster-scoped kinds). */
export const keyOf = (namespace: string, name: string) => `${namespace}/${name}`

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/')
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) }
}
