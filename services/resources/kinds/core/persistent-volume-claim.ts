import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, child, objectAt } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { validateName } from '../../validation/names.js'
import { defaultZero } from '../zero-value.js'
import { validateAccessModes, validatePositiveQuantity } from './persistent-volume.js'
import { conditions } from '../merge-keys.js'

export const persistentVolumeClaim: KindDefinition = {
  kind: 'PersistentVolumeClaim',
  group: '',
  versions: ['v1'],
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
}
