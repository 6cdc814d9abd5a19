import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, child, defaultTo, objectAt } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { validateQuantity } from '../../validation/quantity.js'

export const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']

export function validateAccessModes(modes: unknown[], path: string): FieldError[] {
  if (modes.length === 0) return [fieldError.required(path)]
  return modes.flatMap((mode, i) => (ACCESS_MODES.includes(mode as string) ? [] : [fieldError.notSupported(`${path}[${i}]`, mode, ACCESS_MODES)]))
}

export const persistentVolume: KindDefinition = {
  kind: 'PersistentVolume',
  group: '',
  versions: ['v1'],
  resource: 'persistentvolumes',
  shortNames: ['pv'],
  namespaced: false,
  nameRule: 'dns1123-subdomain',
  status: true,
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultTo(spec, 'persistentVolumeReclaimPolicy', 'Retain')
    defaultTo(spec, 'volumeMode', 'Filesystem')
  },
  initialStatus: () => ({ phase: 'Pending' }),
  validate: (o) => {
    const spec = objectAt(o, 'spec') ?? {}
    const storage = objectAt(spec, 'capacity')?.storage
    return [
      ...validateAccessModes(arrayAt(spec, 'accessModes'), 'spec.accessModes'),
      ...(storage === undefined ? [fieldError.required('spec.capacity')] : validateQuantity(storage, 'spec.capacity[storage]', { nonNegative: true })),
    ]
  },
}
