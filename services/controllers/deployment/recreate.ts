import { listObjects } from '../../../projections/cluster-state.js'
import type { LabelSelector } from '../../resources/label-selector.js'
import { matchesLabels } from '../../resources/label-selector.js'
import { controllerOf, labelsOf, namespaceOf } from '../../runtime/objects.js'
import { createNewReplicaSet, type Revisions } from './revision.js'
import { desiredReplicas } from './rolling-math.js'
import { deploymentComplete, syncRolloutStatus } from './status.js'
import { cleanupDeployment, isActive, rsStatus, scaleAndRecord, sum, type ReplicaSetView, type Sync } from './sync.js'

/**
 * `rolloutRecreate` (pkg/controller/deployment/recreate.go): scale every old ReplicaSet to 0,
 * wait until none of their pods is left running (Succeeded and Failed pods do not count), then
 * create or scale the new ReplicaSet to spec.replicas, and clean up old revisions once complete.
 */
export function rolloutRecreate(sync: Sync, revisions: Revisions, selector: LabelSelector): void {
  const { oldRSs } = revisions
  let newRS = revisions.newRS
  const all = [...oldRSs, ...(newRS ? [newRS] : [])]
  let scaledDown = false
  for (const rs of oldRSs.filter(isActive)) scaledDown = scaleAndRecord(sync, rs, 0) || scaledDown
  if (scaledDown || oldPodsRunning(sync, newRS, oldRSs, selector)) return syncRolloutStatus(sync, all, newRS)
  if (!newRS) {
    newRS = createNewReplicaSet(sync, oldRSs)
    if (!newRS) return
    all.push(newRS)
  }
  scaleAndRecord(sync, newRS, desiredReplicas(sync.d))
  if (deploymentComplete(sync.d, sync.d.status ?? {})) cleanupDeployment(sync, oldRSs)
  syncRolloutStatus(sync, all, newRS)
}

/**
 * `oldPodsRunning`: an old ReplicaSet still reports pods, or a pod the Deployment selects that an
 * old ReplicaSet controls has not finished (pods being deleted still count until they are gone).
 */
function oldPodsRunning(sync: Sync, newRS: ReplicaSetView | undefined, oldRSs: ReplicaSetView[], selector: LabelSelector): boolean {
  if (sum(oldRSs, (rs) => rsStatus(rs).replicas ?? 0) > 0) return true
  const old = new Set(oldRSs.map((rs) => rs.uid))
  return listObjects(sync.state, 'Pod', namespaceOf(sync.d)).some((pod) => {
    const owner = controllerOf(pod)?.uid
    if (!owner || owner === newRS?.uid || !old.has(owner) || !matchesLabels(selector, labelsOf(pod))) return false
    const phase = pod.status?.phase
    return phase !== 'Succeeded' && phase !== 'Failed'
  })
}
