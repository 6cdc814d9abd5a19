import { expect } from 'vitest'
import { isObject, type JsonObject } from '../../services/json.js'
import { registry } from '../../services/resources/registry.js'
import type { Action } from '../../services/runtime/controller.js'

/**
 * The writes a reconcile is expected to return, as the given/when/then specifications
 * (given.ts) state them, and how one is told apart from another: matching as `toMatchObject`
 * does, each difference named by its path, each write described on one line.
 */

/** One expected write: an Action with any part left out, values possibly asymmetric matchers. */
export type Expected = Partial<Action> & Record<string, unknown>

/** A create of `kind`; `object` is matched as a subset. */
export function created(kind: string, object: JsonObject = {}): Expected {
  return { type: 'create', object: { ...object, kind } }
}

/** An Event recorded (a create of an Event) with this type, reason and message (a RegExp matches). */
export function recorded(type: 'Normal' | 'Warning', reason: string, message?: string | RegExp): Expected {
  return {
    type: 'create',
    object: {
      kind: 'Event',
      type,
      reason,
      ...(message !== undefined && { message: typeof message === 'string' ? message : expect.stringMatching(message) }),
    },
  }
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

/** A patch of `kind` `namespace/name`, the patch matched as a subset; `extra` may name patchType, subresource, reason. */
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

export function matches(action: Action, expected: Expected): boolean {
  return differences(action, expected, '').length === 0
}

export function difference(action: Action, expected: Expected): string {
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

export const count = (n: number) => `${n} write${n === 1 ? '' : 's'}`
export const list = (lines: string[]) => lines.map((line, i) => `  ${String(i + 1).padStart(2)}. ${line}`).join('\n')

export function nameOfGiven(object: JsonObject): string {
  const metadata = (object.metadata ?? {}) as JsonObject
  const namespace =
    typeof metadata.namespace === 'string' ? metadata.namespace : registry.get(String(object.kind))?.namespaced === false ? '' : 'default'
  return namespace ? `${namespace}/${String(metadata.name ?? metadata.generateName ?? '?')}` : String(metadata.name)
}

export function kindOf(action: Action): string {
  return 'object' in action ? String(action.object.kind) : action.kind
}

/** One write, one line: `create Pod default/web-x2b4c`, `event Normal SuccessfulCreate "Created pod: …"`. */
export function describeWrite(action: Action): string {
  const by = `${action.reason ? ` (reason: ${action.reason})` : ''}${action.actor ? ` as ${action.actor}` : ''}`
  switch (action.type) {
    case 'create':
      if (action.object.kind === 'Event')
        return `event ${String(action.object.type)} ${String(action.object.reason)} ${JSON.stringify(action.object.message)}${by}`
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

export function describeExpected(expected: Expected): string {
  const object = isObject(expected.object) ? expected.object : undefined
  switch (expected.type) {
    case 'create':
      if (object?.kind === 'Event')
        return `event ${String(object.type)} ${String(object.reason)}${object.message === undefined ? '' : ` ${short(object.message)}`}`
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
