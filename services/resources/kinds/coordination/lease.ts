import type { Lease as LeaseType } from 'kubernetes-types/coordination/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { objectAt } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { AGE, NAME, spec, str } from '../../printing/columns.js'

declare module '../../kind-types.js' {
  interface KindTypes {
    Lease: LeaseType
  }
}

export const lease: KindDefinition = {
  kind: 'Lease',
  group: 'coordination.k8s.io',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.coordination.v1.Lease' },
  resource: 'leases',
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  // `ValidateLeaseSpec`.
  validate: (o) => {
    const spec = objectAt(o, 'spec') ?? {}
    const errors: FieldError[] = []
    const seconds = spec.leaseDurationSeconds
    if (seconds !== undefined && seconds !== null && (typeof seconds !== 'number' || seconds <= 0)) {
      errors.push(fieldError.invalid('spec.leaseDurationSeconds', seconds, 'must be greater than 0'))
    }
    const transitions = spec.leaseTransitions
    if (typeof transitions === 'number' && transitions < 0) {
      errors.push(fieldError.invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'))
    }
    return errors
  },
  printerColumns: [
    NAME,
    { name: 'Holder', type: 'string', description: 'Who holds the lease.', priority: 0, cell: (o) => str(spec(o).holderIdentity, '') },
    AGE,
  ],
}
