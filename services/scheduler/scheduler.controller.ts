import { getObject, type ClusterView } from '../../projections/cluster-state.js'
import type { Change } from '../../projections/projection.js'
import type { Action, Controller, Reconciliation } from '../runtime/controller.js'
import { splitKey } from '../runtime/controller.js'
import { keyOfObject } from '../runtime/objects.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { Backoff, backoffDuration } from './backoff.js'
import { NodeInfoCache, type CacheEffect } from './node-info-cache.js'
import { isGated, isPending, nodeNameOf } from './pod-info.js'
import { bindAction, failedActions, gatedActions, hasPodScheduled, scheduledActions } from './pod-status.js'
import { schedulePod, type Cursor, type ScheduleResult } from './schedule-one.js'

export interface SchedulerOptions {
  /** Pods scheduled in one reconcile when several wait: their writes go out together. @default 256 */
  batchSize?: number
  /** Percentage of nodes to find feasible before scoring; 0 for Kubernetes' adaptive default. @default 0 */
  percentageOfNodesToScore?: number
}

/** How long an unschedulable pod waits for a cluster change before it is tried anyway (podMaxInUnschedulablePodsDuration). */
export const UNSCHEDULABLE_RETRY_MS = 300_000

/**
 * The default scheduler as a controller named `scheduler`, writing as `system:scheduler`. Its keys
 * are pods (`namespace/name`). Reconciling a pending pod schedules it — and, when more pods are
 * waiting that were never tried, up to `batchSize − 1` of them in the same pass, each seeing the
 * placements before it — and returns the bindings, PodScheduled conditions and events. All writes
 * of a pass carry the revision that asked for the pass as their cause.
 *
 * It keeps in memory what Kubernetes' scheduler keeps: the node-info cache (kept current from
 * `keysFor`, rebuilt from the state when it is not at the state's revision), where the next search
 * starts, and each failed pod's back-off. An unschedulable pod is tried again when a node is added
 * or changes, or a placed pod goes or frees its resources (or, if its failure involved other pods,
 * when a pod is placed), once its back-off has passed.
 */
export class Scheduler implements Controller {
  readonly name = 'scheduler'
  readonly actor = 'system:scheduler'
  private cache = new NodeInfoCache()
  private readonly backoff = new Backoff()
  /** pending pods never tried, oldest first: what a pass may take along */
  private readonly fresh = new Set<string>()
  /** pods this scheduler bound whose PodScheduled=True it has not seen written */
  private readonly toFinish = new Map<string, string>()
  private readonly cursor: Cursor = { next: 0 }
  private readonly batchSize: number

  constructor(private readonly options: SchedulerOptions = {}) {
    this.batchSize = Math.max(1, options.batchSize ?? 256)
  }

  /** The cache at the state's revision (for tests and benchmarks). */
  cacheFor(state: ClusterView): NodeInfoCache {
    if (this.cache.state !== state || this.cache.revision !== state.revision) {
      this.cache = NodeInfoCache.fromState(state)
      this.fresh.clear()
      for (const key of this.cache.pending) if (!this.backoff.has(key)) this.fresh.add(key)
    }
    return this.cache
  }

  keysFor(change: Change, state: ClusterView): Iterable<string> {
    const { kind, namespace, name, revision } = change.event
    const key = `${namespace}/${name}`
    if (this.cache.state !== state) {
      // A state not seen before (start-up): build from it, change included, and look at everything it may touch.
      this.cacheFor(state)
      if (kind === 'Node') return [...this.backoff.waiting()]
      return kind === 'Pod' ? [...(this.cache.pending.has(key) ? [key] : []), ...this.backoff.waiting()] : []
    }
    if (revision <= this.cache.revision) return []
    let effect: CacheEffect
    try {
      effect = this.cache.apply(change, state)
    } catch (error) {
      // Never leave a half-applied change behind: the next look rebuilds from the state.
      this.cache = new NodeInfoCache()
      throw error
    }
    if (kind !== 'Pod' && kind !== 'Node') return []
    if (kind === 'Pod' && !this.cache.pending.has(key)) {
      this.backoff.forget(key)
      this.fresh.delete(key)
    }
    const keys: string[] = []
    if (effect.pending) {
      keys.push(effect.pending)
      if (!this.backoff.has(effect.pending)) this.fresh.add(effect.pending)
    }
    if (effect.nodeChanged || effect.freed) keys.push(...this.backoff.waiting())
    else if (effect.assigned) keys.push(...this.backoff.waiting(true))
    return keys
  }

