import { createNewReplicaSet, type Revisions } from './revision.js'
import { desiredReplicas, maxUnavailable, newReplicaSetReplicas } from './rolling-math.js'
import { deploymentComplete, syncRolloutStatus } from './status.js'
import { availableOf, byCreation, cleanupDeployment, isActive, scaleAndRecord, sized, sum, type ReplicaSetView, type Sync } from './sync.js'

/**
 * `rolloutRolling` (pkg/controller/deployment/rolling.go): create the new ReplicaSet if needed,
 * then either grow it within maxSurge or shrink the old ones within maxUnavailable — one of the
 * two per sync — and clean up old revisions once the rollout is complete.
 *
 * Where Kubernetes reads availability from the ReplicaSets' status, this reads the pods: an old
 * ReplicaSet counts for no more available pods than its spec.replicas, so pods it is about to
 * delete are never counted on, and ready pods stay at or above replicas − maxUnavailable at
 * every revision of the log.
 */
export function rolloutRolling(sync: Sync, revisions: Revisions): void {
  const oldRSs = revisions.oldRSs
  const newRS = revisions.newRS ?? createNewReplicaSet(sync, oldRSs)
  if (!newRS) return
  const all = [...oldRSs, newRS]
  if (reconcileNewReplicaSet(sync, all, newRS)) return syncRolloutStatus(sync, all, newRS)
  if (reconcileOldReplicaSets(sync, all, oldRSs.filter(isActive), newRS)) return syncRolloutStatus(sync, all, newRS)
  if (deploymentComplete(sync.d, sync.d.status ?? {})) cleanupDeployment(sync, oldRSs)
  syncRolloutStatus(sync, all, newRS)
}

/** `reconcileNewReplicaSet`: down to spec.replicas if above it, else up as far as maxSurge allows. */
export function reconcileNewReplicaSet(sync: Sync, all: ReplicaSetView[], newRS: ReplicaSetView): boolean {
  const replicas = desiredReplicas(sync.d)
  if (newRS.replicas === replicas) return false
  if (newRS.replicas > replicas) return scaleAndRecord(sync, newRS, replicas)
  return scaleAndRecord(sync, newRS, newReplicaSetReplicas(sync.d, all.map(sized), sized(newRS)))
}

/**
 * `reconcileOldReplicaSets`: how many pods may go while keeping replicas − maxUnavailable
 * available (the new ReplicaSet's unavailable pods count against it); first the old
 * ReplicaSets' unavailable pods, then available ones, oldest ReplicaSet first.
 */
export function reconcileOldReplicaSets(sync: Sync, all: ReplicaSetView[], oldRSs: ReplicaSetView[], newRS: ReplicaSetView): boolean {
  if (sum(oldRSs, (rs) => rs.replicas) === 0) return false
  const minAvailable = desiredReplicas(sync.d) - maxUnavailable(sync.d)
  const newRSUnavailable = newRS.replicas - availableOf(newRS)
  const maxScaledDown = sum(all, (rs) => rs.replicas) - minAvailable - newRSUnavailable
  if (maxScaledDown <= 0) return false
  const cleaned = cleanupUnhealthyReplicas(sync, oldRSs, maxScaledDown)
  const scaled = scaleDownOldReplicaSets(sync, all, oldRSs)
  return cleaned + scaled > 0
}

/** `cleanupUnhealthyReplicas`: scales old ReplicaSets down by their unavailable pods, at most `max` in all. */
function cleanupUnhealthyReplicas(sync: Sync, oldRSs: ReplicaSetView[], max: number): number {
  let total = 0
  for (const rs of [...oldRSs].sort(byCreation(sync.now))) {
    if (total >= max) break
    if (rs.replicas === 0 || rs.replicas === availableOf(rs)) continue
    const down = Math.min(max - total, rs.replicas - availableOf(rs))
    scaleAndRecord(sync, rs, rs.replicas - down)
    total += down
  }
  return total
}

/** `scaleDownOldReplicaSetsForRollingUpdate`: removes available pods above the minimum, oldest ReplicaSet first. */
function scaleDownOldReplicaSets(sync: Sync, all: ReplicaSetView[], oldRSs: ReplicaSetView[]): number {
  const minAvailable = desiredReplicas(sync.d) - maxUnavailable(sync.d)
  const available = sum(all, availableOf)
  if (available <= minAvailable) return 0
  const allowed = available - minAvailable
  let total = 0
  for (const rs of [...oldRSs].sort(byCreation(sync.now))) {
    if (total >= allowed) break
    if (rs.replicas === 0) continue
    const down = Math.min(rs.replicas, allowed - total)
    scaleAndRecord(sync, rs, rs.replicas - down)
    total += down
  }
  return total
}
