import type { PersistentVolumeClaim as PersistentVolumeClaimType } from 'kubernetes-types/core/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, child, objectAt } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { validateName } from '../../validation/names.js'
import { defaultZero } from '../zero-value.js'
import { validateAccessModes, validatePositiveQuantity } from './persistent-volume.js'
import { conditions } from '../merge-keys.js'
import { AGE, arr, NAME, obj, spec, status, str } from '../../printing/columns.js'
import type { JsonObject } from '../../../json.js'
import { viewAndEdit } from '../roles.js'

declare module '../../kind-types.js' {
  interface KindTypes {
    PersistentVolumeClaim: PersistentVolumeClaimType
  }
}

export const persistentVolumeClaim: KindDefinition = {
  kind: 'PersistentVolumeClaim',
  group: '',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.core.v1.PersistentVolumeClaim' },
  resource: 'persistentvolumeclaims',
  shortNames: ['pvc'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  defaults: (o) => defaultZero(child(o, 'spec'), 'volumeMode', 'Filesystem'),
  initialStatus: () => ({ phase: 'Pending' }),
  // `ValidatePersistentVolumeClaimSpec`; note upstream's path for the storage request, `spec.resources[storage]`.
  validate: (o) => {
    const spec = objectAt(o, 'spec') ?? {}
    const errors: FieldError[] = []
    const modes = arrayAt(spec, 'accessModes')
    if (modes.length === 0) errors.push(fieldError.required('spec.accessModes', 'at least 1 access mode is required'))
    errors.push(...validateAccessModes(modes, 'spec.accessModes'))
    const storage = objectAt(objectAt(spec, 'resources'), 'requests')?.storage
    if (storage === undefined) errors.push(fieldError.required('spec.resources[storage]'))
    else errors.push(...validatePositiveQuantity(storage, 'spec.resources[storage]'))
    if (typeof spec.storageClassName === 'string' && spec.storageClassName !== '') {
      errors.push(...validateName('dns1123-subdomain', spec.storageClassName, 'spec.storageClassName'))
    }
    return errors
  },
  mergeKeys: conditions,
  printerColumns: [
    NAME,
    { name: 'Status', type: 'string', description: 'Its phase.', priority: 0, cell: (o) => str(status(o).phase, '') },
    { name: 'Volume', type: 'string', description: 'The volume bound to it.', priority: 0, cell: (o) => str(spec(o).volumeName, '') },
    {
      name: 'Capacity',
      type: 'string',
      description: 'The storage capacity it has.',
      priority: 0,
      cell: (o) => str(obj(status(o).capacity).storage, ''),
    },
    {
      name: 'Access Modes',
      type: 'string',
      description: 'How its volume may be mounted: RWO, ROX, RWX, RWOP.',
      priority: 0,
      cell: (o) => accessModes(status(o).accessModes),
    },
    {
      name: 'StorageClass',
      type: 'string',
      description: 'Its storage class.',
      priority: 0,
      cell: (o) => str(spec(o).storageClassName, ''),
    },
    {
      name: 'VolumeAttributesClass',
      type: 'string',
      description: 'Its volume attributes class.',
      priority: 0,
      cell: (o) => str(spec(o).volumeAttributesClassName),
    },
    AGE,
  ],
  roles: viewAndEdit({ read: ['status'] }),
}

function accessModes(modes: unknown): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' }
  return arr(modes)
    .map((m) => short[String(m)] ?? String(m))
    .join(',')
}
