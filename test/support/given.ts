import { expect } from 'vitest'
import { emptyState, type ClusterState } from '../../projections/cluster-state.js'
import { evolve } from '../../projections/evolve.js'
import { timestamp } from '../../services/api/context.js'
import type { Action, Controller, Reconciliation } from '../../services/runtime/controller.js'
import { clone, isObject, type JsonObject } from '../../services/json.js'
import { apiVersionOf } from '../../services/resources/kind.js'
import { registry } from '../../services/resources/registry.js'

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

/** One expected write: an Action with any part left out, values possibly asymmetric matchers. */
export type Expected = Partial<Action> & Record<string, unknown>

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
      if (at < 0) this.fail(`expected, in this order among the writes:\n${list(expected.map(describeExpected))}`, `\nno write matches #${i + 1}${from > 0 ? ` after write #${from}` : ''}`)
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
    if (this.reconciliation.requeueAfterMs !== ms) this.fail(ms === undefined ? 'expected no requeue' : `expected a requeue after ${ms} ms`, this.reconciliation.requeueAfterMs === undefined ? '\nand no requeue' : '')
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
    const requeue = this.reconciliation.requeueAfterMs === undefined ? '' : `\nand asked to be requeued after ${this.reconciliation.requeueAfterMs} ms`
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
    return this.reconciliation.actions.flatMap((step, s) => (Array.isArray(step) ? step : [step]).map((a) => `${describeWrite(a)}   [step ${s + 1}]`))
  }
}

// Builders of expected writes.

/** A create of `kind`; `object` is matched as a subset. */
export function created(kind: string, object: JsonObject = {}): Expected {
  return { type: 'create', object: { ...object, kind } }
}

/** An Event recorded (a create of an Event) with this type, reason and message (a RegExp matches). */
export function recorded(type: 'Normal' | 'Warning', reason: string, message?: string | RegExp): Expected {
  return { type: 'create', object: { kind: 'Event', type, reason, ...(message !== undefined && { message: typeof message === 'string' ? message : expect.stringMatching(message) }) } }
}

/** A delete of `kind` `namespace/name` (a name alone for cluster-scoped kinds; none: any of the kind). */
export function deleted(kind: string, key?: string, extra: JsonObject = {}): Expected {
  return { type: 'delete', kind, ...(key !== undefined && split(key)), ...extra }
}

/** A write of the status subresource of `kind` `namespace/name`, the status matched as a subset. */
export function statusWritten(kind: string, key: string, status: JsonObject): Expected {
  const { namespace, name } = split(key)
  return { type: 'updateStatus', object: { kind, metadata: { name, ...(namespace && { namespace }) }, status } }
}

/** An update of `kind` `namespace/name`, the object matched as a subset. */
export function updated(kind: string, key: string, object: JsonObject = {}): Expected {
  const { namespace, name } = split(key)
  const metadata = { name, ...(namespace && { namespace }), ...((object.metadata ?? {}) as JsonObject) }
  return { type: 'update', object: { ...object, kind, metadata } }
}

/** A patch of `kind` `namespace/name`; the patch is matched as a subset unless `exactly`. */
export function patched(kind: string, key: string, patch: unknown, extra: JsonObject = {}): Expected {
  return { type: 'patch', kind, ...split(key), patch, ...extra }
}

/** A write of the scale subresource of `kind` `namespace/name`. */
export function scaled(kind: string, key: string, replicas: number): Expected {
  return { type: 'scale', kind, ...split(key), replicas }
}

function split(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/')
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) }
}

function matches(action: Action, expected: Expected): boolean {
  return differences(action, expected, '').length === 0
}

function difference(action: Action, expected: Expected): string {
  return differences(action, expected, '')
    .map((line) => `  ${line}`)
    .join('\n')
}

/**
 * Where `actual` fails to match `expected` as `toMatchObject` sees it (objects as subsets, arrays
 * element by element and of the same length, asymmetric matchers asked), one path a line.
 */
function differences(actual: unknown, expected: unknown, path: string): string[] {
  const at = path === '' ? '(the write)' : path.slice(1)
  const differs = [`${at}: expected ${short(expected)}, got ${short(actual)}`]
  if (isMatcher(expected)) return expected.asymmetricMatch(actual) ? [] : differs
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return differs
    return expected.flatMap((e, i) => differences(actual[i], e, `${path}[${i}]`))
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return differs
    return Object.entries(expected).flatMap(([k, e]) => differences(actual[k], e, `${path}.${k}`))
  }
  return Object.is(actual, expected) ? [] : differs
}

