import type { StorageClass as StorageClassType } from 'kubernetes-types/storage/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { deepEqual, defaultTo, isObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { qualifiedName } from '../../validation/names.js'
import { AGE, NAME, str } from '../../printing/columns.js'

/** Supported values as upstream lists them: sorted. */
const RECLAIM = ['Delete', 'Retain']
const BINDING = ['Immediate', 'WaitForFirstConsumer']

declare module '../../kind-types.js' {
  interface KindTypes {
    StorageClass: StorageClassType
  }
}

export const storageClass: KindDefinition = {
  kind: 'StorageClass',
  group: 'storage.k8s.io',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.storage.v1.StorageClass' },
  resource: 'storageclasses',
  shortNames: ['sc'],
  namespaced: false,
  nameRule: 'dns1123-subdomain',
  defaults: (o) => {
    defaultTo(o, 'reclaimPolicy', 'Delete')
    defaultTo(o, 'volumeBindingMode', 'Immediate')
  },
  // `ValidateStorageClass`: the provisioner is a qualified name (checked lower-cased).
  validate: (o) => {
    const errors: FieldError[] = []
    const provisioner = typeof o.provisioner === 'string' ? o.provisioner : ''
    if (provisioner === '') errors.push(fieldError.required('provisioner'))
    else errors.push(...qualifiedName(provisioner.toLowerCase()).map((message) => fieldError.invalid('provisioner', provisioner, message)))
    if (o.reclaimPolicy !== '' && !RECLAIM.includes(o.reclaimPolicy as string))
      errors.push(fieldError.notSupported('reclaimPolicy', o.reclaimPolicy, RECLAIM))
    if (!BINDING.includes(o.volumeBindingMode as string))
      errors.push(fieldError.notSupported('volumeBindingMode', o.volumeBindingMode, BINDING))
    return errors
  },
  // `ValidateStorageClassUpdate`: what a class provisions never changes.
  validateUpdate: (o, old) => {
    const errors: FieldError[] = []
    const parameters = (x: unknown) => (isObject(x) && Object.keys(x).length > 0 ? x : undefined)
    if (!deepEqual(parameters(o.parameters), parameters(old.parameters)))
      errors.push(fieldError.forbidden('parameters', 'updates to parameters are forbidden.'))
    if (o.provisioner !== old.provisioner) errors.push(fieldError.forbidden('provisioner', 'updates to provisioner are forbidden.'))
    if (o.reclaimPolicy !== old.reclaimPolicy) errors.push(fieldError.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'))
    if (o.volumeBindingMode !== old.volumeBindingMode)
      errors.push(fieldError.invalid('volumeBindingMode', o.volumeBindingMode ?? null, 'field is immutable'))
    return errors
  },
  printerColumns: [
    NAME,
    {
      name: 'Provisioner',
      type: 'string',
      description: 'The volume plugin that provisions its volumes.',
      priority: 0,
      cell: (o) => str(o.provisioner),
    },
    {
      name: 'ReclaimPolicy',
      type: 'string',
      description: 'What happens to its volumes when their claims go.',
      priority: 0,
      cell: (o) => str(o.reclaimPolicy, 'Delete'),
    },
    {
      name: 'VolumeBindingMode',
      type: 'string',
      description: 'When its volumes are bound: Immediate or WaitForFirstConsumer.',
      priority: 0,
      cell: (o) => str(o.volumeBindingMode, 'Immediate'),
    },
    {
      name: 'AllowVolumeExpansion',
      type: 'string',
      description: 'Whether its volumes may grow.',
      priority: 0,
      cell: (o) => (o.allowVolumeExpansion ? 'true' : 'false'),
    },
    AGE,
  ],
}
