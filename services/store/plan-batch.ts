import { errors, OPTIMISTIC_LOCK_MESSAGE, qualifiedResource, type StatusError } from '../errors.js'
import type { AppendCommand, ObjectKey } from './commands.js'
import { checkRow, DELETED, eventRow, fillRow, metadataOf, type PreparedCommand } from './prepare-command.js'
import type { EventMeta, JsonObject } from './schema.js'

export { DELETED } from './prepare-command.js'

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

export const keyOf = (k: ObjectKey) => `${k.kind}\u0000${k.namespace}\u0000${k.name}`

/**
 * Decides a batch: checks each command's precondition against the state the earlier commands
 * leave, hands out revisions head+1, head+2, … to the ones that pass, and lists the rows to write.
 * A command that fails takes no revision and changes nothing for the others.
 * Pure: the current objects and the uid generator come in as arguments.
 */
export function planBatch(
  head: number,
  current: ReadonlyMap<string, CurrentObject>,
  prepared: readonly PreparedCommand[],
  newUid: () => string,
): BatchPlan {
  const state = new Map<string, CurrentObject | null>()
  const finalState = new Map<string, { upsert: number } | { delete: ObjectKey }>()
  const plan: BatchPlan = { outcomes: [], events: [], ended: [], upserts: [], deletes: [], head }
  let revision = head

  for (const { command, error, row } of prepared) {
    const key = keyOf(command)
    const now = state.has(key) ? state.get(key)! : (current.get(key) ?? null)
    const failure = error ?? check(command, now)
    if (failure) {
      plan.outcomes.push({ error: failure })
      continue
    }
    const next = revision + 1
    const base = command.op === 'put' ? command.object : now!.object!
    const uid = now?.uid ?? (metadataOf(base).uid as string | undefined) ?? newUid()
    const object = { ...base, metadata: { ...metadataOf(base), uid, resourceVersion: String(next) } }
    let json: string
    if (row) {
      json = fillRow(row, next, uid)
    } else {
      // A deletion's row holds the last state, known only now.
      json = eventRow(command, String(next), uid, object)
      const problem = checkRow(command, json)
      if (problem) {
        plan.outcomes.push({ error: problem })
        continue
      }
    }

    revision = next
    const type = command.op === 'put' ? command.type : DELETED
    plan.outcomes.push({ revision })
    plan.events.push({ revision, type, key: command, uid, object, meta: command.meta ?? {}, json })
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
  const bodyUid = command.op === 'put' ? metadataOf(command.object).uid : undefined
  if (bodyUid !== undefined && bodyUid !== now.uid) {
    return errors.conflict(
      resource,
      command.name,
      `Precondition failed: UID in precondition: ${String(bodyUid)}, UID in object meta: ${now.uid}`,
    )
  }
  return undefined
}

function apiVersionOf(command: AppendCommand, now: CurrentObject | null): string | undefined {
  const source = command.op === 'put' ? command.object : now?.object
  return typeof source?.apiVersion === 'string' ? source.apiVersion : undefined
}

const keyFields = (k: ObjectKey): ObjectKey => ({ kind: k.kind, namespace: k.namespace, name: k.name })
