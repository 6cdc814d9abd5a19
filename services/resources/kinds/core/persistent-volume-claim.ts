import { fieldError } from '../../field-errors.js'
import { arrayAt, child, defaultTo, objectAt } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { validateQuantity } from '../../validation/quantity.js'
import { validateAccessModes } from './persistent-volume.js'

export const persistentVolumeClaim: KindDefinition = {
  kind: 'PersistentVolumeClaim',
  group: '',
  versions: ['v1'],
  resource: 'persistentvolumeclaims',
  shortNames: ['pvc'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  defaults: (o) => defaultTo(child(o, 'spec'), 'volumeMode', 'Filesystem'),
  initialStatus: () => ({ phase: 'Pending' }),
  validate: (o) => {
    const spec = objectAt(o, 'spec') ?? {}
    const storage = objectAt(objectAt(spec, 'resources'), 'requests')?.storage
    return [
      ...validateAccessModes(arrayAt(spec, 'accessModes'), 'spec.accessModes'),
      ...(storage === undefined
        ? [fieldError.required('spec.resources[storage]')]
        : validateQuantity(storage, 'spec.resources[storage]', { nonNegative: true })),
    ]
  },
}
