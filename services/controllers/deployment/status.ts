import type { Deployment, DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1.js'
import { timestamp } from '../../api/context.js'
import { desiredReplicas, maxUnavailable } from './rolling-math.js'
import { rsStatus, sum, type ReplicaSetView, type Sync } from './sync.js'

/** Condition reasons of kubernetes pkg/controller/deployment/util. */
export const reasons = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  failedRSCreate: 'ReplicaSetCreateError',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable',
} as const

const MAX_INT32 = 2147483647

type Counter = Exclude<keyof DeploymentStatus, 'conditions'>
/** A count of a status, 0 when absent (Go's zero value). */
const count = (deploymentStatus: DeploymentStatus, key: Counter): number => deploymentStatus[key] ?? 0

/** `NewDeploymentCondition`: both times now. */
export function newCondition(type: string, conditionStatus: string, reason: string, message: string, now: Date): DeploymentCondition {
  const at = timestamp(now)
  return { type, status: conditionStatus, lastUpdateTime: at, lastTransitionTime: at, reason, message }
}

export function getCondition(deploymentStatus: DeploymentStatus, type: string): DeploymentCondition | undefined {
  return deploymentStatus.conditions?.find((c) => c.type === type)
}

/**
 * `SetDeploymentCondition`: nothing when status and reason are unchanged; otherwise the condition
 * goes (last) in place of the old one, keeping lastTransitionTime when the status is the same.
 */
export function setCondition(deploymentStatus: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(deploymentStatus, condition.type)
  if (current && current.status === condition.status && current.reason === condition.reason) return
  const next = current && current.status === condition.status ? keepTransitionTime(condition, current) : condition
  deploymentStatus.conditions = [...(deploymentStatus.conditions ?? []).filter((c) => c.type !== condition.type), next]
}

/** The condition with the lastTransitionTime of `from` (none if it has none). */
function keepTransitionTime(condition: DeploymentCondition, from: DeploymentCondition): DeploymentCondition {
  const { lastTransitionTime: _, ...rest } = condition
  return from.lastTransitionTime === undefined ? rest : { ...rest, lastTransitionTime: from.lastTransitionTime }
}

export function removeCondition(deploymentStatus: DeploymentStatus, type: string): void {
  const kept = (deploymentStatus.conditions ?? []).filter((c) => c.type !== type)
  if (kept.length > 0) deploymentStatus.conditions = kept
  else delete deploymentStatus.conditions
}

/** progressDeadlineSeconds, unless unset or "forever" (MaxInt32). */
function progressDeadlineSeconds(d: Deployment): number | undefined {
  const deadline = d.spec?.progressDeadlineSeconds
  return deadline === MAX_INT32 ? undefined : deadline
}

/** progressDeadlineSeconds set and not "forever" (MaxInt32). */
export function hasProgressDeadline(d: Deployment): boolean {
  return progressDeadlineSeconds(d) !== undefined
}

/** `DeploymentComplete`: every replica updated and available, and the latest spec observed. */
export function deploymentComplete(d: Deployment, deploymentStatus: DeploymentStatus): boolean {
  const replicas = desiredReplicas(d)
  return (
    count(deploymentStatus, 'updatedReplicas') === replicas &&
    count(deploymentStatus, 'replicas') === replicas &&
    count(deploymentStatus, 'availableReplicas') === replicas &&
    count(deploymentStatus, 'observedGeneration') >= (d.metadata?.generation ?? 0)
  )
}

/** `checkPausedConditions`: Progressing Unknown DeploymentPaused / DeploymentResumed, unless it timed out. */
export function checkPausedConditions(sync: Sync): void {
  if (!hasProgressDeadline(sync.d)) return
  const current = getCondition(sync.status, 'Progressing')
  if (current?.reason === reasons.timedOut) return
  const paused = sync.d.spec?.paused === true
  const pausedExists = current?.reason === reasons.paused
  if (paused && !pausedExists)
    setCondition(sync.status, newCondition('Progressing', 'Unknown', reasons.paused, 'Deployment is paused', sync.now))
  else if (!paused && pausedExists)
    setCondition(sync.status, newCondition('Progressing', 'Unknown', reasons.resumed, 'Deployment is resumed', sync.now))
}

/**
 * `calculateStatus`: counts summed over the ReplicaSets (unavailable from their spec), the
 * generation seen, the collision count, and Available by minimum availability. Zero counts are
 * left out, as Go's omitempty does.
 */
export function calculateStatus(sync: Sync, all: ReplicaSetView[], newRS: ReplicaSetView | undefined): DeploymentStatus {
  const d = sync.d
  const available = sum(all, (rs) => rsStatus(rs).availableReplicas ?? 0)
  const out: DeploymentStatus = {}
  const put = (key: Counter, value: number) => {
    if (value !== 0) out[key] = value
  }
  put('observedGeneration', d.metadata?.generation ?? 0)
  put(
    'replicas',
    sum(all, (rs) => rsStatus(rs).replicas ?? 0),
  )
  put('updatedReplicas', newRS ? (rsStatus(newRS).replicas ?? 0) : 0)
  put(
    'readyReplicas',
    sum(all, (rs) => rsStatus(rs).readyReplicas ?? 0),
  )
  put('availableReplicas', available)
  put('unavailableReplicas', Math.max(0, sum(all, (rs) => rs.replicas) - available))
  const conditions = sync.status.conditions ?? []
  if (conditions.length > 0) out.conditions = [...conditions]
  if (sync.status.collisionCount !== undefined) out.collisionCount = sync.status.collisionCount
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(out, newCondition('Available', 'True', reasons.minimumAvailable, 'Deployment has minimum availability.', sync.now))
  } else {
    setCondition(
      out,
      newCondition('Available', 'False', reasons.minimumUnavailable, 'Deployment does not have minimum availability.', sync.now),
    )
  }
  return order(out)
}

