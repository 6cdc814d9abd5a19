import type { Subscription } from 'rxjs'
import type { Projection } from '../../projections/projection.js'
import type { RequestContext } from '../api/context.js'
import type { ResourceApi } from '../api/resource-api.js'
import { isStatusError } from '../errors.js'
import type { JsonObject } from '../json.js'
import type { Logger } from '../log.js'
import type { Clock } from './clock.js'
import type { Action, Controller } from './controller.js'
import { ControllerStats, type ControllerCounts } from './controller-stats.js'
import { WorkQueue } from './work-queue.js'

export interface RunnerOptions {
  api: ResourceApi
  projection: Projection
  controllers: Controller[]
  clock: Clock
  log: Logger
  /**
   * Workers per controller, by name (Kubernetes' --concurrent-*-syncs). A key is never worked on
   * by two workers at once, so only controllers whose keys are independent should have more
   * than one. @default 1
   */
  workers?: Record<string, number>
  /** Where reconciles are counted and queue depths reported (for /metrics). @default counts of this runner alone */
  stats?: ControllerStats
}

/**
 * Runs controllers the way Kubernetes' controller-manager does: every change of the projection
 * asks each controller which keys to look at again; one worker per controller reconciles them,
 * level-triggered (several workers for controllers whose keys are independent), and carries out
 * the writes through the resource API as the controller, with
 * the triggering revision as the cause. After writing, a worker waits until the projection has
 * its own writes, so it never acts twice on a state it already changed.
 */
export class ControllerRunner {
  private readonly queues = new Map<Controller, WorkQueue>()
  private readonly counts = new Map<Controller, ControllerCounts>()
  private readonly stats: ControllerStats
  private subscription: Subscription | undefined
  private readonly workers: Promise<void>[] = []
  private readonly resyncs: Array<() => void> = []
  private inFlight = 0
  private running = false

  constructor(private readonly options: RunnerOptions) {
    this.stats = options.stats ?? new ControllerStats()
    for (const controller of options.controllers) {
      this.queues.set(controller, new WorkQueue(options.clock))
      this.counts.set(controller, this.stats.countsOf(controller.name))
    }
  }

  start(): void {
    const { projection, controllers } = this.options
    this.running = true
    this.subscription = projection.changes.subscribe((change) => {
      for (const controller of controllers) {
        try {
          for (const key of controller.keysFor(change, projection.state)) this.queues.get(controller)!.add(key, change.event.revision)
        } catch (error) {
          this.options.log.error('controller: keysFor failed', { controller: controller.name, error })
        }
      }
    })
    for (const controller of controllers) {
      this.enqueueAll(controller)
      this.scheduleResync(controller)
      const workers = Math.max(1, this.options.workers?.[controller.name] ?? 1)
      for (let i = 0; i < workers; i++) this.workers.push(this.work(controller))
    }
    this.stats.reportQueues(() => [...this.queues].map(([controller, queue]) => [controller.name, queue.length]))
  }

  async stop(): Promise<void> {
    this.running = false
    this.stats.reportQueues(undefined)
    this.subscription?.unsubscribe()
    for (const cancel of this.resyncs) cancel()
    for (const queue of this.queues.values()) queue.shutdown()
    await Promise.all(this.workers)
  }

  /** Resolves when no key is queued or being reconciled and the projection has every commit. */
  async settled(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    let quietRounds = 0
    while (quietRounds < 3) {
      if (Date.now() > deadline) throw new Error('the controllers did not settle')
      const head = (await this.options.api.store.head()).revision
      const quiet = this.inFlight === 0 && [...this.queues.values()].every((q) => q.idle) && this.options.projection.revision >= head
      quietRounds = quiet ? quietRounds + 1 : 0
      await new Promise((resolve) => setTimeout(resolve, quiet ? 5 : 10))
    }
  }

  /** Start-up and resync: no event asked for these, so the writes they lead to name no cause. */
  private enqueueAll(controller: Controller): void {
    const queue = this.queues.get(controller)!
    for (const key of controller.allKeys(this.options.projection.state)) queue.add(key, 0)
  }

  private scheduleResync(controller: Controller): void {
    const period = controller.resyncPeriodMs ?? 300_000
    const again = () => {
      if (!this.running) return
      this.enqueueAll(controller)
      this.resyncs.push(this.options.clock.after(period, again))
    }
    this.resyncs.push(this.options.clock.after(period, again))
  }

