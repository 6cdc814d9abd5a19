import { errors, OPTIMISTIC_LOCK_MESSAGE, qualifiedResource, StatusError } from '../errors.js'
import { MAX_OBJECT_BYTES, type AppendCommand, type ObjectKey } from './commands.js'
import type { EventMeta, JsonObject } from './schema.js'

/** An object's state as the batch finds it (from `objects`, then as earlier commands leave it). */
export interface CurrentObject {
  uid: string
  revision: number
  /** Present when a command of the batch needs it (deletions record the last state). */
  object?: JsonObject
}

export interface PlannedEvent {
  revision: number
  type: string
  key: ObjectKey
  uid: string
  object: JsonObject
  meta: EventMeta
  /** The row as JSON, ready for `jsonb_to_recordset`. */
  json: string
}

/** A version that has ended: valid for revisions [valid_from, valid_to). */
export interface VersionRow extends ObjectKey {
  valid_from: number
  valid_to: number
}

/** Everything one commit batch writes, decided before any of it is written. */
export interface BatchPlan {
  /** Per command: the revision it got, or why it failed. */
  outcomes: Array<{ revision: number } | { error: StatusError }>
  events: PlannedEvent[]
  /** Versions the batch ended: ones current before it and ones it made and replaced itself. */
  ended: VersionRow[]
  /** Revisions whose object becomes the current state of its key. */
  upserts: number[]
  deletes: ObjectKey[]
  /** The log head after the batch. */
  head: number
}

/** The type of every event that removes an object; folds of the log rely on it. */
export const DELETED = 'Deleted'

