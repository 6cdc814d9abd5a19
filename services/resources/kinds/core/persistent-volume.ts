import type { PersistentVolume as PersistentVolumeType } from 'kubernetes-types/core/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, child, isObject, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { validateName } from '../../validation/names.js'
import { parseQuantity, validateQuantity } from '../../validation/quantity.js'
import { defaultZero } from '../zero-value.js'
import { AGE, arr, NAME, obj, spec, status, str } from '../../printing/columns.js'

/** Supported values as upstream lists them: sorted. */
export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod']
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain']
const VOLUME_MODES = ['Block', 'Filesystem']
/** The volume sources a PersistentVolume may name (exactly one). */
const SOURCES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'glusterfs',
  'flocker',
  'nfs',
  'rbd',
  'quobyte',
  'cephfs',
  'iscsi',
  'cinder',
  'fc',
  'flexVolume',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'scaleIO',
  'local',
  'storageos',
  'csi',
]

/** Each access mode one Kubernetes knows, reported at the list's path. */
export function validateAccessModes(modes: unknown[], path: string): FieldError[] {
  return modes.flatMap((mode) => (ACCESS_MODES.includes(mode as string) ? [] : [fieldError.notSupported(path, mode, ACCESS_MODES)]))
}

/** `ValidatePositiveQuantityValue`: a valid quantity above zero. */
export function validatePositiveQuantity(value: unknown, path: string): FieldError[] {
  const errors = validateQuantity(value, path)
  const parsed = errors.length === 0 ? parseQuantity(String(value)) : undefined
  return parsed && parsed.nanos <= 0n ? [fieldError.invalid(path, String(value), 'must be greater than zero')] : errors
}

declare module '../../kind-types.js' {
  interface KindTypes {
    PersistentVolume: PersistentVolumeType
  }
}

export const persistentVolume: KindDefinition = {
  kind: 'PersistentVolume',
  group: '',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.core.v1.PersistentVolume' },
  resource: 'persistentvolumes',
  shortNames: ['pv'],
  namespaced: false,
  nameRule: 'dns1123-subdomain',
  status: true,
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultZero(spec, 'persistentVolumeReclaimPolicy', 'Retain')
    defaultZero(spec, 'volumeMode', 'Filesystem')
  },
  initialStatus: () => ({ phase: 'Pending' }),
  validate: (o) => validateSpec(objectAt(o, 'spec') ?? {}),
  printerColumns: [
    NAME,
    {
      name: 'Capacity',
      type: 'string',
      description: 'Its storage capacity.',
      priority: 0,
      cell: (o) => str(obj(spec(o).capacity).storage, ''),
    },
    {
      name: 'Access Modes',
      type: 'string',
      description: 'How it may be mounted: RWO, ROX, RWX, RWOP.',
      priority: 0,
      cell: (o) => accessModes(spec(o).accessModes),
    },
    {
      name: 'Reclaim Policy',
      type: 'string',
      description: 'What happens to it when its claim goes.',
      priority: 0,
      cell: (o) => str(spec(o).persistentVolumeReclaimPolicy, ''),
    },
    { name: 'Status', type: 'string', description: 'Its phase.', priority: 0, cell: (o) => str(status(o).phase, '') },
    {
      name: 'Claim',
      type: 'string',
      description: 'The claim bound to it.',
      priority: 0,
      cell: (o) => (spec(o).claimRef ? `${String(obj(spec(o).claimRef).namespace)}/${String(obj(spec(o).claimRef).name)}` : ''),
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
    { name: 'Reason', type: 'string', description: 'Why it is in its phase.', priority: 0, cell: (o) => str(status(o).reason, '') },
    AGE,
  ],
}

/** `ValidatePersistentVolumeSpec`. */
function validateSpec(spec: JsonObject): FieldError[] {
  const errors: FieldError[] = []
  const modes = arrayAt(spec, 'accessModes')
  if (modes.length === 0) errors.push(fieldError.required('spec.accessModes'))
  errors.push(...validateAccessModes(modes, 'spec.accessModes'))
  const capacity = objectAt(spec, 'capacity')
  const resources = Object.keys(capacity ?? {})
  if (resources.length === 0) errors.push(fieldError.required('spec.capacity'))
  if (!resources.includes('storage') || resources.length > 1)
    errors.push(fieldError.notSupported('spec.capacity', capacity ?? null, ['storage']))
  for (const [name, value] of Object.entries(capacity ?? {})) errors.push(...validatePositiveQuantity(value, `spec.capacity[${name}]`))
  const policy = spec.persistentVolumeReclaimPolicy
  if (typeof policy === 'string' && policy !== '' && !RECLAIM_POLICIES.includes(policy)) {
    errors.push(fieldError.notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES))
  }
  const sources = SOURCES.filter((source) => isObject(spec[source]))
  for (const extra of sources.slice(1)) errors.push(fieldError.forbidden(`spec.${extra}`, 'may not specify more than 1 volume type'))
  if (sources.length === 0) errors.push(fieldError.required('spec', 'must specify a volume type'))
  if (typeof spec.storageClassName === 'string' && spec.storageClassName !== '') {
    errors.push(...validateName('dns1123-subdomain', spec.storageClassName, 'spec.storageClassName'))
  }
  if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(spec.volumeMode as string)) {
    errors.push(fieldError.notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES))
  }
  return errors
}

function accessModes(modes: unknown): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' }
  return arr(modes)
    .map((m) => short[String(m)] ?? String(m))
    .join(',')
}
