import { errors, OPTIMISTIC_LOCK_MESSAGE, StatusError } from '../errors.js'
import { fieldError, invalid, type FieldError } from '../resources/field-errors.js'
import { clone, deepEqual, type JsonObject } from '../json.js'
import type { Decision } from '../resources/decision.js'
import { apiVersionOf, qualifiedResourceName, type KindDefinition } from '../resources/kind.js'
import { timestamp, type Environment } from './context.js'
import { carryMetadata, createMetadata, metadataOf, validateMetadata, validateMetadataUpdate } from './object-meta.js'

/**
 * The pure core of every write: given the kind, the stored object (if any) and the request,
 * the object to store and the event that records it (a `Decision`), or a StatusError. No I/O:
 * the time and new uids come from `env`.
 */
export type { Decision }

const resourceOf = (definition: KindDefinition) => ({ resource: definition.resource, group: definition.group })

/** Create: defaults, server-owned metadata, initial status, validation. */
export function decideCreate(definition: KindDefinition, input: JsonObject, namespace: string, env: Environment): JsonObject {
  const object = clone(input)
  object.apiVersion = apiVersionOf(definition)
  object.kind = definition.kind
  object.metadata = createMetadata(definition, metadataOf(object), namespace, env)
  definition.defaults?.(object)
  if (definition.status && !definition.keepStatusOnCreate) object.status = definition.initialStatus?.(object) ?? {}
  check(definition, object, validateMetadata(definition, object), definition.validate?.(object) ?? [])
  return object
}

/**
 * Update of the whole object (not its status): the stored status and server-owned metadata are
 * kept, generation counts spec changes, and removing the last finalizer of an object being
 * deleted deletes it. An update that changes nothing writes nothing.
 */
export function decideUpdate(definition: KindDefinition, input: JsonObject, current: JsonObject): Decision {
  const old = metadataOf(current)
  const metadata = metadataOf(input)
  const object = clone(input)
  object.apiVersion = apiVersionOf(definition)
  object.kind = definition.kind
  const metaErrors = validateMetadataUpdate(metadata, old)
  object.metadata = carryMetadata(metadata, old)
  if (definition.namespaced) (object.metadata as JsonObject).namespace = old.namespace
  definition.defaults?.(object)
  if (definition.status) {
    if (current.status === undefined) delete object.status
    else object.status = clone(current.status)
  }
  check(
    definition,
    object,
    metaErrors,
    validateMetadata(definition, object),
    definition.validate?.(object) ?? [],
    definition.validateUpdate?.(object, current) ?? [],
  )
  bumpGeneration(definition, object, current)
  return settle(definition, object, current, 'Updated')
}

/** Update of the status subresource: only `status` changes. */
export function decideStatusUpdate(definition: KindDefinition, input: JsonObject, current: JsonObject): Decision {
  if (!definition.status)
    throw new StatusError('NotFound', `the server could not find the requested resource (put ${qualifiedResourceName(definition)}/status)`)
  const object = clone(current)
  if (input.status === undefined) delete object.status
  else object.status = clone(input.status)
  return settle(definition, object, current, 'StatusUpdated')
}

export interface DeleteOptions {
  propagationPolicy?: string
  preconditions?: { uid?: string; resourceVersion?: string }
  gracePeriodSeconds?: number
}

const POLICIES = ['Foreground', 'Background', 'Orphan']

/**
 * Delete: an object with finalizers (or deleted in the foreground or with orphaning, which add
 * one, or held by its kind's deletion rules: a grace period, the kind's own finalizers) is marked
 * with a deletionTimestamp and stays until they are done; anything else goes at once.
 */
export function decideDelete(definition: KindDefinition, current: JsonObject, options: DeleteOptions, env: Environment): Decision {
  const metadata = metadataOf(current)
  const policy = options.propagationPolicy
  if (policy !== undefined && !POLICIES.includes(policy)) {
    throw invalid('DeleteOptions', '', '', [fieldError.notSupported('propagationPolicy', policy, [...POLICIES, 'nil'])])
  }
  checkPreconditions(definition, current, options.preconditions)
  if (metadata.deletionTimestamp !== undefined) return deleteAgain(current, options, env)

  const finalizers = Array.isArray(metadata.finalizers) ? [...(metadata.finalizers as string[])] : []
  const add = policy === 'Foreground' ? 'foregroundDeletion' : policy === 'Orphan' ? 'orphan' : undefined
  if (add && !finalizers.includes(add)) finalizers.push(add)
  const grace = definition.deletion?.gracePeriodSeconds?.(current, options.gracePeriodSeconds) ?? 0
  const finalizing = definition.deletion?.finalizing?.(current) ?? false
  if (finalizers.length === 0 && grace === 0 && !finalizing) return { op: 'delete', object: current }

  const object = clone(current)
  const meta = object.metadata as JsonObject
  meta.deletionTimestamp = timestamp(new Date(env.now().getTime() + grace * 1000))
  meta.deletionGracePeriodSeconds = grace
  if (finalizers.length > 0) meta.finalizers = finalizers
  if (typeof meta.generation === 'number' && meta.generation > 0) meta.generation += 1
  definition.deletion?.markDeleting?.(object)
  return { op: 'put', type: 'DeletionRequested', object }
}