  allKeys(state: ClusterView): Iterable<string> {
    return [...this.cacheFor(state).pending]
  }

  reconcile(key: string, state: ClusterView, now: Date): Reconciliation {
    const cache = this.cacheFor(state)
    for (const forgotten of cache.forgetAssumed(state)) if (!this.backoff.has(forgotten)) this.fresh.add(forgotten)
    const fixes = this.finishBindings(state, now)
    const { namespace, name } = splitKey(key)
    const pod = getObject(state, 'Pod', namespace, name)
    if (!pod || !isPending(pod)) {
      this.backoff.forget(key)
      this.fresh.delete(key)
      return { actions: fixes.length > 0 ? [fixes] : [] }
    }
    if (isGated(pod)) {
      this.fresh.delete(key)
      const actions = [...fixes, ...gatedActions(pod, now)]
      return { actions: actions.length > 0 ? [actions] : [] }
    }
    const retryAt = this.backoff.retryAt(key)
    if (retryAt !== undefined && retryAt > now.getTime()) {
      return { actions: fixes.length > 0 ? [fixes] : [], requeueAfterMs: retryAt - now.getTime() }
    }

    const first: Action[] = [...fixes]
    const second: Action[] = []
    let requeueAfterMs: number | undefined
    for (const object of [pod, ...this.takeFresh(key, state)]) {
      const podKey = keyOfObject(object)
      this.fresh.delete(podKey)
      const result = this.scheduleOne(object, state)
      if (result.outcome === 'scheduled') {
        this.backoff.forget(podKey)
        this.toFinish.set(podKey, result.node)
        first.push(bindAction(object, result.node))
        second.push(...scheduledActions(object, result.node, now))
        continue
      }
      const unschedulable = result.outcome === 'unschedulable'
      this.backoff.failed(podKey, now.getTime(), unschedulable && /pod affinity|anti-affinity|topology spread/.test(result.message))
      first.push(...failedActions(object, unschedulable ? 'Unschedulable' : 'SchedulerError', result.message, now))
      if (podKey === key) requeueAfterMs = unschedulable ? UNSCHEDULABLE_RETRY_MS : backoffDuration(this.backoff.attempts(key))
    }
    const actions = [first, second].filter((step) => step.length > 0)
    return requeueAfterMs === undefined ? { actions } : { actions, requeueAfterMs }
  }

  /** One scheduling cycle; a placed pod is assumed on its node so the next one sees it. */
  private scheduleOne(pod: Pod, state: ClusterView): ScheduleResult {
    const result = schedulePod(pod, this.cache, state, this.cursor, this.options)
    if (result.outcome === 'scheduled') this.cache.assume(result.pod, result.node)
    return result
  }

  /** Up to batchSize − 1 pending pods never tried, besides `key`. */
  private takeFresh(key: string, state: ClusterView): Pod[] {
    const out: Pod[] = []
    for (const candidate of this.fresh) {
      if (out.length >= this.batchSize - 1) break
      if (candidate === key) continue
      const { namespace, name } = splitKey(candidate)
      const pod = getObject(state, 'Pod', namespace, name)
      if (!pod || !isPending(pod) || isGated(pod) || this.backoff.has(candidate)) {
        this.fresh.delete(candidate)
        continue
      }
      out.push(pod)
    }
    return out
  }

  /**
   * Bindings whose PodScheduled=True was not written (a write of their pass failed after the
   * binding succeeded): write it now. Forgets the ones that are done or moot.
   */
  private finishBindings(state: ClusterView, now: Date): Action[] {
    const actions: Action[] = []
    for (const [key, node] of this.toFinish) {
      const { namespace, name } = splitKey(key)
      const pod = getObject(state, 'Pod', namespace, name)
      if (!pod || nodeNameOf(pod) !== node || hasPodScheduled(pod, { status: 'True' })) {
        this.toFinish.delete(key)
        continue
      }
      actions.push(...scheduledActions(pod, node, now))
    }
    return actions
  }
}

/** The default scheduler, as a controller for the runner. */
export function createScheduler(options: SchedulerOptions = {}): Scheduler {
  return new Scheduler(options)
}
