import type { LimitRange as LimitRangeType } from 'kubernetes-types/core/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, isObject, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { qualifiedName } from '../../validation/names.js'
import { compareQuantities, parseQuantity, quantityString, validateQuantity } from '../../validation/quantity.js'
import { CREATED_AT, NAME } from '../../printing/columns.js'
import { viewable } from '../roles.js'

const TYPES = ['Pod', 'Container', 'PersistentVolumeClaim']
const BOUNDS = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const

declare module '../../kind-types.js' {
  interface KindTypes {
    LimitRange: LimitRangeType
  }
}

export const limitRange: KindDefinition = {
  kind: 'LimitRange',
  group: '',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.core.v1.LimitRange' },
  resource: 'limitranges',
  shortNames: ['limits'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  // SetDefaults_LimitRangeItem: for containers, the default limit comes from max, the default request from the default limit or min.
  defaults: (o) => {
    for (const limit of arrayAt(o.spec, 'limits')) {
      if (!isObject(limit) || limit.type !== 'Container') continue
      const max = objectAt(limit, 'max') ?? {}
      const min = objectAt(limit, 'min') ?? {}
      const defaults: JsonObject = { ...max, ...objectAt(limit, 'default') }
      const requests: JsonObject = { ...min, ...defaults, ...objectAt(limit, 'defaultRequest') }
      if (Object.keys(defaults).length > 0) limit.default = defaults
      if (Object.keys(requests).length > 0) limit.defaultRequest = requests
    }
  },
  validate: (o) => arrayAt(o.spec, 'limits').flatMap((limit, i) => validateLimit(limit, `spec.limits[${i}]`)),
  printerColumns: [NAME, CREATED_AT],
  roles: [viewable()],
}

/** One `LimitRangeItem` as `ValidateLimitRange` checks it. */
function validateLimit(limit: unknown, at: string): FieldError[] {
  if (!isObject(limit)) return [fieldError.invalid(at, limit, 'must be an object')]
  const errors: FieldError[] = []
  const type = typeof limit.type === 'string' ? limit.type : ''
  const typeErrors = qualifiedName(type).map((message) => fieldError.invalid(`${at}.type`, type, message))
  errors.push(...typeErrors)
  if (typeErrors.length === 0 && !type.includes('/') && !TYPES.includes(type)) {
    errors.push(fieldError.invalid(`${at}.type`, type, 'must be a standard limit type or fully qualified'))
  }
  if (type === 'Pod') {
    for (const field of ['default', 'defaultRequest'] as const) {
      if (Object.keys(objectAt(limit, field) ?? {}).length > 0)
        errors.push(fieldError.forbidden(`${at}.${field}`, "may not be specified when `type` is 'Pod'"))
    }
  }
  for (const field of BOUNDS) {
    for (const [name, value] of Object.entries(objectAt(limit, field) ?? {})) {
      errors.push(...validateQuantity(value, `${at}.${field}[${name}]`, { nonNegative: true }))
    }
  }
  if (type === 'PersistentVolumeClaim' && objectAt(limit, 'min')?.storage === undefined && objectAt(limit, 'max')?.storage === undefined) {
    errors.push(fieldError.required(`${at}.limits`, 'either minimum or maximum storage value is required, but neither was provided'))
  }
  for (const [name, minValue] of Object.entries(objectAt(limit, 'min') ?? {})) {
    const min = parseQuantity(String(minValue))
    const max = parseQuantity(String(objectAt(limit, 'max')?.[name] ?? ''))
    if (min && max && compareQuantities(min, max) > 0) {
      errors.push(
        fieldError.invalid(
          `${at}.min[${name}]`,
          quantityString(min),
          `min value ${quantityString(min)} is greater than max value ${quantityString(max)}`,
        ),
      )
    }
  }
  return errors
}
