import type { ConfigMap as ConfigMapType } from 'kubernetes-types/core/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { deepEqual, isObject, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { byteLength } from '../../validation/byte-length.js'
import { maxLenError, regexError } from '../../validation/messages.js'
import { decodedLength } from './base64.js'
import { AGE, NAME, obj } from '../../printing/columns.js'
import { viewAndEdit } from '../roles.js'

/** ConfigMaps and Secrets hold at most 1 MiB of data (`MaxSecretSize`). */
export const MAX_DATA_BYTES = 1024 * 1024
const KEY_FORMAT = '[-._a-zA-Z0-9]+'
const KEY = new RegExp(`^${KEY_FORMAT}$`)
const KEY_MAX_LENGTH = 253

/** `IsConfigMapKey`: the detail messages for a data key, `[]` when valid. */
export function configMapKey(key: string): string[] {
  const errors: string[] = []
  if (byteLength(key) > KEY_MAX_LENGTH) errors.push(maxLenError(KEY_MAX_LENGTH))
  if (!KEY.test(key)) {
    errors.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        KEY_FORMAT,
        'key.name',
        'KEY_NAME',
        'key-name',
      ),
    )
  }
  if (key === '.') errors.push("must not be '.'")
  else if (key === '..') errors.push("must not be '..'")
  else if (key.startsWith('..')) errors.push("must not start with '..'")
  return errors
}

/** The keys of a data map, each reported at `<field>[<key>]`. */
export function validateDataKeys(data: JsonObject, field: string): FieldError[] {
  return Object.keys(data).flatMap((key) => configMapKey(key).map((message) => fieldError.invalid(`${field}[${key}]`, key, message)))
}

declare module '../../kind-types.js' {
  interface KindTypes {
    ConfigMap: ConfigMapType
  }
}

export const configMap: KindDefinition = {
  kind: 'ConfigMap',
  group: '',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.core.v1.ConfigMap' },
  resource: 'configmaps',
  shortNames: ['cm'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  // `ValidateConfigMap`: keys, no key in both maps, and at most 1 MiB of values (reported for the whole object).
  validate: (o) => {
    const data = isObject(o.data) ? o.data : {}
    const binaryData = isObject(o.binaryData) ? o.binaryData : {}
    const errors: FieldError[] = []
    let size = 0
    for (const [key, value] of Object.entries(data)) {
      errors.push(...validateDataKeys({ [key]: value }, 'data'))
      if (key in binaryData) errors.push(fieldError.invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'))
      size += typeof value === 'string' ? byteLength(value) : 0
    }
    errors.push(...validateDataKeys(binaryData, 'binaryData'))
    for (const value of Object.values(binaryData)) size += typeof value === 'string' ? decodedLength(value) : 0
    if (size > MAX_DATA_BYTES) errors.push(fieldError.tooLong('', MAX_DATA_BYTES))
    return errors
  },
  validateUpdate: (o, old) => {
    if (old.immutable !== true) return []
    const errors: FieldError[] = []
    if (o.immutable !== true) errors.push(fieldError.forbidden('immutable', 'field is immutable when `immutable` is set'))
    if (!deepEqual(o.data ?? {}, old.data ?? {})) errors.push(fieldError.forbidden('data', 'field is immutable when `immutable` is set'))
    if (!deepEqual(o.binaryData ?? {}, old.binaryData ?? {}))
      errors.push(fieldError.forbidden('binaryData', 'field is immutable when `immutable` is set'))
    return errors
  },
  printerColumns: [
    NAME,
    {
      name: 'Data',
      type: 'integer',
      description: 'The number of keys in data and binaryData.',
      priority: 0,
      cell: (o) => Object.keys(obj(o.data)).length + Object.keys(obj(o.binaryData)).length,
    },
    AGE,
  ],
  roles: viewAndEdit(),
}
