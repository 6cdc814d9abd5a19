import { fieldError } from '../../field-errors.js'
import { defaultTo, isObject, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { validateDataKeys } from './config-map.js'

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

export const secret: KindDefinition = {
  kind: 'Secret',
  group: '',
  versions: ['v1'],
  resource: 'secrets',
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  selectableFields: (o) => ({ type: String(o.type ?? '') }),
  defaults: (o) => {
    defaultTo(o, 'type', 'Opaque')
    // stringData is write-only: it is folded into data, base64-encoded, and dropped.
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
    const errors = validateDataKeys(o, ['data'])
    for (const [key, value] of Object.entries(isObject(o.data) ? o.data : {})) {
      if (typeof value === 'string' && !BASE64.test(value)) {
        errors.push(fieldError.invalid(`data[${key}]`, '<secret contents redacted>', 'illegal base64 data'))
      }
    }
    return errors
  },
  validateUpdate: (o, old) => [
    ...(o.type !== old.type ? [fieldError.invalid('type', o.type, 'field is immutable')] : []),
    ...(old.immutable === true && JSON.stringify(o.data) !== JSON.stringify(old.data)
      ? [fieldError.forbidden('data', 'field is immutable when `immutable` is set')]
      : []),
  ],
}
