import { randomBytes } from 'node:crypto'
import { errors, type StatusError } from '../errors.js'
import { sealedFieldProblem } from '../secrets/sealing.js'
import { MAX_OBJECT_BYTES, type AppendCommand } from './commands.js'
import type { JsonObject } from './schema.js'
import { metadataOf } from '../resources/objects.js'

/**
 * Everything about a command that does not depend on the log's state, worked out before the
 * command joins a batch, so that the batch holds the log head lock as briefly as possible:
 * its shape, and for a put its event row as JSON, with placeholders for the revision and uid
 * that only the batch can know (`fillRow` puts them in).
 */
export interface PreparedCommand {
  command: AppendCommand
  /** Why the command cannot be applied whatever the state. */
  error?: StatusError
  /** A put's event row as JSON, with REVISION and UID placeholders. */
  row?: string
}

// Placeholders no JSON text a user sends can contain by chance.
const nonce = randomBytes(12).toString('hex')
const REVISION = `rk_revision_${nonce}`
const UID = `rk_uid_${nonce}`

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
// JSON.stringify escapes NUL and lone surrogates; PostgreSQL's jsonb accepts neither.
const NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/
const LONE_SURROGATE = /(?:^|[^\\])(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i

/** The type of every event that removes an object; folds of the log rely on it. */
export const DELETED = 'Deleted'

export function prepareCommand(command: AppendCommand): PreparedCommand {
  const shape = checkShape(command)
  if (shape) return { command, error: errors.badRequest(shape) }
  if (command.op === 'delete') return { command }
  const row = eventRow(command, REVISION, UID, {
    ...command.object,
    metadata: { ...metadataOf(command.object), uid: UID, resourceVersion: REVISION },
  })
  const error = checkRow(command, row)
  return error ? { command, error } : { command, row }
}

/** The event row of a command as JSON; `revision` may be a placeholder, so it is a JSON string. */
export function eventRow(command: AppendCommand, revision: string, uid: string, object: JsonObject): string {
  const type = command.op === 'put' ? command.type : DELETED
  return JSON.stringify({
    revision,
    type,
    kind: command.kind,
    namespace: command.namespace,
    name: command.name,
    uid,
    object,
    meta: command.meta ?? {},
  })
}

/** Puts a prepared row's revision and uid in place. */
export function fillRow(row: string, revision: number, uid: string): string {
  return row.replaceAll(REVISION, String(revision)).replaceAll(UID, uid)
}

/** Refuses rows PostgreSQL cannot store or etcd would not accept. */
export function checkRow(command: AppendCommand, row: string): StatusError | undefined {
  if (NUL.test(row)) return errors.badRequest('the object contains a NUL character (\\u0000), which cannot be stored')
  if (LONE_SURROGATE.test(row)) {
    return errors.badRequest('the object contains invalid UTF-16 (an unpaired surrogate), which cannot be stored')
  }
  const bytes = Buffer.byteLength(row)
  if (bytes > MAX_OBJECT_BYTES) {
    return errors.tooLarge(
      `Request entity too large: ${command.kind} "${command.name}" is ${bytes} bytes with its metadata, ` +
        `over the limit of ${MAX_OBJECT_BYTES} bytes (1.5 MiB)`,
    )
  }
  return undefined
}

export { metadataOf }

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
  const { name, namespace = '', uid } = metadataOf(command.object)
  if (name !== undefined && name !== command.name) {
    return `metadata.name "${String(name)}" does not match the command's name "${command.name}"`
  }
  if (namespace !== command.namespace) {
    return `metadata.namespace "${String(namespace)}" does not match the command's namespace "${command.namespace}"`
  }
  if (uid !== undefined && (typeof uid !== 'string' || !UUID.test(uid))) return `metadata.uid "${String(uid)}" is not a UUID`
  return sealedFieldProblem(command.object)
}
