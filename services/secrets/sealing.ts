import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { silentLogger, type Logger } from '../log.js'
import { isObject, setKey, type JsonObject } from '../json.js'
import { registry, type KindRegistry } from '../resources/registry.js'
import type { Keyring } from './keyring.js'
import { sensitiveFieldsOf, type FieldPath } from './sensitive-fields.js'

/**
 * The field that holds a sealed object's sensitive fields, in place of them:
 *
 * ```json
 * "$sealed": { "alg": "A256GCM", "key": "<key id>", "iv": "<12 bytes, base64>",
 *              "data": "<ciphertext, base64>", "tag": "<16 bytes, base64>" }
 * ```
 *
 * The plaintext is the JSON of `[{ "path": ["data"], "value": {…} }, …]`, one entry per
 * sensitive field the object had. The additional authenticated data is the object's kind,
 * namespace, name and uid, so an envelope copied to another object (or another incarnation of the
 * same name) fails to open. Everything else (metadata, type) stays in the clear.
 */
export const SEALED = '$sealed'

/** The annotation an object that could not be unsealed carries in place of its sensitive fields. */
export const UNREADABLE_ANNOTATION = 'revkube.io/sealed-data'

export interface SealedEnvelope {
  alg: 'A256GCM'
  key: string
  iv: string
  data: string
  tag: string
}

const MAX_WARNINGS = 100

/**
 * Seals and opens the sensitive fields of objects with AES-256-GCM under a keyring's keys: the
 * store seals at its write boundary and opens at its read boundary, so the database never holds
 * a sensitive value in plain text and every reader of the store sees plain text.
 */
export class Sealer {
  private readonly warned = new Set<string>()

  /** `kinds` says which fields of which kinds are sensitive (@default the built-in registry). */
  constructor(
    readonly keyring: Keyring,
    private readonly log: Logger = silentLogger,
    private readonly kinds: KindRegistry = registry,
  ) {}

  /**
   * The object with its sensitive fields replaced by one envelope under the primary key. Objects
   * of kinds without sensitive fields, objects that have none of them, and objects already
   * sealed are returned as they are (the same reference).
   */
  seal(object: JsonObject, kind: string, namespace: string, name: string): JsonObject {
    const paths = sensitiveFieldsOf(kind, this.kinds)
    if (paths.length === 0 || object[SEALED] !== undefined) return object
    let rest = object
    const fields: Array<{ path: FieldPath; value: unknown }> = []
    for (const path of paths) {
      const taken = removeAt(rest, path, 0)
      if (!taken) continue
      rest = taken.rest
      if (taken.value !== undefined) fields.push({ path, value: taken.value })
    }
    if (fields.length === 0) return rest
    const primary = this.keyring.primary
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', primary.key, iv)
    cipher.setAAD(additionalData(kind, namespace, name, uidOf(object)))
    const data = Buffer.concat([cipher.update(JSON.stringify(fields), 'utf8'), cipher.final()])
    const envelope: SealedEnvelope = {
      alg: 'A256GCM',
      key: primary.id,
      iv: iv.toString('base64'),
      data: data.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    }
    return { ...rest, [SEALED]: envelope }
  }

  /**
   * The object with its sealed fields back in plain text; objects without an envelope are
   * returned as they are (the same reference). An envelope that cannot be opened — its key is not
   * in the keyring, or it fails authentication (altered, or moved from another object) — leaves
   * the object without its sensitive fields and with the `revkube.io/sealed-data` annotation
   * saying why; a warning is logged once per key or object.
   */
  open(object: JsonObject, kind: string, namespace: string, name: string): JsonObject {
    if (object[SEALED] === undefined) return object
    const result = this.tryOpen(object, kind, namespace, name)
    if ('object' in result) return result.object
    if (!this.warned.has(result.once) && this.warned.size < MAX_WARNINGS) {
      this.warned.add(result.once)
      this.log.warn(result.warning ?? `a sealed object cannot be read: ${result.reason}`, {
        kind,
        object: namespace ? `${namespace}/${name}` : name,
      })
    }
    const { [SEALED]: _, ...rest } = object
    const metadata = isObject(rest.metadata) ? rest.metadata : {}
    const annotations = isObject(metadata.annotations) ? metadata.annotations : {}
    return { ...rest, metadata: { ...metadata, annotations: { ...annotations, [UNREADABLE_ANNOTATION]: `unreadable: ${result.reason}` } } }
  }

