import type { Deployment } from 'kubernetes-types/apps/v1.js'
import { eventObject, getObject, listObjects, type ClusterView } from '../../../projections/cluster-state.js'
import { deepEqual } from '../../json.js'
import { isNothing, labelSelectorFromObject, matchesLabels } from '../../resources/label-selector.js'
import { asJson, controllerOf, isDeleting, keyOfObject, keysOfKind, labelsOf, namespaceOf } from '../../runtime/objects.js'
import { claim } from '../replica-set-claims.js'
import { keyOf, nothing, splitKey, type Controller, type Reconciliation } from '../../runtime/controller.js'
import { rolloutRecreate } from './recreate.js'
import { syncRevision, type Revisions } from './revision.js'
import { rolloutRolling } from './rolling.js'
import { desiredReplicas, isRollingUpdate } from './rolling-math.js'
import { checkPausedConditions, syncDeploymentStatus } from './status.js'
import { cleanupDeployment, DESIRED_REPLICAS, isActive, newSync, record, scale, viewOf, type Sync } from './sync.js'

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
          const selector = labelSelectorFromObject(d.spec?.selector).selector
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
export function reconcileDeployment(d: Deployment, state: ClusterView, now: Date): Reconciliation {
  const sync = newSync(d, state, now)
  const given = d.spec?.selector
  if (given && Object.keys(given.matchLabels ?? {}).length === 0 && (given.matchExpressions ?? []).length === 0) {
    const generation = d.metadata?.generation ?? 0
    if ((d.status?.observedGeneration ?? 0) >= generation) return nothing
    record(sync, 'SelectingAll', SELECTING_ALL, 'Warning')
    sync.status = { ...d.status, observedGeneration: generation }
    return finish(sync)
  }
  const selector = labelSelectorFromObject(given).selector
  if (!selector || isNothing(selector)) return nothing

  const claims = claim(d, listObjects(state, 'ReplicaSet', namespaceOf(d)), selector)
  if (claims.actions.length > 0) sync.steps.push(claims.actions)
  const minReadySeconds = d.spec?.minReadySeconds ?? 0
  const views = claims.owned.map((rs) => viewOf(state, rs, minReadySeconds, now))

  if (isDeleting(d)) {
    const revisions = syncRevision(sync, views)
    syncDeploymentStatus(sync, views, revisions.newRS)
    return finish(sync)
  }
  checkPausedConditions(sync)
  const revisions = syncRevision(sync, views)
  const paused = d.spec?.paused === true
  if (paused || isScalingEvent(d, revisions)) syncScaling(sync, revisions, paused)
  else if (isRollingUpdate(d)) rolloutRolling(sync, revisions)
  else if (d.spec?.strategy?.type === 'Recreate') rolloutRecreate(sync, revisions, selector)
  return finish(sync)
}

/** `isScalingEvent`: an active ReplicaSet was sized for a different spec.replicas (its desired-replicas annotation). */
function isScalingEvent(d: Deployment, { newRS, oldRSs }: Revisions): boolean {
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
  if (!deepEqual(sync.status, sync.d.status ?? {})) {
    const metadata = { ...sync.d.metadata }
    delete metadata.resourceVersion
    const d: Deployment = { ...sync.d, metadata, status: sync.status }
    sync.steps.push({ type: 'updateStatus', object: asJson(d) })
  }
  return sync.requeueAfterMs === undefined ? { actions: sync.steps } : { actions: sync.steps, requeueAfterMs: sync.requeueAfterMs }
}
