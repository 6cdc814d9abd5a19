import { fieldError } from '../../field-errors.js'
import { defaultTo } from '../../json.js'
import type { KindDefinition } from '../../kind.js'

const RECLAIM = ['Delete', 'Retain']
const BINDING = ['Immediate', 'WaitForFirstConsumer']

export const storageClass: KindDefinition = {
  kind: 'StorageClass',
  group: 'storage.k8s.io',
  versions: ['v1'],
  resource: 'storageclasses',
  shortNames: ['sc'],
  namespaced: false,
  nameRule: 'dns1123-subdomain',
  defaults: (o) => {
    defaultTo(o, 'reclaimPolicy', 'Delete')
    defaultTo(o, 'volumeBindingMode', 'Immediate')
  },
  validate: (o) => [
    ...(typeof o.provisioner !== 'string' || o.provisioner === '' ? [fieldError.required('provisioner')] : []),
    ...(RECLAIM.includes(o.reclaimPolicy as string) ? [] : [fieldError.notSupported('reclaimPolicy', o.reclaimPolicy, RECLAIM)]),
    ...(BINDING.includes(o.volumeBindingMode as string) ? [] : [fieldError.notSupported('volumeBindingMode', o.volumeBindingMode, BINDING)]),
  ],
  validateUpdate: (o, old) => (o.provisioner === old.provisioner ? [] : [fieldError.invalid('provisioner', o.provisioner, 'field is immutable')]),
}
