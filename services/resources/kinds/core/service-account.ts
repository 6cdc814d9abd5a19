import type { ServiceAccount as ServiceAccountType } from 'kubernetes-types/core/v1.js'
import type { KindDefinition } from '../../kind.js'
import { AGE, arr, NAME } from '../../printing/columns.js'
import { viewAndEdit } from '../roles.js'

declare module '../../kind-types.js' {
  interface KindTypes {
    ServiceAccount: ServiceAccountType
  }
}

export const serviceAccount: KindDefinition = {
  kind: 'ServiceAccount',
  group: '',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.core.v1.ServiceAccount' },
  resource: 'serviceaccounts',
  shortNames: ['sa'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  printerColumns: [
    NAME,
    {
      name: 'Secrets',
      type: 'integer',
      description: 'The number of secrets listed in it.',
      priority: 0,
      cell: (o) => arr(o.secrets).length,
    },
    AGE,
  ],
  roles: [...viewAndEdit(), { role: 'edit', verbs: ['create'], subresources: ['token'] }, { role: 'edit', verbs: ['impersonate'] }],
}