  /** Like `open`, but an envelope that cannot be opened is reported, not marked (nor logged). */
  tryOpen(
    object: JsonObject,
    kind: string,
    namespace: string,
    name: string,
  ): { object: JsonObject } | { reason: string; once: string; warning?: string } {
    const envelope = object[SEALED]
    if (envelope === undefined) return { object }
    if (!isEnvelope(envelope)) return { reason: 'the sealed envelope is malformed', once: `malformed ${kind}/${namespace}/${name}` }
    const key = this.keyring.key(envelope.key)
    if (!key) {
      return {
        reason: `key "${envelope.key}" is not in the keyring`,
        once: `key ${envelope.key}`,
        warning: `sealed values under key "${envelope.key}" cannot be read: it is not in ${this.keyring.description} (was a key file lost or replaced?)`,
      }
    }
    let fields: Array<{ path: string[]; value: unknown }>
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'), { authTagLength: 16 })
      decipher.setAAD(additionalData(kind, namespace, name, uidOf(object)))
      decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'))
      const text = Buffer.concat([decipher.update(Buffer.from(envelope.data, 'base64')), decipher.final()]).toString('utf8')
      fields = JSON.parse(text)
    } catch {
      return {
        reason: 'authentication failed: the sealed data was altered or belongs to another object',
        once: `auth ${kind}/${namespace}/${name}/${uidOf(object)}/${envelope.iv}`,
      }
    }
    const { [SEALED]: _, ...rest } = object
    let opened: JsonObject = rest
    for (const field of fields) opened = setAt(opened, field.path, field.value, 0)
    return { object: opened }
  }

  /** The id of the key an object was sealed with; undefined if it is not sealed. */
  keyIdOf(object: JsonObject): string | undefined {
    const envelope = object[SEALED]
    return isEnvelope(envelope) ? envelope.key : undefined
  }
}

/**
 * Why a written object may not be stored as it is, if it may not: `$sealed` is the store's own
 * field, and an object carrying the unreadable marker is a read of a Secret whose key is missing —
 * writing it back would replace the sealed values with nothing. (It can still be deleted.)
 */
export function sealedFieldProblem(object: JsonObject): string | undefined {
  if (object[SEALED] !== undefined) return `the field "${SEALED}" is reserved for sealed values`
  const metadata = object.metadata
  const annotations = isObject(metadata) ? metadata.annotations : undefined
  if (isObject(annotations) && annotations[UNREADABLE_ANNOTATION] !== undefined) {
    return (
      `metadata.annotations[${UNREADABLE_ANNOTATION}]: the object's sealed data cannot be read (${String(annotations[UNREADABLE_ANNOTATION])}); ` +
      'it cannot be changed until its encryption key is restored, but it can be deleted'
    )
  }
  return undefined
}

function additionalData(kind: string, namespace: string, name: string, uid: string): Buffer {
  return Buffer.from(JSON.stringify(['revkube sealed v1', kind, namespace, name, uid]), 'utf8')
}

function uidOf(object: JsonObject): string {
  const uid = isObject(object.metadata) ? object.metadata.uid : undefined
  return typeof uid === 'string' ? uid : ''
}

function isEnvelope(value: unknown): value is SealedEnvelope {
  if (!isObject(value) || value.alg !== 'A256GCM') return false
  return ['key', 'iv', 'data', 'tag'].every((k) => typeof value[k] === 'string')
}

/** The object without the field at `path` (copied along the path only), and the field's value. */
function removeAt(object: JsonObject, path: FieldPath, i: number): { rest: JsonObject; value: unknown } | undefined {
  const key = path[i]!
  if (!Object.hasOwn(object, key)) return undefined
  const copy = { ...object }
  if (i === path.length - 1) {
    const value = copy[key]
    delete copy[key]
    return { rest: copy, value }
  }
  const child = object[key]
  if (!isObject(child)) return undefined
  const inner = removeAt(child, path, i + 1)
  if (!inner) return undefined
  setKey(copy, key, inner.rest)
  return { rest: copy, value: inner.value }
}

/** The object with `value` at `path`, copied along the path, creating objects on the way. */
function setAt(object: JsonObject, path: readonly string[], value: unknown, i: number): JsonObject {
  const key = path[i]!
  const copy = { ...object }
  if (i === path.length - 1) setKey(copy, key, value)
  else {
    const child = Object.hasOwn(object, key) ? object[key] : undefined
    setKey(copy, key, setAt(isObject(child) ? child : {}, path, value, i + 1))
  }
  return copy
}
