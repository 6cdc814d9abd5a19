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
  const previous = state.objects.get(event.kind)?.get(event.namespace)?.get(event.name)
  if (previous) unindex(state, event.kind, previous)
  const next = eventObject(event)
  let byNamespace = state.objects.get(event.kind)
  if (next) {
    if (!byNamespace) state.objects.set(event.kind, (byNamespace = new Map()))
    let names = byNamespace.get(event.namespace)
    if (!names) byNamespace.set(event.namespace, (names = new Map()))
    names.set(event.name, next)
    index(state, event.kind, next)
  } else {
    const names = byNamespace?.get(event.namespace)
    names?.delete(event.name)
    if (names?.size === 0) byNamespace!.delete(event.namespace)
  }
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
  if (previous) unindex(state, kind, previous)
  names.set(name, object)
  index(state, kind, object)
}

function index(state: ClusterState, kind: string, object: JsonObject): void {
  visit(state, kind, object, (set, value) => set.add(value))
}

function unindex(state: ClusterState, kind: string, object: JsonObject): void {
  visit(state, kind, object, (set, value) => set.delete(value))
}

/** Walks the index entries an object has, creating sets on the way (removal leaves empty sets pruned). */
function visit(state: ClusterState, kind: string, object: JsonObject, apply: (set: Set<string>, value: string) => void): void {
  const metadata = (object.metadata ?? {}) as JsonObject
  const namespace = String(metadata.namespace ?? '')
  const key = objectKey(namespace, String(metadata.name))
  const entry = (map: Map<string, Set<string>>, at: string, value: string) => {
    let set = map.get(at)
    if (!set) map.set(at, (set = new Set()))
    apply(set, value)
    if (set.size === 0) map.delete(at)
  }
  if (kind === 'Pod') {
    const node = ((object.spec ?? {}) as JsonObject).nodeName
    if (typeof node === 'string' && node !== '') entry(state.podsByNode, node, key)
  }
  const owners = metadata.ownerReferences
  if (Array.isArray(owners)) {
    for (const owner of owners) {
      const uid = (owner as JsonObject | null)?.uid
      if (typeof uid === 'string') entry(state.byOwner, uid, `${kind}/${key}`)
    }
  }
  const labels = metadata.labels as Record<string, unknown> | undefined
  if (labels && typeof labels === 'object') {
    let byLabel = state.byLabel.get(kind)
    if (!byLabel) state.byLabel.set(kind, (byLabel = new Map()))
    for (const [k, v] of Object.entries(labels)) entry(byLabel, `${k}=${String(v)}`, key)
  }
}
