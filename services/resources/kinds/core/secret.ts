import type { Secret as SecretType } from 'kubernetes-types/core/v1.js'
import { LAST_APPLIED } from '../../annotations.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { deepEqual, isObject, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { defaultZero } from '../zero-value.js'
import { base64ErrorOffset, decodedLength } from './base64.js'
import { MAX_DATA_BYTES, validateDataKeys } from './config-map.js'
import { AGE, NAME, obj, str } from '../../printing/columns.js'
import { editable, READ } from '../roles.js'

declare module '../../kind-types.js' {
  interface KindTypes {
    Secret: SecretType
  }
}

export const secret: KindDefinition = {
  kind: 'Secret',
  group: '',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.core.v1.Secret' },
  resource: 'secrets',
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  selectableFields: (o) => ({ type: String(o.type ?? '') }),
  // Client-side apply copies the data, in plain text, into the last-applied annotation.
  sensitiveFields: [['data'], ['stringData'], ['metadata', 'annotations', LAST_APPLIED]],
  defaults: (o) => {
    defaultZero(o, 'type', 'Opaque')
    // stringData is write-only: it is folded into data, base64-encoded (overriding data), and dropped.
    if (isObject(o.stringData)) {
      const data: JsonObject = isObject(o.data) ? { ...o.data } : {}
      for (const [key, value] of Object.entries(o.stringData)) {
        if (typeof value === 'string') data[key] = Buffer.from(value, 'utf8').toString('base64')
      }
      o.data = data
    }
    delete o.stringData
  },
  validate: (o) => {
    const data = isObject(o.data) ? o.data : {}
    const errors: FieldError[] = []
    let size = 0
    for (const [key, value] of Object.entries(data)) {
      errors.push(...validateDataKeys({ [key]: value }, 'data'))
      // Kubernetes rejects this while decoding (a 400); here it is reported with the key.
      const offset = typeof value === 'string' ? base64ErrorOffset(value) : 0
      if (offset !== undefined)
        errors.push(fieldError.invalid(`data[${key}]`, '<secret contents redacted>', `illegal base64 data at input byte ${offset}`))
      else size += decodedLength(value as string)
    }
    if (size > MAX_DATA_BYTES) errors.push(fieldError.tooLong('data', MAX_DATA_BYTES))
    errors.push(...validateType(o, data))
    return errors
  },
  // `ValidateSecretUpdate`.
  validateUpdate: (o, old) => {
    const errors: FieldError[] = []
    if (o.type !== old.type) errors.push(fieldError.invalid('type', o.type ?? '', 'field is immutable'))
    if (old.immutable === true) {
      if (o.immutable !== true) errors.push(fieldError.forbidden('immutable', 'field is immutable when `immutable` is set'))
      if (!deepEqual(o.data ?? {}, old.data ?? {})) errors.push(fieldError.forbidden('data', 'field is immutable when `immutable` is set'))
    }
    return errors
  },
  printerColumns: [
    NAME,
    { name: 'Type', type: 'string', description: 'The type of the secret.', priority: 0, cell: (o) => str(o.type, 'Opaque') },
    {
      name: 'Data',
      type: 'integer',
      description: 'The number of keys in data.',
      priority: 0,
      cell: (o) => Object.keys(obj(o.data)).length + Object.keys(obj(o.stringData)).length,
    },
    AGE,
  ],
  roles: [
    // Not in view: reading a Secret is as good as holding what it guards.
    { role: 'edit', verbs: READ },
    editable(),
  ],
}

/** The keys each built-in Secret type needs (`ValidateSecret`'s switch on the type). */
function validateType(o: JsonObject, data: JsonObject): FieldError[] {
  const has = (key: string) => key in data
  switch (o.type) {
    case 'kubernetes.io/service-account-token': {
      const name = objectAt(objectAt(o, 'metadata'), 'annotations')?.['kubernetes.io/service-account.name']
      return typeof name === 'string' && name !== ''
        ? []
        : [fieldError.required('metadata.annotations[kubernetes.io/service-account.name]')]
    }
    case 'kubernetes.io/dockercfg':
      return jsonKey(data, '.dockercfg')
    case 'kubernetes.io/dockerconfigjson':
      return jsonKey(data, '.dockerconfigjson')
    case 'kubernetes.io/basic-auth':
      return has('username') || has('password') ? [] : [fieldError.required('data[username]'), fieldError.required('data[password]')]
    case 'kubernetes.io/ssh-auth':
      return typeof data['ssh-privatekey'] === 'string' && data['ssh-privatekey'] !== ''
        ? []
        : [fieldError.required('data[ssh-privatekey]')]
    case 'kubernetes.io/tls':
      return ['tls.crt', 'tls.key'].filter((key) => !has(key)).map((key) => fieldError.required(`data[${key}]`))
    default:
      return []
  }
}

/** A docker config key: present and holding JSON. */
function jsonKey(data: JsonObject, key: string): FieldError[] {
  const value = data[key]
  if (typeof value !== 'string') return [fieldError.required(`data[${key}]`)]
  try {
    JSON.parse(Buffer.from(value, 'base64').toString('utf8'))
    return []
  } catch (error) {
    return [fieldError.invalid(`data[${key}]`, '<secret contents redacted>', (error as Error).message)]
  }
}