export const keyOf = (k: ObjectKey) => `${k.kind}\u0000${k.namespace}\u0000${k.name}`

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
// JSON.stringify escapes NUL and lone surrogates; PostgreSQL's jsonb accepts neither.
const NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/
const LONE_SURROGATE = /(?:^|[^\\])(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i

/**
 * Decides a batch: checks each command's precondition against the state the earlier commands
 * leave, hands out revisions head+1, head+2, … to the ones that pass, and lists the rows to write.
 * A command that fails takes no revision and changes nothing for the others.
 * Pure: the current objects and the uid generator come in as arguments.
 */
export function planBatch(
  head: number,
  current: ReadonlyMap<string, CurrentObject>,
  commands: readonly AppendCommand[],
  newUid: () => string,
): BatchPlan {
  const state = new Map<string, CurrentObject | null>()
  const finalState = new Map<string, { upsert: number } | { delete: ObjectKey }>()
  const plan: BatchPlan = { outcomes: [], events: [], ended: [], upserts: [], deletes: [], head }
  let revision = head

  for (const command of commands) {
    const key = keyOf(command)
    const now = state.has(key) ? state.get(key)! : (current.get(key) ?? null)
    const failure = check(command, now)
    if (failure) {
      plan.outcomes.push({ error: failure })
      continue
    }
    const next = revision + 1
    const uid = now?.uid ?? (command.op === 'put' ? stringAt(command.object, 'metadata', 'uid') : undefined) ?? newUid()
    const base = command.op === 'put' ? command.object : now!.object!
    const metadata = { ...(base.metadata as JsonObject | undefined), uid, resourceVersion: String(next) }
    const object = { ...base, metadata }
    const meta = command.meta ?? {}
    const type = command.op === 'put' ? command.type : DELETED
    const json = JSON.stringify({
      revision: next,
      type,
      kind: command.kind,
      namespace: command.namespace,
      name: command.name,
      uid,
      object,
      meta,
    })
    const encodingProblem = checkEncoding(json)
    if (encodingProblem) {
      plan.outcomes.push({ error: errors.badRequest(encodingProblem) })
      continue
    }
    if (Buffer.byteLength(json) > MAX_OBJECT_BYTES) {
      plan.outcomes.push({
        error: errors.tooLarge(
          `Request entity too large: ${command.kind} "${command.name}" is ${Buffer.byteLength(json)} bytes ` +
            `with its metadata, over the limit of ${MAX_OBJECT_BYTES} bytes (1.5 MiB)`,
        ),
      })
      continue
    }

    revision = next
    plan.outcomes.push({ revision })
    plan.events.push({ revision, type, key: command, uid, object, meta, json })
    if (now) plan.ended.push({ ...keyFields(command), valid_from: now.revision, valid_to: revision })
    if (command.op === 'put') {
      state.set(key, { uid, revision, object })
      finalState.set(key, { upsert: revision })
    } else {
      state.set(key, null)
      finalState.set(key, { delete: keyFields(command) })
    }
  }

  for (const final of finalState.values()) {
    if ('upsert' in final) plan.upserts.push(final.upsert)
    else plan.deletes.push(final.delete)
  }
  plan.head = revision
  return plan
}

function check(command: AppendCommand, now: CurrentObject | null): StatusError | undefined {
  const shape = checkShape(command)
  if (shape) return errors.badRequest(shape)
  const resource = command.resource ?? qualifiedResource(command.kind, apiVersionOf(command, now))
  const pre = command.precondition ?? {}
  if (pre.exists === false && now) return errors.alreadyExists(resource, command.name)
  const mustExist = command.op === 'delete' || pre.exists === true || pre.revision !== undefined || pre.uid !== undefined
  if (mustExist && !now) return errors.notFound(resource, command.name)
  if (!now) return undefined
  if (pre.uid !== undefined && pre.uid !== now.uid) {
    return errors.conflict(resource, command.name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${now.uid}`)
  }
  if (pre.revision !== undefined && pre.revision !== now.revision) {
    return errors.conflict(resource, command.name, OPTIMISTIC_LOCK_MESSAGE)
  }
  const bodyUid = command.op === 'put' ? stringAt(command.object, 'metadata', 'uid') : undefined
  if (bodyUid !== undefined && bodyUid !== now.uid) {
    return errors.conflict(resource, command.name, `Precondition failed: UID in precondition: ${bodyUid}, UID in object meta: ${now.uid}`)
  }
  return undefined
}

/** The command must name its object the way the object names itself. */
function checkShape(command: AppendCommand): string | undefined {
  for (const field of ['kind', 'name'] as const) {
    if (typeof command[field] !== 'string' || command[field] === '') return `${field} must be a non-empty string`
  }
  if (typeof command.namespace !== 'string') return 'namespace must be a string (empty for cluster-scoped kinds)'
  if (command.op === 'delete') return undefined
  if (typeof command.type !== 'string' || command.type === '' || command.type === DELETED) {
    return `a put needs an event type other than "${DELETED}", got "${String(command.type)}"`
  }
  const object = command.object as unknown
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return 'object must be a JSON object'
  const metadata = command.object.metadata
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) {
    return 'metadata must be an object'
  }
  if (command.object.kind !== undefined && command.object.kind !== command.kind) {
    return `object kind "${String(command.object.kind)}" does not match the command's kind "${command.kind}"`
  }
  const name = stringAt(command.object, 'metadata', 'name')
  if (name !== undefined && name !== command.name) {
    return `metadata.name "${name}" does not match the command's name "${command.name}"`
  }
  const namespace = stringAt(command.object, 'metadata', 'namespace') ?? ''
  if (namespace !== command.namespace) {
    return `metadata.namespace "${namespace}" does not match the command's namespace "${command.namespace}"`
  }
  const uid = (metadata as JsonObject | undefined)?.uid
  if (uid !== undefined && (typeof uid !== 'string' || !UUID.test(uid))) return `metadata.uid "${String(uid)}" is not a UUID`
  return undefined
}

function checkEncoding(json: string): string | undefined {
  if (NUL.test(json)) return 'the object contains a NUL character (\\u0000), which cannot be stored'
  if (LONE_SURROGATE.test(json)) return 'the object contains invalid UTF-16 (an unpaired surrogate), which cannot be stored'
  return undefined
}

function stringAt(object: JsonObject, parent: string, field: string): string | undefined {
  const value = (object[parent] as JsonObject | undefined)?.[field]
  return typeof value === 'string' ? value : undefined
}

function apiVersionOf(command: AppendCommand, now: CurrentObject | null): string | undefined {
  const source = command.op === 'put' ? command.object : now?.object
  return typeof source?.apiVersion === 'string' ? source.apiVersion : undefined
}

const keyFields = (k: ObjectKey): ObjectKey => ({ kind: k.kind, namespace: k.namespace, name: k.name })
