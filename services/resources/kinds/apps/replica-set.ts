import { child, objectAt, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { defaultReplicas, defaultTemplate, immutableSelector, nonNegativeInteger, validateTemplate } from '../workload.js'

export const replicaSet: KindDefinition = {
  kind: 'ReplicaSet',
  group: 'apps',
  versions: ['v1'],
  resource: 'replicasets',
  shortNames: ['rs'],
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
  validate: (o) => {
    const spec = objectAt(o, 'spec') ?? ({} as JsonObject)
    return [...nonNegativeInteger(spec.replicas, 'spec.replicas'), ...validateTemplate(spec, 'spec', { restartPolicies: ['Always'] })]
  },
  validateUpdate: immutableSelector,
}
