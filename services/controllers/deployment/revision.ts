import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js'
import { getObject } from '../../../projections/cluster-state.js'
import { clone, type JsonObject } from '../../json.js'
import { annotationsOf, asJson, controllerOf, controllerReference, nameOf, namespaceOf, uidOf } from '../../runtime/objects.js'
import { creationError } from '../replica-set-pods.js'
import { computeHash, equalIgnoreHash, POD_TEMPLATE_HASH_LABEL } from './pod-template-hash.js'
import { desiredReplicas, maxSurge, newReplicaSetReplicas } from './rolling-math.js'
import { getCondition, hasProgressDeadline, newCondition, reasons, setCondition } from './status.js'
import { byCreation, DESIRED_REPLICAS, MAX_REPLICAS, record, REVISION, sized, viewOf, type ReplicaSetView, type Sync } from './sync.js'

export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history'
export const CHANGE_CAUSE = 'kubernetes.io/change-cause'
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'

/** Deployment annotations never copied to its ReplicaSets (`annotationsToSkip`). */
export const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED,
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
])

/** `maxRevHistoryLengthInChars`: how long revision-history may grow. */
const MAX_REVISION_HISTORY_CHARS = 2000

/** `Revision`: the revision annotation as a number; 0 when absent, undefined when unreadable. */
export function revisionOf(annotations: Record<string, string>): number | undefined {
  const value = annotations[REVISION]
  if (value === undefined) return 0
  return /^[+-]?\d+$/.test(value) ? Number(value) : undefined
}

/** `MaxRevision`: the highest readable revision (0 for none). */
export function maxRevision(rss: ReplicaSetView[]): number {
  return rss.reduce((max, rs) => Math.max(max, revisionOf(rs.annotations) ?? 0), 0)
}

/** `FindNewReplicaSet`: the oldest ReplicaSet whose template is the Deployment's, hash aside. */
export function findNewReplicaSet(sync: Sync, rss: ReplicaSetView[]): ReplicaSetView | undefined {
  return [...rss].sort(byCreation(sync.now)).find((rs) => equalIgnoreHash(rs.object.spec?.template, sync.d.spec?.template))
}

/**
 * `SetNewReplicaSetAnnotations`: copies the Deployment's annotations (but the skipped ones),
 * raises the revision when the ReplicaSet's is lower (keeping the old number in revision-history,
 * as when a rollback makes an old ReplicaSet new again) and, for a ReplicaSet about to be
 * created, sets desired- and max-replicas. Changes `annotations` in place; true if it did.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  annotations: Record<string, string>,
  newRevision: string,
  exists: boolean,
): boolean {
  let changed = false
  for (const [key, value] of Object.entries(annotationsOf(d))) {
    if (ANNOTATIONS_TO_SKIP.has(key) || annotations[key] === value) continue
    annotations[key] = value
    changed = true
  }
  const had = Object.hasOwn(annotations, REVISION)
  const oldRevision = annotations[REVISION] ?? ''
  if (oldRevision !== '' && !/^[+-]?\d+$/.test(oldRevision)) return changed
  const oldNumber = oldRevision === '' ? 0 : Number(oldRevision)
  if (oldNumber < Number(newRevision)) {
    annotations[REVISION] = newRevision
    changed = true
    if (had) {
      const history = annotations[REVISION_HISTORY] ?? ''
      const revisions = history === '' ? [] : history.split(',')
      let length = history.length + oldRevision.length + 1
      while (length > MAX_REVISION_HISTORY_CHARS && revisions.length > 0) length -= revisions.shift()!.length + 1
      if (length <= MAX_REVISION_HISTORY_CHARS || history === '') annotations[REVISION_HISTORY] = [...revisions, oldRevision].join(',')
    }
  }
  if (!exists) {
    const desired = String(desiredReplicas(d))
    const max = String(desiredReplicas(d) + maxSurge(d))
    if (annotations[DESIRED_REPLICAS] !== desired || annotations[MAX_REPLICAS] !== max) changed = true
    annotations[DESIRED_REPLICAS] = desired
    annotations[MAX_REPLICAS] = max
  }
  return changed
}

/** Writes the Deployment's revision annotation when it differs (Kubernetes does it with the status). */
function setDeploymentRevision(sync: Sync, revision: string): void {
  if (annotationsOf(sync.d)[REVISION] === revision) return
  sync.steps.push({
    type: 'patch',
    kind: 'Deployment',
    namespace: namespaceOf(sync.d),
    name: nameOf(sync.d),
    patchType: 'merge',
    patch: { metadata: { annotations: { [REVISION]: revision } } },
  })
}

export interface Revisions {
  newRS: ReplicaSetView | undefined
  oldRSs: ReplicaSetView[]
}

/**
 * `getAllReplicaSetsAndSyncRevision` without creating: finds the new ReplicaSet and brings its
 * annotations (revision = highest old revision + 1) and minReadySeconds up to date, or, when
 * they already are, the Deployment's revision annotation (and FoundNewReplicaSet when no
 * Progressing condition is there yet).
 */
