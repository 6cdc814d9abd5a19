import { fieldError, type FieldError } from '../../field-errors.js'
import { objectAt } from '../../json.js'
import type { KindDefinition } from '../../kind.js'

export const lease: KindDefinition = {
  kind: 'Lease',
  group: 'coordination.k8s.io',
  versions: ['v1'],
  resource: 'leases',
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  validate: (o) => {
    const seconds = objectAt(o, 'spec')?.leaseDurationSeconds
    const errors: FieldError[] = []
    if (seconds !== undefined && (typeof seconds !== 'number' || seconds <= 0)) {
      errors.push(fieldError.invalid('spec.leaseDurationSeconds', seconds, 'must be greater than 0'))
    }
    return errors
  },
}
