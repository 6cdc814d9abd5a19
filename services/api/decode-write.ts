import { errors } from '../errors.js'
import type { JsonObject } from '../json.js'
import type { KindDefinition } from '../resources/kind.js'
import { decode, DecodeError, type FieldValidation } from '../resources/schema/decode.js'
import { shapeOf } from '../resources/schema/shapes.js'

/**
 * Decodes the object a write would store against its kind's schema, as kube-apiserver decodes a
 * request body into the kind's Go type before anything else looks at it: a wrong JSON type, an
 * integer out of its int32/int64 range, bad base64 or a bad time is a 400 BadRequest with
 * Kubernetes' message (`Deployment in version "v1" cannot be handled as a Deployment: json: cannot
 * unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool`). Unknown fields
 * follow `validation`: dropped (Ignore), dropped with a warning `unknown field "spec.replica"` each
 * (Warn), or refused (Strict: `strict decoding error: unknown field "spec.replica", …`).
 * Returns the object to go on with (`object` itself when nothing was dropped).
 */
export function decodeWrite(definition: KindDefinition, object: JsonObject, validation: FieldValidation, warnings?: string[]): JsonObject {
  const version = versionOf(definition, object.apiVersion)
  // Every served kind × version names a schema that exists (test/resources/schema/definitions.test.ts checks it).
  const name = definition.schema[version]
  if (!name) throw new Error(`no schema for ${definition.kind} ${definition.group}/${version}`)
  const shape = shapeOf(name)
  const cannotHandle = (why: string) =>
    errors.badRequest(`${definition.kind} in version "${version}" cannot be handled as a ${definition.kind}: ${why}`)
  let decoded
  try {
    decoded = decode(shape, object)
  } catch (error) {
    if (error instanceof DecodeError) throw cannotHandle(error.message)
    throw error
  }
  if (decoded.unknownFields.length === 0 || validation === 'Ignore') return decoded.object
  const messages = decoded.unknownFields.map((path) => `unknown field ${JSON.stringify(path)}`)
  if (validation === 'Strict') throw cannotHandle(`strict decoding error: ${messages.join(', ')}`)
  // A write retried on a conflict decodes again: warn once.
  for (const message of messages) if (warnings && !warnings.includes(message)) warnings.push(message)
  return decoded.object
}

/** The served version an object is written at: its apiVersion's, else the preferred one (a patch keeps the stored apiVersion). */
function versionOf(definition: KindDefinition, apiVersion: unknown): string {
  const version = typeof apiVersion === 'string' ? apiVersion.slice(apiVersion.indexOf('/') + 1) : ''
  return definition.versions.includes(version) ? version : definition.versions[0]!
}