export function syncRevision(sync: Sync, rss: ReplicaSetView[]): Revisions {
  const newRS = findNewReplicaSet(sync, rss)
  const oldRSs = rss.filter((rs) => rs !== newRS)
  if (!newRS) return { newRS, oldRSs }
  const annotations = { ...newRS.annotations }
  const changed = setNewReplicaSetAnnotations(sync.d, annotations, String(maxRevision(oldRSs) + 1), true)
  const minReadySeconds = sync.d.spec?.minReadySeconds ?? 0
  const minReadyChanged = (newRS.object.spec?.minReadySeconds ?? 0) !== minReadySeconds
  if (changed || minReadyChanged) {
    const patch: JsonObject = { metadata: { annotations: diff(newRS.annotations, annotations) } }
    if (minReadyChanged) patch.spec = { minReadySeconds: minReadySeconds === 0 ? null : minReadySeconds }
    sync.steps.push({ type: 'patch', kind: 'ReplicaSet', namespace: namespaceOf(sync.d), name: newRS.name, patchType: 'merge', patch })
    newRS.annotations = annotations
    return { newRS, oldRSs }
  }
  setDeploymentRevision(sync, annotations[REVISION] ?? '')
  if (hasProgressDeadline(sync.d) && !getCondition(sync.status, 'Progressing')) {
    setCondition(sync.status, newCondition('Progressing', 'True', reasons.foundNewRS, `Found new replica set "${newRS.name}"`, sync.now))
  }
  return { newRS, oldRSs }
}

/**
 * The creating half of `getNewReplicaSet`: a ReplicaSet `<deployment>-<pod-template-hash>` with the
 * hash in its labels, selector and template, a controller reference, the new revision and the
 * replicas the strategy allows; the ScalingReplicaSet event, the Deployment's revision and
 * NewReplicaSetCreated. A name taken by a ReplicaSet that is not this template's bumps
 * status.collisionCount (the next hash differs); a ReplicaSet the API would reject is
 * ReplicaSetCreateError. Either stops the sync.
 */
export function createNewReplicaSet(sync: Sync, oldRSs: ReplicaSetView[]): ReplicaSetView | undefined {
  const d = sync.d
  const template = clone(d.spec?.template ?? {})
  const collisionCount = d.status?.collisionCount
  const hash = computeHash(template, collisionCount)
  const name = `${nameOf(d)}-${hash}`
  const namespace = namespaceOf(d)
  const newRevision = String(maxRevision(oldRSs) + 1)

  const existing = getObject(sync.state, 'ReplicaSet', namespace, name)
  if (existing) {
    if (controllerOf(existing)?.uid === uidOf(d) && equalIgnoreHash(template, existing.spec?.template)) {
      setDeploymentRevision(sync, newRevision)
      return viewOf(sync.state, existing, d.spec?.minReadySeconds ?? 0, sync.now)
    }
    sync.status.collisionCount = (collisionCount ?? 0) + 1
    sync.stopped = true
    return undefined
  }

  const templateMeta = template.metadata ?? {}
  const labels = { ...(templateMeta.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash }
  const selector = clone(d.spec?.selector ?? {})
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash }
  const empty = { replicas: 0, pods: 0 }
  const replicas = newReplicaSetReplicas(d, [...oldRSs.map(sized), empty], empty)
  const annotations: Record<string, string> = {}
  setNewReplicaSetAnnotations(d, annotations, newRevision, false)
  const minReadySeconds = d.spec?.minReadySeconds ?? 0
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace, labels, annotations: { ...annotations }, ownerReferences: [controllerReference(d)] },
    spec: {
      replicas,
      ...(minReadySeconds !== 0 && { minReadySeconds }),
      selector,
      template: { ...template, metadata: { ...templateMeta, labels } },
    },
  }
  const view: ReplicaSetView = { object: rs, name, uid: '', replicas, annotations, pods: 0, available: 0, created: true }

  const problem = creationError(asJson(rs))
  if (problem) {
    const message = `Failed to create new replica set "${name}": ${problem.message}`
    const reported = getCondition(sync.status, 'Progressing')?.message === message
    if (hasProgressDeadline(d)) setCondition(sync.status, newCondition('Progressing', 'False', reasons.failedRSCreate, message, sync.now))
    if (!reported) record(sync, reasons.failedRSCreate, message, 'Warning')
    sync.stopped = true
    return undefined
  }
  sync.steps.push({ type: 'create', object: asJson(rs) })
  if (view.replicas > 0) record(sync, 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${view.replicas}`)
  setDeploymentRevision(sync, newRevision)
  if (hasProgressDeadline(d))
    setCondition(sync.status, newCondition('Progressing', 'True', reasons.newRSCreated, `Created new replica set "${name}"`, sync.now))
  return view
}

/** The entries of `after` that differ from `before`. */
function diff(before: Record<string, string>, after: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(after).filter(([key, value]) => before[key] !== value))
}
