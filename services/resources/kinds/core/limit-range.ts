import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, isObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { validateQuantity } from '../../validation/quantity.js'

const TYPES = ['Pod', 'Container', 'PersistentVolumeClaim']

export const limitRange: KindDefinition = {
  kind: 'LimitRange',
  group: '',
  versions: ['v1'],
  resource: 'limitranges',
  shortNames: ['limits'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  validate: (o) => {
    const errors: FieldError[] = []
    arrayAt(o.spec, 'limits').forEach((limit, i) => {
      const at = `spec.limits[${i}]`
      if (!isObject(limit)) return errors.push(fieldError.invalid(at, limit, 'must be an object'))
      if (!TYPES.includes(limit.type as string)) errors.push(fieldError.notSupported(`${at}.type`, limit.type, TYPES))
      for (const field of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) {
        const values = limit[field]
        if (isObject(values)) {
          for (const [name, value] of Object.entries(values)) errors.push(...validateQuantity(value, `${at}.${field}[${name}]`, { nonNegative: true }))
        }
      }
    })
    return errors
  },
}
