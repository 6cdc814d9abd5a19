import type { StatefulSet as StatefulSetType } from 'kubernetes-types/apps/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { child, deepEqual, defaultTo, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import {
  defaultReplicas,
  defaultTemplate,
  emptySelector,
  immutableSelector,
  nonNegativeInteger,
  printableSelector,
  validateReplicaTemplate,
  workloadSelector,
} from '../workload.js'
import { defaultZero } from '../zero-value.js'
import { conditions, join, podTemplate } from '../merge-keys.js'
import { AGE, NAME, num, spec, status, templateColumns } from '../../printing/columns.js'
import { viewAndEdit } from '../roles.js'

const RETENTION = ['Retain', 'Delete']
/** What an update may change; anything else in `spec` is Forbidden. */
const UPDATABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']
const FORBIDDEN_UPDATE =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"

declare module '../../kind-types.js' {
  interface KindTypes {
    StatefulSet: StatefulSetType
  }
}

export const statefulSet: KindDefinition = {
  kind: 'StatefulSet',
  group: 'apps',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.apps.v1.StatefulSet' },
  resource: 'statefulsets',
  shortNames: ['sts'],
  categories: ['all'],
  namespaced: true,
  nameRule: 'dns1123-label',
  status: true,
  scale: { specReplicas: 'spec.replicas', statusReplicas: 'status.replicas', selector: 'spec.selector' },
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultZero(spec, 'podManagementPolicy', 'OrderedReady')
    const strategy = child(spec, 'updateStrategy')
    // Only a defaulted strategy gets a rollingUpdate (with partition 0); an explicit one keeps its own.
    if (strategy.type === undefined || strategy.type === null || strategy.type === '') {
      strategy.type = 'RollingUpdate'
      child(strategy, 'rollingUpdate')
    }
    const rolling = objectAt(strategy, 'rollingUpdate')
    if (strategy.type === 'RollingUpdate' && rolling) defaultTo(rolling, 'partition', 0)
    const retention = child(spec, 'persistentVolumeClaimRetentionPolicy')
    defaultZero(retention, 'whenDeleted', 'Retain')
    defaultZero(retention, 'whenScaled', 'Retain')
    defaultReplicas(spec)
    defaultTo(spec, 'revisionHistoryLimit', 10)
    defaultTemplate(spec)
  },
  initialStatus: () => ({ replicas: 0, availableReplicas: 0 }),
  validate: (o) => validateStatefulSetSpec(objectAt(o, 'spec') ?? {}),
  validateUpdate: (o, old) => {
    const spec = objectAt(o, 'spec') ?? {}
    const before = objectAt(old, 'spec') ?? {}
    const fixed = (s: JsonObject) => Object.fromEntries(Object.entries(s).filter(([key]) => !UPDATABLE.includes(key)))
    const errors: FieldError[] = deepEqual(fixed(spec), fixed(before)) ? [] : [fieldError.forbidden('spec', FORBIDDEN_UPDATE)]
    return [...errors, ...immutableSelector(o, old)]
  },
  mergeKeys: join(conditions, podTemplate('spec.template')),
  printerColumns: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      description: 'The number of ready replicas of the desired ones.',
      priority: 0,
      cell: (o) => `${num(status(o).readyReplicas)}/${num(spec(o).replicas)}`,
    },
    AGE,
    ...templateColumns(),
  ],
  roles: viewAndEdit({ read: ['scale', 'status'], write: ['scale'] }),
}

/**
 * `ValidateStatefulSetSpec`. As upstream, the template's pod spec is not validated (only its
 * labels and annotations); a bad one fails when the controller creates the pods.
 */
function validateStatefulSetSpec(spec: JsonObject): FieldError[] {
  const errors: FieldError[] = []
  const policy = spec.podManagementPolicy
  if (policy === undefined || policy === '') errors.push(fieldError.required('spec.podManagementPolicy'))
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') {
    errors.push(fieldError.invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"))
  }
  errors.push(...validateUpdateStrategy(objectAt(spec, 'updateStrategy') ?? {}))
  const retention = objectAt(spec, 'persistentVolumeClaimRetentionPolicy')
  for (const field of ['whenDeleted', 'whenScaled'] as const) {
    if (retention && !RETENTION.includes(retention[field] as string)) {
      errors.push(fieldError.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${field}`, retention[field] ?? '', RETENTION))
    }
  }
  errors.push(...nonNegativeInteger(spec.replicas, 'spec.replicas'))
  errors.push(...nonNegativeInteger(spec.minReadySeconds, 'spec.minReadySeconds'))
  errors.push(...nonNegativeInteger(objectAt(spec, 'ordinals')?.start, 'spec.ordinals.start'))
  const { errors: selectorErrors, selector } = workloadSelector(spec, 'spec', { required: true })
  errors.push(...selectorErrors, ...emptySelector(spec, 'spec', 'empty selector is invalid for statefulset'))
  if (selector === null) errors.push(fieldError.invalid('spec.selector', printableSelector(spec.selector)))
  else errors.push(...validateReplicaTemplate(spec, 'spec', selector, 'StatefulSet', { podSpec: false }))
  return errors
}

function validateUpdateStrategy(strategy: JsonObject): FieldError[] {
  const path = 'spec.updateStrategy'
  const rolling = objectAt(strategy, 'rollingUpdate')
  switch (strategy.type) {
    case undefined:
    case '':
      return [fieldError.required(path)]
    case 'OnDelete':
      return rolling ? [fieldError.invalid(`${path}.rollingUpdate`, rolling, "only allowed for updateStrategy 'RollingUpdate'")] : []
    case 'RollingUpdate':
      return nonNegativeInteger(rolling?.partition, `${path}.rollingUpdate.partition`)
    default:
      return [fieldError.invalid(path, strategy, "must be 'RollingUpdate' or 'OnDelete'")]
  }
}
