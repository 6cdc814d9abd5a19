import type { ReplicationController as ReplicationControllerType } from 'kubernetes-types/core/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { child, isObject, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { labelSelectorFromSet } from '../../label-selector.js'
import { defaultPodSpec } from '../pod-spec.js'
import { defaultReplicas, nonNegativeInteger, validateReplicaTemplate } from '../workload.js'
import { conditions, join, podTemplate } from '../merge-keys.js'
import { AGE, mapSelector, NAME, REPLICA_COUNTS, spec, templateColumns } from '../../printing/columns.js'
import { viewAndEdit } from '../roles.js'

declare module '../../kind-types.js' {
  interface KindTypes {
    ReplicationController: ReplicationControllerType
  }
}

export const replicationController: KindDefinition = {
  kind: 'ReplicationController',
  group: '',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.core.v1.ReplicationController' },
  resource: 'replicationcontrollers',
  shortNames: ['rc'],
  categories: ['all'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  scale: { specReplicas: 'spec.replicas', statusReplicas: 'status.replicas', selector: 'spec.selector' },
  selectableFields: (o) => ({ 'status.replicas': String(objectAt(o, 'status')?.replicas ?? 0) }),
  // SetDefaults_ReplicationController: the selector, and the RC's own labels, default to the template's labels.
  defaults: (o) => {
    const spec = child(o, 'spec')
    const template = objectAt(spec, 'template')
    const labels = objectAt(objectAt(template, 'metadata'), 'labels')
    if (labels) {
      if (Object.keys(objectAt(spec, 'selector') ?? {}).length === 0) spec.selector = { ...labels }
      const metadata = child(o, 'metadata')
      if (Object.keys(objectAt(metadata, 'labels') ?? {}).length === 0) metadata.labels = { ...labels }
    }
    defaultReplicas(spec)
    if (template) defaultPodSpec(child(template, 'spec'))
  },
  initialStatus: () => ({ replicas: 0 }),
  validate: (o) => validateSpec(objectAt(o, 'spec') ?? {}),
  mergeKeys: join(conditions, podTemplate('spec.template')),
  printerColumns: [
    NAME,
    ...REPLICA_COUNTS,
    AGE,
    ...templateColumns(),
    {
      name: 'Selector',
      type: 'string',
      description: 'The labels of the pods the controller manages.',
      priority: 1,
      cell: (o) => mapSelector(spec(o).selector),
    },
  ],
  roles: viewAndEdit({ read: ['scale', 'status'], write: ['scale'] }),
}

/** `ValidateReplicationControllerSpec`: a non-empty selector (a plain label map) that the template's labels satisfy. */
function validateSpec(spec: JsonObject): FieldError[] {
  const errors = nonNegativeInteger(spec.minReadySeconds, 'spec.minReadySeconds')
  const selector = objectAt(spec, 'selector') ?? {}
  if (Object.keys(selector).length === 0) errors.push(fieldError.required('spec.selector'))
  errors.push(...nonNegativeInteger(spec.replicas, 'spec.replicas'))
  if (!isObject(spec.template)) errors.push(fieldError.required('spec.template'))
  else {
    const matchSelector = labelSelectorFromSet(Object.fromEntries(Object.entries(selector).map(([k, v]) => [k, String(v)])))
    errors.push(...validateReplicaTemplate(spec, 'spec', matchSelector, 'ReplicationController'))
  }
  return errors
}