  private async work(controller: Controller): Promise<void> {
    const queue = this.queues.get(controller)!
    const counts = this.counts.get(controller)!
    const { projection, clock, log } = this.options
    for (;;) {
      const item = await queue.next()
      if (!item) return
      this.inFlight++
      let restMs = 0
      try {
        const started = performance.now()
        const result = controller.reconcile(item.key, projection.state, clock.now())
        restMs = restAfter(performance.now() - started)
        const outcome = await this.carryOut(controller, result.actions, item.cause)
        if (outcome.lastRevision > 0) await projection.waitFor(outcome.lastRevision).catch(() => undefined)
        if (outcome.failed) {
          counts.errors++
          queue.addRateLimited(item.key, item.cause)
        } else {
          queue.forget(item.key)
          if (result.requeueAfterMs !== undefined) queue.addAfter(item.key, result.requeueAfterMs, item.cause)
        }
      } catch (error) {
        log.error('controller: reconcile failed', { controller: controller.name, key: item.key, error })
        counts.errors++
        queue.addRateLimited(item.key, item.cause)
      } finally {
        counts.reconciles++
        queue.done(item.key, restMs)
        this.inFlight--
      }
    }
  }

  /** Runs the writes in order (an inner array concurrently); stops at the first step that fails. */
  private async carryOut(controller: Controller, steps: Array<Action | Action[]>, cause: number) {
    let lastRevision = 0
    for (const step of steps) {
      const batch = Array.isArray(step) ? step : [step]
      const results = await Promise.allSettled(batch.map((action) => this.execute(controller, action, cause)))
      let failed = false
      for (const [i, result] of results.entries()) {
        if (result.status === 'fulfilled') {
          lastRevision = Math.max(lastRevision, result.value)
          continue
        }
        const error = result.reason
        // Level-triggered: someone else got there first; the next look will see it.
        if (isStatusError(error, 'AlreadyExists') || isStatusError(error, 'NotFound')) continue
        // Recording an Event is best effort, as Kubernetes' event recorder is (a terminating
        // namespace refuses new content, events included): it never holds up the real work.
        if (isEventRecord(batch[i]!)) continue
        failed = true
        if (!isStatusError(error, 'Conflict')) {
          this.options.log.warn('controller: a write failed', {
            controller: controller.name,
            action: describe(batch[i]!),
            error: (error as Error).message,
          })
        }
      }
      if (failed) return { lastRevision, failed: true }
    }
    return { lastRevision, failed: false }
  }

  /** One write; returns the revision it made (0 when nothing was written). */
  private async execute(controller: Controller, action: Action, cause: number): Promise<number> {
    const { api } = this.options
    const ctx: RequestContext = {
      actor: action.actor ?? controller.actor ?? `system:controller:${controller.name}`,
      ...(cause > 0 && { causationRevision: cause }),
      ...(action.reason && { reason: action.reason }),
    }
    let object: JsonObject
    switch (action.type) {
      case 'create':
        object = await api.create(ctx, action.object)
        break
      case 'update':
        object = await api.update(ctx, action.object)
        break
      case 'updateStatus':
        object = await api.updateStatus(ctx, action.object)
        break
      case 'patch':
        object = await api.patch(
          ctx,
          action.kind,
          action.namespace || undefined,
          action.name,
          action.patch,
          action.patchType,
          action.subresource ? { subresource: action.subresource } : {},
        )
        break
      case 'delete':
        object = await api.delete(ctx, action.kind, action.namespace || undefined, action.name, action.options ?? {})
        break
      case 'scale':
        object = await api.scale(
          ctx,
          action.kind,
          action.namespace || undefined,
          action.name,
          action.replicas,
          action.resourceVersion ? { resourceVersion: action.resourceVersion } : {},
        )
        break
    }
    const revision = Number((object.metadata as JsonObject | undefined)?.resourceVersion)
    return Number.isSafeInteger(revision) ? revision : 0
  }
}

/**
 * Reconcile is synchronous: while it runs, nothing else in the process does. A key whose reconcile
 * took `ms` of the event loop (a ReplicaSet of 30,000 pods looks at every one) rests four times as
 * long before its next, so no single key takes more than a fifth of the loop and pods, nodes and
 * smaller objects keep moving. Level-triggered, the next reconcile sees everything that changed.
 */
export function restAfter(ms: number): number {
  return ms < 2 ? 0 : Math.min(4 * ms, 2_000)
}

function isEventRecord(action: Action): boolean {
  return action.type === 'create' && action.object.kind === 'Event'
}

function describe(action: Action): string {
  if ('object' in action) {
    const m = (action.object.metadata ?? {}) as JsonObject
    return `${action.type} ${String(action.object.kind)} ${String(m.namespace ?? '')}/${String(m.name ?? m.generateName ?? '')}`
  }
  return `${action.type} ${action.kind} ${action.namespace}/${action.name}`
}