/**
 * A delete of an object already being deleted: a shorter grace period takes effect (0 removes it,
 * once no finalizers remain, as a kubelet does when its containers have stopped); anything else
 * changes nothing.
 */
function deleteAgain(current: JsonObject, options: DeleteOptions, env: Environment): Decision {
  const metadata = metadataOf(current)
  const grace = options.gracePeriodSeconds
  const remaining = typeof metadata.deletionGracePeriodSeconds === 'number' ? metadata.deletionGracePeriodSeconds : 0
  if (grace === undefined || grace >= remaining) return { op: 'none', object: current }
  const finalizers = Array.isArray(metadata.finalizers) ? metadata.finalizers : []
  if (grace <= 0 && finalizers.length === 0) return { op: 'delete', object: current }
  const object = clone(current)
  const meta = object.metadata as JsonObject
  meta.deletionTimestamp = timestamp(new Date(env.now().getTime() + Math.max(0, grace) * 1000))
  meta.deletionGracePeriodSeconds = Math.max(0, grace)
  return { op: 'put', type: 'DeletionRequested', object }
}

/** DeleteOptions.preconditions: Conflict with the storage error Kubernetes reports. */
export function checkPreconditions(definition: KindDefinition, current: JsonObject, preconditions: DeleteOptions['preconditions']): void {
  if (!preconditions) return
  const metadata = metadataOf(current)
  const key = `/registry/${definition.group ? `${definition.group}/` : ''}${definition.resource}/${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name}`
  const fail = (what: string, wanted: unknown, actual: unknown) =>
    errors.conflict(
      resourceOf(definition),
      String(metadata.name),
      `StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: ${what} in precondition: ${String(wanted)}, ${what} in object meta: ${String(actual)}`,
    )
  if (preconditions.uid !== undefined && preconditions.uid !== metadata.uid) throw fail('UID', preconditions.uid, metadata.uid)
  if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== metadata.resourceVersion) {
    throw fail('ResourceVersion', preconditions.resourceVersion, metadata.resourceVersion)
  }
}

/** A stale resourceVersion in a write is a Conflict with Kubernetes' message. */
export function conflict(definition: KindDefinition, name: string): StatusError {
  return errors.conflict(resourceOf(definition), name, OPTIMISTIC_LOCK_MESSAGE)
}

/** The object to write, turned into a deletion if its last finalizer went, or nothing if nothing changed. */
function settle(definition: KindDefinition, object: JsonObject, current: JsonObject, type: 'Updated' | 'StatusUpdated'): Decision {
  const metadata = metadataOf(object)
  const finalizers = Array.isArray(metadata.finalizers) ? metadata.finalizers : []
  // Kubernetes' ShouldDeleteDuringUpdate: the last finalizer gone ends a deletion, unless a grace
  // period is still running (a pod whose kubelet has not stopped it yet keeps taking status).
  const grace = metadata.deletionGracePeriodSeconds
  const graceRunning = typeof grace === 'number' && grace > 0
  if (metadata.deletionTimestamp !== undefined && finalizers.length === 0 && !graceRunning && !definition.deletion?.finalizing?.(object)) {
    return { op: 'delete', object }
  }
  const comparable = (o: JsonObject) => ({ ...o, metadata: { ...metadataOf(o), resourceVersion: undefined } })
  if (deepEqual(comparable(object), comparable(current))) return { op: 'none', object: current }
  return { op: 'put', type, object }
}

function bumpGeneration(definition: KindDefinition, object: JsonObject, current: JsonObject): void {
  const metadata = object.metadata as JsonObject
  if (typeof metadata.generation !== 'number') return
  const changed =
    !deepEqual(object.spec, current.spec) ||
    (definition.generationCountsAnnotations === true && !deepEqual(metadata.annotations, metadataOf(current).annotations))
  if (changed) metadata.generation += 1
}

function check(definition: KindDefinition, object: JsonObject, ...lists: FieldError[][]): void {
  const all = lists.flat()
  if (all.length > 0) throw invalid(definition.kind, definition.group, String(metadataOf(object).name ?? ''), all)
}
