import type { ReplicaSet as ReplicaSetType } from 'kubernetes-types/apps/v1.js'
import { fieldError } from '../../field-errors.js'
import { child, objectAt, type JsonObject } from '../../../json.js'
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
import { conditions, join, podTemplate } from '../merge-keys.js'
import { AGE, NAME, REPLICA_COUNTS, SELECTOR, templateColumns } from '../../printing/columns.js'
import { viewAndEdit } from '../roles.js'

declare module '../../kind-types.js' {
  interface KindTypes {
    ReplicaSet: ReplicaSetType
  }
}

export const replicaSet: KindDefinition = {
  kind: 'ReplicaSet',
  group: 'apps',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.apps.v1.ReplicaSet' },
  resource: 'replicasets',
  shortNames: ['rs'],
  categories: ['all'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  scale: { specReplicas: 'spec.replicas', statusReplicas: 'status.replicas', selector: 'spec.selector' },
  selectableFields: (o) => ({ 'status.replicas': String(objectAt(o, 'status')?.replicas ?? 0) }),
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultReplicas(spec)
    defaultTemplate(spec)
  },
  initialStatus: () => ({ replicas: 0 }),
  // `ValidateReplicaSetSpec`; upstream's empty-selector message says "deployment" here too.
  validate: (o) => {
    const spec = objectAt(o, 'spec') ?? ({} as JsonObject)
    const errors = [
      ...nonNegativeInteger(spec.replicas, 'spec.replicas'),
      ...nonNegativeInteger(spec.minReadySeconds, 'spec.minReadySeconds'),
    ]
    const { errors: selectorErrors, selector } = workloadSelector(spec, 'spec', { required: true })
    errors.push(...selectorErrors, ...emptySelector(spec, 'spec', 'empty selector is invalid for deployment'))
    if (selector === null) errors.push(fieldError.invalid('spec.selector', printableSelector(spec.selector), 'invalid label selector'))
    else errors.push(...validateReplicaTemplate(spec, 'spec', selector, 'ReplicaSet'))
    return errors
  },
  validateUpdate: immutableSelector,
  mergeKeys: join(conditions, podTemplate('spec.template')),
  printerColumns: [NAME, ...REPLICA_COUNTS, AGE, ...templateColumns(), SELECTOR],
  roles: viewAndEdit({ read: ['scale', 'status'], write: ['scale'] }),
  graphqlType: 'ReplicaSet',
}
