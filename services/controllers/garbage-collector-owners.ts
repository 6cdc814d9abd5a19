import { getObject, ownedBy, type ClusterView } from '../../projections/cluster-state.js'
import type { JsonObject } from '../json.js'
import type { KubeObject } from '../resources/kind-types.js'
import type { KindRegistry } from '../resources/registry.js'
import { isDeleting, nameOf, namespaceOf, ownerReferences, uidOf, type OwnerReference } from '../runtime/objects.js'

/**
 * How the garbage collector sees ownerReferences (K `pkg/controller/garbagecollector`
 * `classifyReferences`, `isDangling`, `graph_builder.go addDependentToOwners`). Owners are looked
 * up in the projection: it is one consistent prefix of the log, and uids are made by the server,
 * so a dependent's owner is in it unless it is gone (no live GET is needed, unlike upstream's
 * informers, which can lag each other).
 */

export const FOREGROUND = 'foregroundDeletion'
export const ORPHAN = 'orphan'

export const gcKey = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`

export function splitGcKey(key: string): { kind: string; namespace: string; name: string } {
  const [kind = '', namespace = '', ...rest] = key.split('/')
  return { kind, namespace, name: rest.join('/') }
}

export const gcKeyOf = (o: KubeObject) => gcKey(String(o.kind), namespaceOf(o), nameOf(o))

export const hasFinalizer = (o: KubeObject, finalizer: string) => (o.metadata?.finalizers ?? []).includes(finalizer)

/** Being deleted in the foreground: waiting for its blocking dependents. */
export const isDeletingDependents = (o: KubeObject) => isDeleting(o) && hasFinalizer(o, FOREGROUND)

export interface Classified {
  /** Owners that exist and are not deleting their dependents. */
  solid: OwnerReference[]
  /** Owners that are gone (or replaced by an object with another uid), or references that are invalid. */
  dangling: OwnerReference[]
  /** Owners deleting in the foreground. */
  waiting: OwnerReference[]
  /** A reference that can never resolve (unknown kind, or a namespaced owner of a cluster-scoped object): leave the object alone. */
  unresolvable: boolean
  /** References to an owner in another namespace (or a namespaced owner of a cluster-scoped object): reported as OwnerRefInvalidNamespace. */
  invalid: OwnerReference[]
}

export function classify(state: ClusterView, registry: KindRegistry, dependent: JsonObject): Classified {
  const out: Classified = { solid: [], dangling: [], waiting: [], unresolvable: false, invalid: [] }
  const namespace = namespaceOf(dependent)
  for (const ref of ownerReferences(dependent)) {
    const definition = registry.get(ref.kind)
    if (!definition) {
      out.unresolvable = true
      continue
    }
    if (definition.namespaced && namespace === '') {
      out.invalid.push(ref)
      out.unresolvable = true
      continue
    }
    const owner = getObject(state, definition.kind, definition.namespaced ? namespace : '', ref.name)
    if (!owner || uidOf(owner) !== ref.uid) {
      out.dangling.push(ref)
      if (definition.namespaced && existsElsewhere(state, definition.kind, namespace, ref)) out.invalid.push(ref)
    } else if (isDeletingDependents(owner)) out.waiting.push(ref)
    else out.solid.push(ref)
  }
  return out
}

/** An object of the owner's kind, name and uid in another namespace. */
function existsElsewhere(state: ClusterView, kind: string, namespace: string, ref: OwnerReference): boolean {
  for (const [ns, names] of state.objects.get(kind) ?? []) {
    if (ns !== namespace && names.get(ref.name) && uidOf(names.get(ref.name)!) === ref.uid) return true
  }
  return false
}

/** The dependents whose references to `owner` are valid: same namespace for a namespaced owner. */
export function dependentsOf(state: ClusterView, owner: JsonObject): JsonObject[] {
  const namespace = namespaceOf(owner)
  return ownedBy(state, uidOf(owner)).filter((d) => namespace === '' || namespaceOf(d) === namespace)
}

/** The reference a dependent holds to this owner. */
export const referenceTo = (dependent: JsonObject, owner: JsonObject) => ownerReferences(dependent).find((r) => r.uid === uidOf(owner))

/** The owners a version of an object names that exist, as keys. */
export function ownerKeys(state: ClusterView, registry: KindRegistry, object: JsonObject | undefined): string[] {
  if (!object) return []
  const keys: string[] = []
  for (const ref of ownerReferences(object)) {
    const definition = registry.get(ref.kind)
    if (!definition) continue
    const namespace = definition.namespaced ? namespaceOf(object) : ''
    if (getObject(state, definition.kind, namespace, ref.name)) keys.push(gcKey(definition.kind, namespace, ref.name))
  }
  return keys
}
