import type { LogEvent } from '../services/store/commands.js'
import type { Pod, Service } from 'kubernetes-types/core/v1.js'
import type { KubeObject, ObjectOf } from '../services/resources/kind-types.js'
import type { JsonObject } from '../services/store/schema.js'

/**
 * The cluster as the log describes it at `revision`: every object by kind, namespace and name,
 * plus the indexes controllers and the API look things up by. Built and kept current by
 * `evolve` (projections/evolve.ts); nothing else writes it.
 */
export interface ClusterState {
  revision: number
  /** kind → namespace ('' for cluster-scoped) → name → object */
  objects: Map<string, Map<string, Map<string, JsonObject>>>
  /** node name → keys (`namespace/name`) of the pods bound to it */
  podsByNode: Map<string, Set<string>>
  /** owner uid → `Kind/namespace/name` of the objects it owns */
  byOwner: Map<string, Set<string>>
  /** kind → `key=value` → keys (`namespace/name`) of the objects with that label */
  byLabel: Map<string, Map<string, Set<string>>>
}

/**
 * The cluster state as controllers, the scheduler and the kubelets see it: read-only (the
 * projection alone writes it). Objects of a kind revkube has a type for come back typed
 * (`getObject(state, 'Pod', …)` is a `Pod`); clone one before changing it.
 */
export interface ClusterView {
  readonly revision: number
  readonly objects: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, JsonObject>>>
  readonly podsByNode: ReadonlyMap<string, ReadonlySet<string>>
  readonly byOwner: ReadonlyMap<string, ReadonlySet<string>>
  readonly byLabel: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>
}

export function emptyState(): ClusterState {
  return { revision: 0, objects: new Map(), podsByNode: new Map(), byOwner: new Map(), byLabel: new Map() }
}

export const objectKey = (namespace: string, name: string) => `${namespace}/${name}`

export function getObject<K extends string>(state: ClusterView, kind: K, namespace: string, name: string): ObjectOf<K> | undefined {
  return state.objects.get(kind)?.get(namespace)?.get(name) as ObjectOf<K> | undefined
}

/** Objects of a kind, in one namespace or all, ordered by namespace and name like the store's lists. */
export function listObjects<K extends string>(state: ClusterView, kind: K, namespace?: string): ObjectOf<K>[] {
  const byNamespace = state.objects.get(kind)
  if (!byNamespace) return []
  const namespaces = namespace === undefined ? [...byNamespace.keys()].sort() : [namespace]
  const out: ObjectOf<K>[] = []
  for (const ns of namespaces) {
    const names = byNamespace.get(ns)
    if (!names) continue
    for (const name of [...names.keys()].sort()) out.push(names.get(name) as ObjectOf<K>)
  }
  return out
}

export function countObjects(state: ClusterView, kind?: string): number {
  let n = 0
  for (const [k, byNamespace] of state.objects) {
    if (kind !== undefined && k !== kind) continue
    for (const names of byNamespace.values()) n += names.size
  }
  return n
}

/** Pods bound to a node. */
export function podsOnNode(state: ClusterView, node: string): Pod[] {
  return [...(state.podsByNode.get(node) ?? [])].flatMap((key) => {
    const [namespace, name] = splitKey(key)
    const pod = getObject(state, 'Pod', namespace, name)
    return pod ? [pod] : []
  })
}

/** Objects whose ownerReferences name this uid, optionally of one kind. */
export function ownedBy<K extends string = string>(state: ClusterView, uid: string, kind?: K): ObjectOf<K>[] {
  return [...(state.byOwner.get(uid) ?? [])].flatMap((ref) => {
    const [k, namespace, name] = ref.split('/') as [string, string, string]
    if (kind !== undefined && k !== kind) return []
    const object = getObject(state, k, namespace, name)
    return object ? [object as ObjectOf<K>] : []
  })
}

/** Objects of a kind carrying the label `key=value`. */
export function withLabel<K extends string>(state: ClusterView, kind: K, key: string, value: string): ObjectOf<K>[] {
  return [...(state.byLabel.get(kind)?.get(`${key}=${value}`) ?? [])].flatMap((k) => {
    const [namespace, name] = splitKey(k)
    const object = getObject(state, kind, namespace, name)
    return object ? [object] : []
  })
}

/** Services in the pod's namespace whose selector matches the pod's labels. */
export function servicesSelecting(state: ClusterView, pod: KubeObject): Service[] {
  const labels = pod.metadata?.labels ?? {}
  return listObjects(state, 'Service', pod.metadata?.namespace ?? '').filter((service) => {
    const selector = service.spec?.selector
    if (!selector || Object.keys(selector).length === 0) return false
    return Object.entries(selector).every(([k, v]) => labels[k] === v)
  })
}

export function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/')
  return [key.slice(0, slash), key.slice(slash + 1)]
}

/** The object an event leaves behind: undefined for a deletion. */
export function eventObject(event: LogEvent): JsonObject | undefined {
  return event.type === 'Deleted' ? undefined : event.object
}
