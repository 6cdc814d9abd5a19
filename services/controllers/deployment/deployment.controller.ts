import { eventObject, getObject, listObjects, type ClusterState } from '../../../projections/cluster-state.js'
import { deepEqual, isObject, objectAt, type JsonObject } from '../../json.js'
import { isNothing, labelSelectorFromObject, matchesLabels } from '../../resources/label-selector.js'
import { controllerOf, isDeleting, keyOfObject, keysOfKind, labelsOf, meta, spec, status } from '../../runtime/objects.js'
import { claim } from '../replica-set-claims.js'
import { keyOf, nothing, splitKey, type Controller, type Reconciliation } from '../../runtime/controller.js'
import { rolloutRecreate } from './recreate.js'
import { syncRevision, type Revisions } from './revision.js'
import { rolloutRolling } from './rolling.js'
import { desiredReplicas, isRollingUpdate } from './rolling-math.js'
import { checkPausedConditions, syncDeploymentStatus } from './status.js'
import { cleanupDeployment, count, DESIRED_REPLICAS, isActive, newSync, record, scale, viewOf, type Sync } from './sync.js'

/**
 * The Deployment controller, after kubernetes pkg/controller/deployment: it claims the
 * ReplicaSets its selector matches, keeps one ReplicaSet per pod template
 * (`<deployment>-<pod-template-hash>`) with revision annotations, rolls out RollingUpdate
 * (maxSurge / maxUnavailable) or Recreate, scales proportionally when resized mid-rollout or
 * paused, cleans up revisions beyond revisionHistoryLimit, and writes status with the
 * Progressing, Available and ReplicaFailure conditions and ScalingReplicaSet events as
 * Kubernetes words them. Time comes from `now`: the progress deadline is a requeue.
 */
export function createDeploymentController(): Controller {
  return {
    name: 'deployment',
    keysFor: (change, state) => {
      const { event, previous } = change
      if (event.kind === 'Deployment') return [keyOf(event.namespace, event.name)]
      if (event.kind !== 'ReplicaSet' && event.kind !== 'Pod') return []
      const keys = new Set<string>()
      for (const object of [previous, eventObject(event)]) {
        if (!object) continue
        if (event.kind === 'Pod') {
          const ref = controllerOf(object)
          const rs = ref?.kind === 'ReplicaSet' ? getObject(state, 'ReplicaSet', event.namespace, ref.name) : undefined
          const owner = rs ? controllerOf(rs) : undefined
          if (owner?.kind === 'Deployment') keys.add(keyOf(event.namespace, owner.name))
          continue
        }
        const ref = controllerOf(object)
        if (ref) {
          if (ref.kind === 'Deployment') keys.add(keyOf(event.namespace, ref.name))
          continue
        }
        for (const d of listObjects(state, 'Deployment', event.namespace)) {
          const selector = labelSelectorFromObject(spec(d).selector).selector
          if (selector && !isNothing(selector) && matchesLabels(selector, labelsOf(object))) keys.add(keyOfObject(d))
        }
      }
      return keys
    },
    allKeys: (state) => keysOfKind(state, 'Deployment'),
    reconcile: (key, state, now) => {
      const { namespace, name } = splitKey(key)
      const d = getObject(state, 'Deployment', namespace, name)
      return d ? reconcileDeployment(d, state, now) : nothing
    },
  }
}

const SELECTING_ALL = 'This deployment is selecting all pods. A non-empty selector is required.'

/** One sync of a Deployment (`syncDeployment`); exported so tests can reconcile a state they build. */
export function reconcileDeployment(d: JsonObject, state: ClusterState, now: Date): Reconciliation {
  const sync = newSync(d, state, now)
  const given = spec(d).selector
  if (
    isObject(given) &&
    Object.keys(given.matchLabels ?? {}).length === 0 &&
    ((given.matchExpressions as unknown[] | undefined) ?? []).length === 0
  ) {
    if (count(status(d), 'observedGeneration') >= count(meta(d), 'generation')) return nothing
    record(sync, 'SelectingAll', SELECTING_ALL, 'Warning')
    sync.status = { ...status(d), observedGeneration: meta(d).generation }
    return finish(sync)
  }
  const selector = labelSelectorFromObject(given).selector
  if (!selector || isNothing(selector)) return nothing

  const claims = claim(d, listObjects(state, 'ReplicaSet', String(meta(d).namespace)), selector)
  if (claims.actions.length > 0) sync.steps.push(claims.actions)
  const minReadySeconds = typeof spec(d).minReadySeconds === 'number' ? (spec(d).minReadySeconds as number) : 0
  const views = claims.owned.map((rs) => viewOf(state, rs, minReadySeconds, now))

  if (isDeleting(d)) {
    const revisions = syncRevision(sync, views)
    syncDeploymentStatus(sync, views, revisions.newRS)
    return finish(sync)
  }
  checkPausedConditions(sync)
  const revisions = syncRevision(sync, views)
  const paused = spec(d).paused === true
  if (paused || isScalingEvent(d, revisions)) syncScaling(sync, revisions, paused)
  else if (isRollingUpdate(d)) rolloutRolling(sync, revisions)
  else if (objectAt(spec(d), 'strategy')?.type === 'Recreate') rolloutRecreate(sync, revisions, selector)
  return finish(sync)
}

/** `isScalingEvent`: an active ReplicaSet was sized for a different spec.replicas (its desired-replicas annotation). */
function isScalingEvent(d: JsonObject, { newRS, oldRSs }: Revisions): boolean {
  return [...oldRSs, ...(newRS ? [newRS] : [])].filter(isActive).some((rs) => {
    const desired = rs.annotations[DESIRED_REPLICAS]
    return desired !== undefined && /^\d+$/.test(desired) && Number(desired) !== desiredReplicas(d)
  })
}

/** `sync`: scaling only (a resize, or a paused Deployment), and history cleanup while paused. */
function syncScaling(sync: Sync, { newRS, oldRSs }: Revisions, paused: boolean): void {
  scale(sync, newRS, oldRSs)
  if (paused) cleanupDeployment(sync, oldRSs)
  syncDeploymentStatus(sync, [...oldRSs, ...(newRS ? [newRS] : [])], newRS)
}

/** The planned writes, then the status when it changed, and when to look again. */
function finish(sync: Sync): Reconciliation {
  if (!deepEqual(sync.status, status(sync.d))) {
    const metadata = { ...meta(sync.d) }
    delete metadata.resourceVersion
    sync.steps.push({ type: 'updateStatus', object: { ...sync.d, metadata, status: sync.status } })
  }
  return sync.requeueAfterMs === undefined ? { actions: sync.steps } : { actions: sync.steps, requeueAfterMs: sync.requeueAfterMs }
}