const count = (n: number) => `${n} write${n === 1 ? '' : 's'}`
const list = (lines: string[]) => lines.map((line, i) => `  ${String(i + 1).padStart(2)}. ${line}`).join('\n')

function nameOfGiven(object: JsonObject): string {
  const metadata = (object.metadata ?? {}) as JsonObject
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : registry.get(String(object.kind))?.namespaced === false ? '' : 'default'
  return namespace ? `${namespace}/${String(metadata.name ?? metadata.generateName ?? '?')}` : String(metadata.name)
}

function kindOf(action: Action): string {
  return 'object' in action ? String(action.object.kind) : action.kind
}

/** One write, one line: `create Pod default/web-x2b4c`, `event Normal SuccessfulCreate "Created pod: …"`. */
export function describeWrite(action: Action): string {
  const by = `${action.reason ? ` (reason: ${action.reason})` : ''}${action.actor ? ` as ${action.actor}` : ''}`
  switch (action.type) {
    case 'create':
      if (action.object.kind === 'Event') return `event ${String(action.object.type)} ${String(action.object.reason)} ${JSON.stringify(action.object.message)}${by}`
      return `create ${String(action.object.kind)} ${nameOfGiven(action.object)}${by}`
    case 'update':
      return `update ${String(action.object.kind)} ${nameOfGiven(action.object)}${by}`
    case 'updateStatus':
      return `updateStatus ${String(action.object.kind)} ${nameOfGiven(action.object)} ${short(action.object.status)}${by}`
    case 'patch':
      return `patch${action.subresource ? ` (${action.subresource})` : ''} ${action.kind} ${key(action)} ${short(action.patch)}${by}`
    case 'delete':
      return `delete ${action.kind} ${key(action)}${action.options ? ` ${short(action.options)}` : ''}${by}`
    case 'scale':
      return `scale ${action.kind} ${key(action)} to ${action.replicas}${by}`
  }
}

function describeExpected(expected: Expected): string {
  const object = isObject(expected.object) ? expected.object : undefined
  switch (expected.type) {
    case 'create':
      if (object?.kind === 'Event') return `event ${String(object.type)} ${String(object.reason)}${object.message === undefined ? '' : ` ${short(object.message)}`}`
      return `create ${String(object?.kind)}${object && Object.keys(object).length > 1 ? ` like ${short(withoutKind(object))}` : ''}`
    case 'update':
    case 'updateStatus':
      return `${expected.type} ${String(object?.kind)} ${object ? nameOfGiven(object) : '?'}${object?.status === undefined ? '' : ` ${short(object.status)}`}`
    case undefined:
      return short(expected)
    default:
      return `${expected.type} ${String(expected.kind)} ${expected.name === undefined ? '(any)' : key(expected as { namespace?: unknown; name?: unknown })}${expected.type === 'scale' ? ` to ${String(expected.replicas)}` : ''}${expected.type === 'patch' ? ` ${short(expected.patch)}` : ''}`
  }
}

function withoutKind(object: JsonObject): JsonObject {
  const { kind: _, ...rest } = object
  return rest
}

function key(action: { namespace?: unknown; name?: unknown }): string {
  return action.namespace ? `${String(action.namespace)}/${String(action.name)}` : String(action.name)
}

/** JSON cut to one readable line; asymmetric matchers print as themselves. */
function short(value: unknown, max = 160): string {
  const text = JSON.stringify(value, (_, v: unknown) => (isMatcher(v) ? matcherText(v) : v)) ?? 'undefined'
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** `StringMatching /^Created/`, `ObjectContaining {"a":1}`. */
function matcherText(matcher: Matcher): string {
  const { sample } = matcher
  if (sample === undefined) return matcher.toString()
  return `${matcher.toString()} ${typeof sample === 'string' || sample instanceof RegExp ? String(sample) : short(sample)}`
}

interface Matcher {
  asymmetricMatch(value: unknown): boolean
  toString(): string
  sample?: unknown
}

function isMatcher(value: unknown): value is Matcher {
  return typeof value === 'object' && value !== null && typeof (value as { asymmetricMatch?: unknown }).asymmetricMatch === 'function'
}
