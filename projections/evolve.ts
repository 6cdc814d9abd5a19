import type { LogEvent } from '../services/store/commands.js'
import type { JsonObject } from '../services/store/schema.js'
import { eventObject, objectKey, type ClusterState } from './cluster-state.js'

/**
 * Applies one event of the log to the state and returns it: the one fold behind the live
 * projection, replay to a revision, and `stateAt`. Deterministic and free of I/O; it updates the
 * state in place (copying a million-object state per event would make replay crawl).
 * Events at or below the state's revision are ignored, so applying one twice changes nothing.
 */
export function evolve(state: ClusterState, event: LogEvent): ClusterState {
  if (event.revision <= state.revision) return state
  const next = eventObject(event)
  let byNamespace = state.objects.get(event.kind)
  let names = byNamespace?.get(event.namespace)
  const previous = names?.get(event.name)
  if (next) {
    if (!byNamespace) state.objects.set(event.kind, (byNamespace = new Map()))
    if (!names) byNamespace.set(event.namespace, (names = new Map()))
    names.set(event.name, next)
  } else if (names) {
    names.delete(event.name)
    if (names.size === 0) byNamespace!.delete(event.namespace)
  }
  reindex(state, event.kind, previous, next)
  state.revision = event.revision
  return state
}

/** Loads an object read from `objects` (start-up from a snapshot). */
export function load(state: ClusterState, kind: string, namespace: string, name: string, object: JsonObject): void {
  let byNamespace = state.objects.get(kind)
  if (!byNamespace) state.objects.set(kind, (byNamespace = new Map()))
  let names = byNamespace.get(namespace)
  if (!names) byNamespace.set(namespace, (names = new Map()))
  const previous = names.get(name)
  names.set(name, object)
  reindex(state, kind, previous, object)
}

/** The fields the indexes use, of one object. */
interface Indexed {
  key: string
  node: string | undefined
  owners: string[]
  labels: string[]
}

function indexed(kind: string, object: JsonObject): Indexed {
  const metadata = (object.metadata ?? {}) as JsonObject
  const key = objectKey(String(metadata.namespace ?? ''), String(metadata.name))
  const nodeName = kind === 'Pod' ? ((object.spec ?? {}) as JsonObject).nodeName : undefined
  const owners: string[] = []
  if (Array.isArray(metadata.ownerReferences)) {
    for (const owner of metadata.ownerReferences) {
      const uid = (owner as JsonObject | null)?.uid
      if (typeof uid === 'string') owners.push(uid)
    }
  }
  const labels: string[] = []
  const labelMap = metadata.labels
  // Label values are strings; anything else (only a malformed object could hold one) is not indexed.
  if (labelMap && typeof labelMap === 'object')
    for (const [k, v] of Object.entries(labelMap)) if (typeof v === 'string') labels.push(`${k}=${v}`)
  return { key, node: typeof nodeName === 'string' && nodeName !== '' ? nodeName : undefined, owners, labels }
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i])

/** Moves an object's index entries from its previous to its next version, touching only what changed. */
function reindex(state: ClusterState, kind: string, previous: JsonObject | undefined, next: JsonObject | undefined): void {
  const before = previous && indexed(kind, previous)
  const after = next && indexed(kind, next)
  if (before?.node !== after?.node || before?.key !== after?.key) {
    if (before?.node) remove(state.podsByNode, before.node, before.key)
    if (after?.node) add(state.podsByNode, after.node, after.key)
  }
  if (!before || !after || !same(before.owners, after.owners)) {
    for (const uid of before?.owners ?? []) remove(state.byOwner, uid, `${kind}/${before!.key}`)
    for (const uid of after?.owners ?? []) add(state.byOwner, uid, `${kind}/${after!.key}`)
  }
  if (!before || !after || !same(before.labels, after.labels)) {
    let byLabel = state.byLabel.get(kind)
    if (!byLabel) state.byLabel.set(kind, (byLabel = new Map()))
    for (const label of before?.labels ?? []) remove(byLabel, label, before!.key)
    for (const label of after?.labels ?? []) add(byLabel, label, after!.key)
  }
}

function add(map: Map<string, Set<string>>, at: string, value: string): void {
  let set = map.get(at)
  if (!set) map.set(at, (set = new Set()))
  set.add(value)
}

function remove(map: Map<string, Set<string>>, at: string, value: string): void {
  const set = map.get(at)
  if (!set) return
  set.delete(value)
  if (set.size === 0) map.delete(at)
}
