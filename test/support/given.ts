import { emptyState, type ClusterState } from '../../projections/cluster-state.js'
import { evolve } from '../../projections/evolve.js'
import { timestamp } from '../../services/api/context.js'
import { clone, type JsonObject } from '../../services/json.js'
import { apiVersionOf } from '../../services/resources/kind.js'
import { registry } from '../../services/resources/registry.js'
import type { Action, Controller, Reconciliation } from '../../services/runtime/controller.js'
import { count, describeExpected, describeWrite, difference, type Expected, kindOf, list, matches, nameOfGiven } from './expected-writes.js'

export { created, deleted, describeWrite, type Expected, patched, recorded, scaled, statusWritten, updated } from './expected-writes.js'

/**
 * Given / when / then over a pure reconciler, as emmett's `DeciderSpecification` is over a
 * decider: the objects the cluster holds, the key reconciled and the time, and the writes that
 * must come out.
 *
 * ```ts
 * const given = ReconcilerSpecification.for(createReplicaSetController())
 * given(replicaSet('web', 2))
 *   .when('default/web')
 *   .then(created('Pod', { metadata: { generateName: 'web-' } }), created('Pod'), recorded('Normal', 'SuccessfulCreate', /^Created pod: web-/), …)
 * ```
 *
 * The objects are stored as the API would store them (apiVersion, namespace, uid, creationTimestamp,
 * generation, the kind's defaults and initial status), unless they say otherwise, and folded into a
 * `ClusterState` by the projection's own `evolve`. A failed `then` prints what was given, what was
 * expected and every write the reconciler returned, one a line.
 */
export const ReconcilerSpecification = {
  for(controller: Controller): (...objects: Array<JsonObject | JsonObject[]>) => Given {
    return (...objects) => new Given(controller, objects.flat())
  },
}

/** The time a spec reconciles at unless it names one. */
export const NOW = new Date('2026-11-26T12:00:00Z')
/** When given objects were created unless they say: an hour before NOW. */
export const CREATED = '2026-11-26T11:00:00Z'

/** `at` seconds after NOW (negative: before), as an RFC 3339 timestamp. */
export const secondsFromNow = (seconds: number, from: Date = NOW) => timestamp(new Date(from.getTime() + seconds * 1000))

/** The uid a given object gets unless it names one: readable in expected writes and owner references. */
export function defaultUid(kind: string, name: string): string {
  return `uid-${kind.toLowerCase()}-${name}`
}

/** The uid of an object as `given` stores it. */
export function uidOfGiven(object: JsonObject): string {
  const metadata = (object.metadata ?? {}) as JsonObject
  return typeof metadata.uid === 'string' ? metadata.uid : defaultUid(String(object.kind), String(metadata.name))
}

/** The controller reference a controller puts on what it makes, to `owner` as `given` stores it. */
export function controlledBy(owner: JsonObject): JsonObject {
  const metadata = (owner.metadata ?? {}) as JsonObject
  const definition = registry.get(String(owner.kind))
  return {
    apiVersion: String(owner.apiVersion ?? (definition ? apiVersionOf(definition) : 'v1')),
    kind: String(owner.kind),
    name: String(metadata.name),
    uid: uidOfGiven(owner),
    controller: true,
    blockOwnerDeletion: true,
  }
}

/** The cluster state of `objects`, stored as `given` stores them. */
export function stateOf(objects: JsonObject[]): ClusterState {
  const state = emptyState()
  objects.forEach((object, i) => {
    const stored = asStored(object, i + 1)
    const metadata = stored.metadata as JsonObject
    evolve(state, {
      revision: i + 1,
      txRevision: i + 1,
      type: 'Created',
      kind: String(stored.kind),
      namespace: String(metadata.namespace ?? ''),
      name: String(metadata.name),
      uid: String(metadata.uid),
      object: stored,
      meta: {},
      committedAt: new Date(CREATED),
    })
  })
  return state
}

/** What the API would have stored for `object`, created at revision `revision`. */
export function asStored(object: JsonObject, revision: number): JsonObject {
  const kind = String(object.kind)
  const definition = registry.get(kind)
  const stored = clone(object)
  const metadata = { ...((stored.metadata ?? {}) as JsonObject) }
  if (definition) {
    stored.apiVersion ??= apiVersionOf(definition)
    if (definition.namespaced) metadata.namespace ??= 'default'
    else delete metadata.namespace
    if (definition.status) metadata.generation ??= 1
  }
  metadata.uid ??= defaultUid(kind, String(metadata.name))
  metadata.creationTimestamp ??= CREATED
  metadata.resourceVersion = String(revision)
  stored.metadata = metadata
  if (definition) {
    const status = stored.status
    definition.defaults?.(stored)
    if (status !== undefined) stored.status = status
    else if (definition.status && !definition.keepStatusOnCreate) stored.status = definition.initialStatus?.(stored) ?? {}
  }
  return stored
}

export class Given {
  readonly state: ClusterState

  constructor(
    private readonly controller: Controller,
    private readonly objects: JsonObject[],
  ) {
    this.state = stateOf(objects)
  }

