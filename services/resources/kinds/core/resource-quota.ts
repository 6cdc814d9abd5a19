import type { FieldError } from '../../field-errors.js'
import { objectAt } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { validateQuantity } from '../../validation/quantity.js'

export const resourceQuota: KindDefinition = {
  kind: 'ResourceQuota',
  group: '',
  versions: ['v1'],
  resource: 'resourcequotas',
  shortNames: ['quota'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  validate: (o) => {
    const errors: FieldError[] = []
    for (const [name, value] of Object.entries(objectAt(objectAt(o, 'spec'), 'hard') ?? {})) {
      errors.push(...validateQuantity(value, `spec.hard[${name}]`, { nonNegative: true }))
    }
    return errors
  },
}
