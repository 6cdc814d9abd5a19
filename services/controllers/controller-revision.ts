import type { ControllerRevision, DaemonSet, StatefulSet } from 'kubernetes-types/apps/v1.js'
import type { ClusterView } from '../../projections/cluster-state.js'
import { ownedBy } from '../../projections/cluster-state.js'
import { deepEqual, isObject } from '../json.js'
import { asJson, controllerOf, controllerReference, isDeleting, nameOf, namespaceOf, uidOf } from '../runtime/objects.js'
import type { Action } from '../runtime/controller.js'

/**
 * ControllerRevisions, the history DaemonSets and StatefulSets keep of their pod templates
 * (kubernetes `pkg/controller/history`), and the short hashes that name revisions and pods.
 */

/** The pod label (and revision label) that ties a pod to its template's revision. */
export const REVISION_HASH_LABEL = 'controller-revision-hash'

/** The alphabet of Kubernetes' `rand.SafeEncodeString`: no vowels, no look-alikes. */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789'

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text`. */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash >>> 0
}

/** `rand.SafeEncodeString`: each character mapped into the safe alphabet. */
export function safeEncode(text: string): string {
  return [...text].map((c) => ALPHANUMS[c.charCodeAt(0) % ALPHANUMS.length]).join('')
}

/** JSON with object keys sorted, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** `controller.ComputeHash`: the safe-encoded decimal FNV-1a hash of a value (and the collision count). */
export function computeHash(value: unknown, collisionCount = 0): string {
  return safeEncode(String(fnv32a(canonicalJson(value) + (collisionCount > 0 ? String(collisionCount) : ''))))
}

/**
 * A name `<prefix><5 characters>` in the style of generateName, but chosen by the controller so
 * that its events can name the pod: derived from `seed`, skipping names that are `taken`.
 */
export function generatedName(prefix: string, seed: string, taken: (name: string) => boolean): string {
  for (let attempt = 0; ; attempt++) {
    const hash = fnv32a(`${seed}/${attempt}`)
    let suffix = ''
    for (let n = hash, i = 0; i < 5; i++, n = Math.floor(n / ALPHANUMS.length)) suffix += ALPHANUMS[n % ALPHANUMS.length]
    const name = `${prefix.slice(0, 58)}${suffix}`
    if (!taken(name)) return name
  }
}

/** What keeps a history of its pod template. */
export type RevisionOwner = DaemonSet | StatefulSet

/** The revisions an owner controls, oldest revision number first. */
export function revisionsOf(state: ClusterView, owner: RevisionOwner): ControllerRevision[] {
  return ownedBy(state, uidOf(owner), 'ControllerRevision')
    .filter((r) => controllerOf(r)?.uid === uidOf(owner))
    .sort((a, b) => revisionNumber(a) - revisionNumber(b) || nameOf(a).localeCompare(nameOf(b)))
}

export const revisionNumber = (revision: ControllerRevision): number => revision.revision

/** `getPatch`: what a revision records of its owner, the pod template replacing the old one. */
export function templatePatch(owner: RevisionOwner) {
  return { spec: { template: { ...owner.spec?.template, $patch: 'replace' } } }
}

export interface RevisionPlan {
  /** The revision for the owner's current template, as it will be once `actions` ran. */
  revision: ControllerRevision
  /** Creating it, or renumbering an equal older one (a rollback) to the newest number. */
  actions: Action[]
}

/**
 * The revision matching the owner's template now (`history.FindEqualRevisions`, then create or
 * bump, as both controllers' `getDaemonSetRevisions`/`getStatefulSetRevisions` do).
 */
export function planRevision(
  owner: RevisionOwner,
  revisions: ControllerRevision[],
  hash: string,
  extraLabels: Record<string, string> = {},
): RevisionPlan {
  const data = templatePatch(owner)
  const name = `${nameOf(owner)}-${hash}`
  const newest = revisions.reduce((max, r) => Math.max(max, revisionNumber(r)), 0)
  const equal = revisions.filter((r) => nameOf(r) === name || deepEqual(r.data, data))
  const existing = equal[equal.length - 1]
  if (existing) {
    if (revisionNumber(existing) === newest) return { revision: existing, actions: [] }
    const bumped = { ...existing, revision: newest + 1 }
    return { revision: bumped, actions: [{ type: 'update', object: asJson(bumped), reason: 'rollback to an earlier revision' }] }
  }
  const templateLabels = data.spec.template.metadata?.labels
  const revision: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name,
      namespace: namespaceOf(owner),
      labels: { ...templateLabels, ...extraLabels },
      ownerReferences: [controllerReference(owner)],
    },
    data,
    revision: newest + 1,
  }
  return { revision, actions: [{ type: 'create', object: asJson(revision) }] }
}

/**
 * `truncateHistory`/`cleanupHistory`: deletes the oldest revisions beyond `limit` that no live
 * pod and neither the current nor the update revision uses.
 */
export function truncateHistory(revisions: ControllerRevision[], live: Set<string>, limit: number): Action[] {
  const removable = revisions.filter((r) => !live.has(nameOf(r)) && !isDeleting(r))
  const excess = removable.length - Math.max(0, limit)
  return removable.slice(0, Math.max(0, excess)).map((r) => ({
    type: 'delete',
    kind: 'ControllerRevision',
    namespace: namespaceOf(r),
    name: nameOf(r),
  }))
}
