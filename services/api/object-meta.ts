import { fieldError, type FieldError } from '../resources/field-errors.js'
import { deepEqual, isObject, objectAt, type JsonObject } from '../json.js'
import type { KindDefinition } from '../resources/kind.js'
import { validateAnnotations, validateLabels } from '../resources/validation/labels.js'
import { validateFinalizers, validateOwnerReferences } from '../resources/validation/metadata.js'
import { validateName } from '../resources/validation/names.js'
import { timestamp, type Environment } from './context.js'

/** Generic ObjectMeta rules shared by every kind (apimachinery `api/validation/objectmeta.go`). */

export { metadataOf } from '../resources/objects.js'

/**
 * The metadata of an object being created: its name (from generateName if needed), uid,
 * creationTimestamp and generation; whatever the client sent for server-owned fields is dropped.
 */
export function createMetadata(definition: KindDefinition, metadata: JsonObject, namespace: string, env: Environment): JsonObject {
  const out: JsonObject = { ...metadata }
  for (const serverOwned of [
    'resourceVersion',
    'uid',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'selfLink',
    'managedFields',
  ]) {
    delete out[serverOwned]
  }
  if ((out.name === undefined || out.name === '') && typeof out.generateName === 'string' && out.generateName !== '') {
    out.name = `${out.generateName.slice(0, 58)}${env.randomSuffix()}`
  }
  if (definition.namespaced) out.namespace = namespace
  else delete out.namespace
  out.uid = env.newUid()
  out.creationTimestamp = timestamp(env.now())
  if (definition.status) out.generation = 1
  else delete out.generation
  return out
}

/** Validates metadata on create and update. */
export function validateMetadata(definition: KindDefinition, object: JsonObject): FieldError[] {
  const metadata = object.metadata
  if (!isObject(metadata)) return [fieldError.required('metadata')]
  const errors: FieldError[] = []
  const name = metadata.name
  if (typeof name !== 'string' || name === '') {
    errors.push(fieldError.required('metadata.name', 'name or generateName is required'))
  } else {
    errors.push(...validateName(definition.nameRule, name, 'metadata.name'))
  }
  if (typeof metadata.generateName === 'string' && metadata.generateName !== '') {
    errors.push(...validateName(definition.nameRule, metadata.generateName, 'metadata.generateName', { prefix: true }))
  }
  if (definition.namespaced) {
    if (typeof metadata.namespace !== 'string' || metadata.namespace === '') errors.push(fieldError.required('metadata.namespace'))
    else errors.push(...validateName('dns1123-label', metadata.namespace, 'metadata.namespace'))
  } else if (metadata.namespace !== undefined && metadata.namespace !== '') {
    errors.push(fieldError.forbidden('metadata.namespace', 'not allowed on this type'))
  }
  if (metadata.labels !== undefined) errors.push(...validateLabels(metadata.labels, 'metadata.labels'))
  if (metadata.annotations !== undefined) errors.push(...validateAnnotations(metadata.annotations, 'metadata.annotations'))
  if (metadata.finalizers !== undefined) errors.push(...validateFinalizers(metadata.finalizers, 'metadata.finalizers'))
  if (metadata.ownerReferences !== undefined) errors.push(...validateOwnerReferences(metadata.ownerReferences, 'metadata.ownerReferences'))
  const generation = metadata.generation
  if (generation !== undefined && (typeof generation !== 'number' || generation < 0)) {
    errors.push(fieldError.invalid('metadata.generation', generation, 'must be greater than or equal to 0'))
  }
  return errors
}

/** What an update may not change in metadata, and no new finalizers once deletion has begun. */
export function validateMetadataUpdate(metadata: JsonObject, old: JsonObject): FieldError[] {
  const errors: FieldError[] = []
  for (const field of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    if (metadata[field] !== undefined && !deepEqual(metadata[field], old[field])) {
      errors.push(fieldError.invalid(`metadata.${field}`, metadata[field], 'field is immutable'))
    }
  }
  if (old.deletionTimestamp !== undefined) {
    const before = new Set(Array.isArray(old.finalizers) ? old.finalizers : [])
    const added = (Array.isArray(metadata.finalizers) ? metadata.finalizers : []).filter((f) => !before.has(f))
    if (added.length > 0) {
      errors.push(
        fieldError.forbidden(
          'metadata.finalizers',
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
        ),
      )
    }
  }
  return errors
}

/** The server-owned metadata of an update comes from the stored object. */
export function carryMetadata(metadata: JsonObject, old: JsonObject): JsonObject {
  const out: JsonObject = { ...metadata }
  for (const field of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'managedFields']) {
    if (old[field] === undefined) delete out[field]
    else out[field] = old[field]
  }
  delete out.resourceVersion
  return out
}