  /** Reconciles `key` (`namespace/name`, or a name for cluster-scoped keys) at `now`. */
  when(key: string, now: Date | string = NOW): When {
    const at = typeof now === 'string' ? new Date(now) : now
    return new When(this.objects, key, at, this.controller.reconcile(key, this.state, at))
  }
}

export class When {
  /** Every write, in order, an inner array (concurrent writes) flattened. */
  readonly actions: Action[]

  constructor(
    private readonly given: JsonObject[],
    private readonly key: string,
    private readonly now: Date,
    readonly reconciliation: Reconciliation,
  ) {
    this.actions = reconciliation.actions.flat()
  }

  /**
   * Exactly these writes, in this order, each matching as `toMatchObject` does. It ends the
   * chain: the checks that go on (`thenRequeuesAfter`, …) come before it.
   */
  // biome-ignore lint/suspicious/noThenProperty: given/when/then reads as a spec; the chain is never awaited
  then(...expected: Expected[]): void {
    // Awaited (a chain returned from a test): we are a thenable by name only; resolve.
    if (typeof expected[0] === 'function') return void (expected[0] as (value: undefined) => void)(undefined)
    if (expected.length === this.actions.length) {
      const mismatch = expected.findIndex((e, i) => !matches(this.actions[i]!, e))
      if (mismatch < 0) return
      const detail = `\nthe first that differs, #${mismatch + 1}:\n${difference(this.actions[mismatch]!, expected[mismatch]!)}`
      this.fail(`expected ${count(expected.length)}:\n${list(expected.map(describeExpected))}`, detail)
    }
    const missing = expected.flatMap((e, i) => (this.actions.some((a) => matches(a, e)) ? [] : [`#${i + 1}`]))
    const extra = this.actions.flatMap((a, i) => (expected.some((e) => matches(a, e)) ? [] : [`#${i + 1}`]))
    const detail = [
      missing.length > 0 ? `\nno write matches expected ${missing.join(', ')}` : '',
      extra.length > 0 ? `\nnothing expected matches write ${extra.join(', ')}` : '',
    ].join('')
    this.fail(`expected ${count(expected.length)}:\n${list(expected.map(describeExpected))}`, detail)
  }

  /** No writes at all. */
  thenNothing(): void {
    this.then()
  }

  /** These writes among others, in this order (each after the one before). */
  thenIncludes(...expected: Expected[]): this {
    let from = 0
    for (const [i, e] of expected.entries()) {
      const at = this.actions.findIndex((a, j) => j >= from && matches(a, e))
      if (at < 0)
        this.fail(
          `expected, in this order among the writes:\n${list(expected.map(describeExpected))}`,
          `\nno write matches #${i + 1}${from > 0 ? ` after write #${from}` : ''}`,
        )
      from = at + 1
    }
    return this
  }

  /** None of the writes matches any of these. */
  thenExcludes(...unwanted: Expected[]): this {
    for (const e of unwanted) {
      const at = this.actions.findIndex((a) => matches(a, e))
      if (at >= 0) this.fail(`expected no write like: ${describeExpected(e)}`, `\nbut #${at + 1} is one`)
    }
    return this
  }

  /** Asks to be looked at again after `ms` (undefined: not at all). */
  thenRequeuesAfter(ms: number | undefined): this {
    if (this.reconciliation.requeueAfterMs !== ms)
      this.fail(
        ms === undefined ? 'expected no requeue' : `expected a requeue after ${ms} ms`,
        this.reconciliation.requeueAfterMs === undefined ? '\nand no requeue' : '',
      )
    return this
  }

  /** The writes of one type and kind (Events are their own kind), for checks the matchers above cannot say. */
  writes(type: Action['type'], kind?: string): Action[] {
    return this.actions.filter((a) => a.type === type && (kind === undefined || kindOf(a) === kind))
  }

  /** The objects created of a kind. */
  created(kind: string): JsonObject[] {
    return this.writes('create', kind).map((a) => (a as { object: JsonObject }).object)
  }

  /** The status the reconcile writes for its object, if it writes one. */
  get status(): JsonObject | undefined {
    const write = this.actions.find((a) => a.type === 'updateStatus') as { object: JsonObject } | undefined
    return write?.object.status as JsonObject | undefined
  }

  private fail(expectation: string, detail: string): never {
    const given = this.given.map((o) => `${String(o.kind)} ${nameOfGiven(o)}`)
    const requeue =
      this.reconciliation.requeueAfterMs === undefined ? '' : `\nand asked to be requeued after ${this.reconciliation.requeueAfterMs} ms`
    const message = [
      `given${given.length === 0 ? ' nothing' : `:\n${list(given)}`}`,
      `when ${this.key} is reconciled at ${this.now.toISOString()}`,
      `then ${expectation}`,
      `but it returned ${count(this.actions.length)}${this.actions.length > 0 ? `:\n${list(this.describeSteps())}` : ''}${requeue}${detail}`,
    ].join('\n')
    throw new Error(message)
  }

  /** The writes one a line, with the step they run in (an inner array's writes share one). */
  private describeSteps(): string[] {
    return this.reconciliation.actions.flatMap((step, s) =>
      (Array.isArray(step) ? step : [step]).map((a) => `${describeWrite(a)}   [step ${s + 1}]`),
    )
  }
}
