import type { ResourceQuota as ResourceQuotaType } from 'kubernetes-types/core/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { qualifiedName } from '../../validation/names.js'
import { validateQuantity } from '../../validation/quantity.js'
import { AGE, NAME, obj, status, str } from '../../printing/columns.js'
import { viewable } from '../roles.js'

/** Quota resources that need no domain (`helper.IsStandardQuotaResourceName`). */
const QUOTA_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'requests.storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
])

declare module '../../kind-types.js' {
  interface KindTypes {
    ResourceQuota: ResourceQuotaType
  }
}

export const resourceQuota: KindDefinition = {
  kind: 'ResourceQuota',
  group: '',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.core.v1.ResourceQuota' },
  resource: 'resourcequotas',
  shortNames: ['quota'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  // `ValidateResourceQuotaSpec`: resource names quota knows (or qualified ones), non-negative amounts.
  validate: (o) => {
    const errors: FieldError[] = []
    for (const [name, value] of Object.entries(objectAt(objectAt(o, 'spec'), 'hard') ?? {})) {
      const path = `spec.hard[${name}]`
      const nameErrors = qualifiedName(name).map((message) => fieldError.invalid(path, name, message))
      errors.push(...nameErrors)
      const standard =
        QUOTA_RESOURCES.has(name) || name.startsWith('count/') || name.startsWith('hugepages-') || name.startsWith('requests.hugepages-')
      if (nameErrors.length === 0 && !name.includes('/') && !standard)
        errors.push(fieldError.invalid(path, name, 'must be a standard resource for quota'))
      errors.push(...validateQuantity(value, path, { nonNegative: true }))
    }
    return errors
  },
  printerColumns: [
    NAME,
    AGE,
    {
      name: 'Request',
      type: 'string',
      description: 'Used and hard limits of everything but limits.*.',
      priority: 0,
      cell: (o) => quotaUsage(o, (k) => !k.startsWith('limits.')),
    },
    {
      name: 'Limit',
      type: 'string',
      description: 'Used and hard limits of limits.*.',
      priority: 0,
      cell: (o) => quotaUsage(o, (k) => k.startsWith('limits.')),
    },
  ],
  roles: [viewable('status')],
}

function quotaUsage(o: JsonObject, keep: (key: string) => boolean): string {
  const hard = obj(status(o).hard)
  const used = obj(status(o).used)
  return Object.keys(hard)
    .filter(keep)
    .sort()
    .map((k) => `${k}: ${str(used[k], '0')}/${String(hard[k])}`)
    .join(', ')
}
