import { expect } from 'vitest'
import type { Environment } from '../../../services/api/context.js'
import { decideCreate, decideUpdate } from '../../../services/api/decide.js'
import { StatusError } from '../../../services/errors.js'
import { formatFieldError } from '../../../services/resources/field-errors.js'
import { clone, type JsonObject } from '../../../services/json.js'
import { registry } from '../../../services/resources/registry.js'

/**
 * Calls the pure create and update decisions for manifests the way the API does, with a fixed
 * clock, uid and name suffix, so tests can state the object Kubernetes would store, or its errors.
 */

export const UID = '00000000-0000-4000-8000-000000000001'
export const NOW = '2026-11-26T10:00:00Z'

export const env: Environment = {
  now: () => new Date(NOW),
  newUid: () => UID,
  randomSuffix: () => 'abcde',
}

const definitionOf = (manifest: JsonObject) => registry.forManifest(manifest.apiVersion, manifest.kind)

/** The object a create of `manifest` stores (in namespace `default` for namespaced kinds). */
export function create(manifest: JsonObject): JsonObject {
  const definition = definitionOf(manifest)
  return decideCreate(definition, manifest, definition.namespaced ? 'default' : '', env)
}

/** The Invalid error a create of `manifest` fails with. */
export function rejection(manifest: JsonObject): StatusError {
  try {
    create(manifest)
  } catch (error) {
    if (error instanceof StatusError) return error
    throw error
  }
  throw new Error(`expected ${String(manifest.kind)} to be rejected`)
}

/** The field errors of a rejected create, each as Kubernetes prints it: `<path>: <Type>: <value>: <detail>`. */
export function createErrors(manifest: JsonObject): string[] {
  const error = rejection(manifest)
  expect(error.reason).toBe('Invalid')
  return (error.details.causes ?? []).map((cause) =>
    formatFieldError({ type: cause.reason as never, field: cause.field ?? '', body: cause.message }),
  )
}

/** Creates `manifest`, then updates the stored object as `change` edits it; the object written. */
export function update(manifest: JsonObject, change: (object: JsonObject) => void): JsonObject {
  const current = create(manifest)
  const next = clone(current)
  change(next)
  const decision = decideUpdate(definitionOf(manifest), next, current)
  return decision.object
}

/** The field errors of an update made as in {@link update}. */
export function updateErrors(manifest: JsonObject, change: (object: JsonObject) => void): string[] {
  try {
    update(manifest, change)
  } catch (error) {
    if (error instanceof StatusError) return (error.details.causes ?? []).map((c) => `${c.field}: ${c.message}`)
    throw error
  }
  throw new Error(`expected the update of ${String(manifest.kind)} to be rejected`)
}

/** A deep copy of `manifest` with `edit` applied: the table rows' way to state one change. */
export function edited(manifest: JsonObject, edit: (object: JsonObject) => void): JsonObject {
  const copy = clone(manifest)
  edit(copy)
  return copy
}

/** A dotted-path getter for terse edits: `at(o, 'spec.template.spec')`. */
export function at(object: JsonObject, path: string): JsonObject {
  return path.split('.').reduce<JsonObject>((node, key) => node[key] as JsonObject, object)
}

// Messages Kubernetes builds from regexes (note the two spaces before each `or`).
export const DNS1123_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
export const DNS1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
export const DNS1035_LABEL =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
export const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
export const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
export const QUANTITY = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
export const PERCENT =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
