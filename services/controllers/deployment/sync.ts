import type { Deployment, DeploymentStatus, ReplicaSet, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js'
import { ownedBy, type ClusterView } from '../../../projections/cluster-state.js'
import { clone } from '../../json.js'
import { recordEvent } from '../../runtime/events.js'
import { annotationsOf, controllerOf, isDeleting, isPodActive, isPodAvailable, nameOf, namespaceOf, uidOf } from '../../runtime/objects.js'
import type { Action } from '../../runtime/controller.js'
import { desiredReplicas, isRollingUpdate, maxSurge, replicaSetProportion, type Sized } from './rolling-math.js'

export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas'
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas'
export const REVISION = 'deployment.kubernetes.io/revision'
const MAX_INT32 = 2147483647

/** A ReplicaSet of the Deployment as one sync sees and changes it. */
export interface ReplicaSetView {
  /** As stored, or as about to be created. */
  object: ReplicaSet
  name: string
  uid: string
  /** spec.replicas as this sync leaves it. */
  replicas: number
  /** metadata.annotations as this sync leaves them. */
  annotations: Record<string, string>
  /** Active pods it controls now. */
  pods: number
  /** Of those, available now. */
  available: number
  /** Created by this sync (not stored yet). */
  created: boolean
}

/**
 * One sync of a Deployment: what it read, the status it is building and the writes it plans,
 * in order. Where Kubernetes' syncDeployment calls the API as it goes, the pure reconcile records
 * each call here and carries on with the object it expects back.
 */
export interface Sync {
  d: Deployment
  state: ClusterView
  now: Date
  /** The status as this sync leaves it. */
  status: DeploymentStatus
  steps: Array<Action | Action[]>
  requeueAfterMs?: number
  /** A write the sync needs cannot be made (a hash collision, an invalid ReplicaSet): only the status follows. */
  stopped?: boolean
}

export function newSync(d: Deployment, state: ClusterView, now: Date): Sync {
  return { d, state, now, status: clone(d.status ?? {}), steps: [] }
}

export function viewOf(state: ClusterView, rs: ReplicaSet, minReadySeconds: number, now: Date): ReplicaSetView {
  const uid = uidOf(rs)
  const pods = ownedBy(state, uid, 'Pod').filter((pod) => controllerOf(pod)?.uid === uid && isPodActive(pod))
  return {
    object: rs,
    name: nameOf(rs),
    uid,
    replicas: replicasOf(rs),
    annotations: { ...annotationsOf(rs) },
    pods: pods.length,
    available: pods.filter((pod) => isPodAvailable(pod, minReadySeconds, now)).length,
    created: false,
  }
}

/** A ReplicaSet's spec.replicas (the API defaults it to 1). */
export const replicasOf = (rs: ReplicaSet): number => rs.spec?.replicas ?? 1
/** The view as the rolling-update maths takes it. */
export const sized = (rs: ReplicaSetView): Sized => ({ replicas: rs.replicas, pods: rs.pods })
/** Available pods it may be counted on for: never more than it is meant to keep. */
export const availableOf = (rs: ReplicaSetView): number => Math.min(rs.available, rs.replicas)
/** Its stored status (empty for one this sync creates). */
export const rsStatus = (rs: ReplicaSetView): Partial<ReplicaSetStatus> => (rs.created ? {} : (rs.object.status ?? {}))
export const sum = (rss: ReplicaSetView[], of: (rs: ReplicaSetView) => number): number => rss.reduce((n, rs) => n + of(rs), 0)
/** `FilterActiveReplicaSets`: it wants pods. */
export const isActive = (rs: ReplicaSetView): boolean => rs.replicas > 0

/** A Normal (or Warning) event on the Deployment, as the deployment controller records it. */
export function record(sync: Sync, reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal'): void {
  sync.steps.push(recordEvent(sync.d, { type, reason, message, component: 'deployment-controller' }, sync.now))
}

const created = (rs: ReplicaSetView, now: Date): number =>
  rs.created ? now.getTime() : Date.parse(rs.object.metadata?.creationTimestamp ?? '') || 0

/** `ReplicaSetsByCreationTimestamp`: oldest first, ties by name. */
export function byCreation(now: Date) {
  return (a: ReplicaSetView, b: ReplicaSetView): number =>
    created(a, now) - created(b, now) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

/**
 * `scaleReplicaSet`: sets spec.replicas and the desired/max-replicas annotations (in one merge
 * patch) when either differs; a change of size is a ScalingReplicaSet event worded as
 * Kubernetes words it. Returns whether the size changed.
 */
export function scaleReplicaSet(sync: Sync, rs: ReplicaSetView, replicas: number, operation: string): boolean {
  const desired = String(desiredReplicas(sync.d))
  const max = String(desiredReplicas(sync.d) + maxSurge(sync.d))
  const resize = rs.replicas !== replicas
  if (!resize && rs.annotations[DESIRED_REPLICAS] === desired && rs.annotations[MAX_REPLICAS] === max) return false
  const before = rs.replicas
  rs.replicas = replicas
  rs.annotations = { ...rs.annotations, [DESIRED_REPLICAS]: desired, [MAX_REPLICAS]: max }
  sync.steps.push({
    type: 'patch',
    kind: 'ReplicaSet',
    namespace: namespaceOf(sync.d),
    name: rs.name,
    patchType: 'merge',
    patch: { metadata: { annotations: { [DESIRED_REPLICAS]: desired, [MAX_REPLICAS]: max } }, ...(resize && { spec: { replicas } }) },
  })
  if (resize) record(sync, 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.name} from ${before} to ${replicas}`)
  return resize
}

/** `scaleReplicaSetAndRecordEvent`: nothing when the size is already right. */
export function scaleAndRecord(sync: Sync, rs: ReplicaSetView, replicas: number): boolean {
  if (rs.replicas === replicas) return false
  return scaleReplicaSet(sync, rs, replicas, rs.replicas < replicas ? 'up' : 'down')
}

/**
 * `scale` (sync.go), for a paused Deployment or a change of spec.replicas: one active ReplicaSet
 * (or none: the newest) takes all replicas; a saturated new ReplicaSet leaves the old ones 0;
 * otherwise, rolling, the difference to replicas + maxSurge is shared out in proportion to each
 * active ReplicaSet's size (largest first; newer first when adding, older first when removing),
 * the rounding left-over going to the first.
 */
export function scale(sync: Sync, newRS: ReplicaSetView | undefined, oldRSs: ReplicaSetView[]): void {
  const d = sync.d
  const replicas = desiredReplicas(d)
  const newestFirst = [...oldRSs].sort(byCreation(sync.now)).reverse()
  const active = [...newestFirst, ...(newRS ? [newRS] : [])].filter(isActive)
  if (newRS || oldRSs.length > 0) {
    if (active.length <= 1) {
      const target = active[0] ?? newRS ?? newestFirst[0]!
      if (target.replicas !== replicas) scaleAndRecord(sync, target, replicas)
      return
    }
  }
  if (newRS && isSaturated(d, newRS)) {
    for (const old of oldRSs.filter(isActive)) scaleAndRecord(sync, old, 0)
    return
  }
  if (!isRollingUpdate(d)) return
  const allowed = replicas > 0 ? replicas + maxSurge(d) : 0
  const toAdd = allowed - sum(active, (rs) => rs.replicas)
  const order = byCreation(sync.now)
  if (toAdd > 0) active.sort((a, b) => b.replicas - a.replicas || order(b, a))
  else if (toAdd < 0) active.sort((a, b) => b.replicas - a.replicas || order(a, b))
  const operation = toAdd > 0 ? 'up' : toAdd < 0 ? 'down' : ''
  const statusReplicas = d.status?.replicas ?? 0
  let added = 0
  const sizes = active.map((rs) => {
    if (toAdd === 0) return rs.replicas
    const max = Number.parseInt(rs.annotations[MAX_REPLICAS] ?? '', 10)
    const proportion = replicaSetProportion(rs.replicas, d, Number.isNaN(max) ? undefined : max, statusReplicas, toAdd, added)
    added += proportion
    return rs.replicas + proportion
  })
  if (toAdd !== 0 && sizes.length > 0) sizes[0] = Math.max(0, sizes[0]! + toAdd - added)
  active.forEach((rs, i) => scaleReplicaSet(sync, rs, sizes[i]!, operation))
}

/** `IsSaturated`: the new ReplicaSet has, wants and has available exactly spec.replicas. */
function isSaturated(d: Deployment, rs: ReplicaSetView): boolean {
  const desired = Number(rs.annotations[DESIRED_REPLICAS])
  const replicas = desiredReplicas(d)
  return rs.replicas === replicas && desired === replicas && (rsStatus(rs).availableReplicas ?? 0) === replicas
}

/**
 * `cleanupDeployment`: deletes the oldest revisions beyond revisionHistoryLimit, but only
 * ReplicaSets with no replicas wanted or running whose controller has seen their last change.
 */
export function cleanupDeployment(sync: Sync, oldRSs: ReplicaSetView[]): void {
  const limit = sync.d.spec?.revisionHistoryLimit
  if (limit === undefined || limit === MAX_INT32) return
  const alive = oldRSs.filter((rs) => !rs.created && !isDeleting(rs.object))
  const diff = alive.length - limit
  if (diff <= 0) return
  const order = byCreation(sync.now)
  alive.sort((a, b) => revisionNumber(a) - revisionNumber(b) || order(a, b))
  for (const rs of alive.slice(0, diff)) {
    const generation = rs.object.metadata?.generation ?? 0
    const { replicas = 0, observedGeneration = 0 } = rsStatus(rs)
    const unchanged = rs.replicas === replicasOf(rs.object)
    if (replicas !== 0 || rs.replicas !== 0 || !unchanged || generation > observedGeneration) continue
    sync.steps.push({
      type: 'delete',
      kind: 'ReplicaSet',
      namespace: namespaceOf(sync.d),
      name: rs.name,
      options: { preconditions: { uid: rs.uid } },
    })
  }
}

/** The revision annotation as a number (0 when absent or unreadable, which sorts first). */
export function revisionNumber(rs: ReplicaSetView): number {
  const value = rs.annotations[REVISION]
  return value !== undefined && /^[+-]?\d+$/.test(value) ? Number(value) : 0
}
