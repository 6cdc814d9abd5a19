import type { Deployment } from 'kubernetes-types/apps/v1.js'

/**
 * The numbers of a Deployment's rollout, after kubernetes pkg/controller/deployment/util
 * (deployment_util.go) and apimachinery's intstr: how far above and below spec.replicas a
 * rolling update may go, and how far the new ReplicaSet may grow. Pure.
 */

/** spec.replicas (the API defaults it to 1). */
export function desiredReplicas(d: Deployment): number {
  return d.spec?.replicas ?? 1
}

export function isRollingUpdate(d: Deployment): boolean {
  return d.spec?.strategy?.type === 'RollingUpdate'
}

/**
 * `GetScaledValueFromIntOrPercent`: an integer as is, a percentage of `total` rounded up or down.
 * Anything else (which validation rejects) counts as 0.
 */
export function scaledValue(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value
  if (typeof value !== 'string' || !/^[0-9]+%$/.test(value)) return 0
  const exact = (Number(value.slice(0, -1)) * total) / 100
  return roundUp ? Math.ceil(exact) : Math.floor(exact)
}

/**
 * `ResolveFenceposts`: maxSurge rounds up, maxUnavailable down, an absent value is 0, and when
 * both come to 0 one pod may be unavailable, so the rollout can move at all.
 */
export function resolveFenceposts(maxSurge: unknown, maxUnavailable: unknown, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true)
  const unavailable = scaledValue(maxUnavailable ?? 0, desired, false)
  return surge === 0 && unavailable === 0 ? { surge, unavailable: 1 } : { surge, unavailable }
}

function rollingParameters(d: Deployment) {
  const rolling = d.spec?.strategy?.rollingUpdate ?? {}
  return resolveFenceposts(rolling.maxSurge, rolling.maxUnavailable, desiredReplicas(d))
}

/** `MaxSurge`: 0 unless rolling. */
export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? rollingParameters(d).surge : 0
}

/** `MaxUnavailable`: 0 unless rolling or with 0 replicas; never more than spec.replicas. */
export function maxUnavailable(d: Deployment): number {
  const replicas = desiredReplicas(d)
  if (!isRollingUpdate(d) || replicas === 0) return 0
  return Math.min(rollingParameters(d).unavailable, replicas)
}

/** A ReplicaSet as the maths sees it. */
export interface Sized {
  /** spec.replicas */
  replicas: number
  /** Active pods it still has (may exceed replicas while surplus pods are being deleted). */
  pods?: number
}

/**
 * `NewRSNewReplicas`: Recreate goes straight to spec.replicas; a rolling update grows the new
 * ReplicaSet by what maxSurge leaves room for, never past spec.replicas. Kubernetes counts each
 * ReplicaSet's spec.replicas; we count its pods too when it still has more than that (an old
 * ReplicaSet just scaled down whose pods are not deleted yet), so the total number of pods stays
 * within replicas + maxSurge at every revision of the log, not only once the deletions land.
 */
export function newReplicaSetReplicas(d: Deployment, all: Sized[], newRS: Sized): number {
  const replicas = desiredReplicas(d)
  if (!isRollingUpdate(d)) return replicas
  const maxTotal = replicas + maxSurge(d)
  const current = all.reduce((n, rs) => n + Math.max(rs.replicas, rs.pods ?? 0), 0)
  if (current >= maxTotal) return newRS.replicas
  return newRS.replicas + Math.min(maxTotal - current, replicas - newRS.replicas)
}

/** Go's `integer.RoundToInt32`: halves away from zero. */
export function roundHalfAway(value: number): number {
  return value < 0 ? -Math.round(-value) : Math.round(value)
}

/**
 * `getReplicaSetFraction`: how many replicas this ReplicaSet gains (or loses) when the
 * Deployment is resized mid-rollout: its share of replicas + maxSurge, in proportion to the size
 * it had when the Deployment had `maxReplicasAnnotation` (its max-replicas annotation;
 * status.replicas of the Deployment when absent). Scaling to 0 takes everything.
 */
export function replicaSetFraction(
  rsReplicas: number,
  d: Deployment,
  annotatedMaxReplicas: number | undefined,
  deploymentStatusReplicas: number,
): number {
  if (desiredReplicas(d) === 0) return -rsReplicas
  const total = desiredReplicas(d) + maxSurge(d)
  const annotated = annotatedMaxReplicas ?? deploymentStatusReplicas
  if (annotated === 0) return 0
  return roundHalfAway((rsReplicas * total) / annotated) - rsReplicas
}

/**
 * `GetReplicaSetProportion`: the fraction, held within what is still left to add (or remove).
 */
export function replicaSetProportion(
  rsReplicas: number,
  d: Deployment,
  annotatedMaxReplicas: number | undefined,
  deploymentStatusReplicas: number,
  toAdd: number,
  added: number,
): number {
  if (rsReplicas === 0 || toAdd === 0 || toAdd === added) return 0
  const fraction = replicaSetFraction(rsReplicas, d, annotatedMaxReplicas, deploymentStatusReplicas)
  const allowed = toAdd - added
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed)
}