/** `syncDeploymentStatus`: the counts and Available, nothing about progress (paused, scaling). */
export function syncDeploymentStatus(sync: Sync, all: ReplicaSetView[], newRS: ReplicaSetView | undefined): void {
  sync.status = calculateStatus(sync, all, newRS)
}

/**
 * `syncRolloutStatus`: the counts, then Progressing (NewReplicaSetAvailable once complete,
 * ReplicaSetUpdated with a fresh lastUpdateTime on any progress, ProgressDeadlineExceeded once
 * lastUpdateTime + progressDeadlineSeconds has passed) and ReplicaFailure copied from the
 * ReplicaSets; and a requeue for when the deadline would pass (`requeueStuckDeployment`).
 */
export function syncRolloutStatus(sync: Sync, all: ReplicaSetView[], newRS: ReplicaSetView | undefined): void {
  const d = sync.d
  const next = calculateStatus(sync, all, newRS)
  if (!hasProgressDeadline(d)) removeCondition(next, 'Progressing')
  const current = getCondition(sync.status, 'Progressing')
  const complete = count(next, 'replicas') === count(next, 'updatedReplicas') && current?.reason === reasons.newRSAvailable
  if (hasProgressDeadline(d) && !complete) {
    const about = newRS ? `ReplicaSet "${newRS.name}"` : `Deployment "${String(d.metadata?.name)}"`
    if (deploymentComplete(d, next)) {
      setCondition(next, newCondition('Progressing', 'True', reasons.newRSAvailable, `${about} has successfully progressed.`, sync.now))
    } else if (progressing(sync.status, next)) {
      const condition = newCondition('Progressing', 'True', reasons.rsUpdated, `${about} is progressing.`, sync.now)
      if (current) removeCondition(next, 'Progressing')
      setCondition(next, current?.status === 'True' ? keepTransitionTime(condition, current) : condition)
    } else if (timedOut(d, next, sync.now)) {
      setCondition(next, newCondition('Progressing', 'False', reasons.timedOut, `${about} has timed out progressing.`, sync.now))
    }
  }
  const failure = replicaFailure(all, newRS)
  if (failure) setCondition(next, failure)
  else removeCondition(next, 'ReplicaFailure')
  sync.status = order(next)
  requeueStuck(sync)
}

/** `DeploymentProgressing`: more updated, fewer old, more ready or more available replicas. */
function progressing(old: DeploymentStatus, next: DeploymentStatus): boolean {
  const oldOld = count(old, 'replicas') - count(old, 'updatedReplicas')
  const newOld = count(next, 'replicas') - count(next, 'updatedReplicas')
  return (
    count(next, 'updatedReplicas') > count(old, 'updatedReplicas') ||
    newOld < oldOld ||
    count(next, 'readyReplicas') > count(old, 'readyReplicas') ||
    count(next, 'availableReplicas') > count(old, 'availableReplicas')
  )
}

/** `DeploymentTimedOut`: lastUpdateTime + progressDeadlineSeconds is before now (never after success). */
function timedOut(d: Deployment, next: DeploymentStatus, now: Date): boolean {
  const condition = getCondition(next, 'Progressing')
  const deadline = progressDeadlineSeconds(d)
  if (deadline === undefined || !condition || condition.reason === reasons.newRSAvailable) return false
  if (condition.reason === reasons.timedOut) return true
  const from = Date.parse(condition.lastUpdateTime ?? '')
  return Number.isFinite(from) && from + deadline * 1000 < now.getTime()
}

/** Look again a second after the deadline would pass, unless complete or already timed out. */
function requeueStuck(sync: Sync): void {
  const condition = getCondition(sync.status, 'Progressing')
  const deadline = progressDeadlineSeconds(sync.d)
  if (deadline === undefined || !condition) return
  if (deploymentComplete(sync.d, sync.status) || condition.reason === reasons.timedOut) return
  const from = Date.parse(condition.lastUpdateTime ?? '')
  if (!Number.isFinite(from)) return
  const after = from + deadline * 1000 - sync.now.getTime()
  sync.requeueAfterMs = Math.max(after, 0) + 1000
}

/** `getReplicaFailures`: the new ReplicaSet's ReplicaFailure, else the first old one's. */
function replicaFailure(all: ReplicaSetView[], newRS: ReplicaSetView | undefined): DeploymentCondition | undefined {
  for (const rs of [...(newRS ? [newRS] : []), ...all]) {
    const failure = rsStatus(rs).conditions?.find((c) => c.type === 'ReplicaFailure')
    if (failure) {
      const { status: conditionStatus, lastTransitionTime, reason, message } = failure
      return {
        type: 'ReplicaFailure',
        status: conditionStatus,
        ...(lastTransitionTime !== undefined && { lastUpdateTime: lastTransitionTime, lastTransitionTime }),
        ...(reason !== undefined && { reason }),
        ...(message !== undefined && { message }),
      }
    }
  }
  return undefined
}

const KEYS: Array<keyof DeploymentStatus> = [
  'observedGeneration',
  'replicas',
  'updatedReplicas',
  'readyReplicas',
  'availableReplicas',
  'unavailableReplicas',
  'conditions',
  'collisionCount',
]

/** In the order Kubernetes serialises a DeploymentStatus (terminatingReplicas, which this controller does not count, aside). */
function order(deploymentStatus: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = {}
  for (const key of KEYS) if (deploymentStatus[key] !== undefined) Object.assign(out, { [key]: deploymentStatus[key] })
  return out
}
