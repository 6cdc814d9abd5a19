import { fieldError, type FieldError } from '../../field-errors.js'
import { isObject, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'

const KEY = /^[-._a-zA-Z0-9]+$/
export const MAX_DATA_BYTES = 1024 * 1024

/** ConfigMap and Secret data keys, and their total size. */
export function validateDataKeys(object: JsonObject, fields: readonly string[]): FieldError[] {
  const errors: FieldError[] = []
  let total = 0
  for (const field of fields) {
    const data = object[field]
    if (data === undefined || data === null) continue
    if (!isObject(data)) {
      errors.push(fieldError.invalid(field, data, 'must be a map of strings'))
      continue
    }
    for (const [key, value] of Object.entries(data)) {
      if (key.length > 253 || !KEY.test(key)) {
        errors.push(
          fieldError.invalid(
            `${field}[${key}]`,
            key,
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
          ),
        )
      }
      if (typeof value !== 'string') errors.push(fieldError.invalid(`${field}[${key}]`, value, 'must be a string'))
      else total += key.length + value.length
    }
  }
  if (total > MAX_DATA_BYTES) errors.push(fieldError.tooLong(fields[0]!, MAX_DATA_BYTES))
  return errors
}

export const configMap: KindDefinition = {
  kind: 'ConfigMap',
  group: '',
  versions: ['v1'],
  resource: 'configmaps',
  shortNames: ['cm'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  validate: (o) => validateDataKeys(o, ['data', 'binaryData']),
  validateUpdate: (o, old) =>
    old.immutable === true && JSON.stringify([o.data, o.binaryData, o.immutable]) !== JSON.stringify([old.data, old.binaryData, old.immutable])
      ? [fieldError.forbidden('data', 'field is immutable when `immutable` is set')]
      : [],
}
