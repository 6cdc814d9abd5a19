import { child, defaultTo, objectAt, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { defaultReplicas, defaultTemplate, nonNegativeInteger, validateTemplate } from '../workload.js'

export const replicationController: KindDefinition = {
  kind: 'ReplicationController',
  group: '',
  versions: ['v1'],
  resource: 'replicationcontrollers',
  shortNames: ['rc'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  scale: { specReplicas: 'spec.replicas', statusReplicas: 'status.replicas', selector: 'spec.selector' },
  selectableFields: (o) => ({ 'status.replicas': String(objectAt(o, 'status')?.replicas ?? 0) }),
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultReplicas(spec)
    // An RC without a selector selects its template's labels.
    const labels = objectAt(objectAt(objectAt(spec, 'template'), 'metadata'), 'labels')
    if (labels) defaultTo(spec, 'selector', { ...labels })
    defaultTemplate(spec)
  },
  initialStatus: () => ({ replicas: 0 }),
  validate: (o) => {
    const spec = objectAt(o, 'spec') ?? ({} as JsonObject)
    return [...nonNegativeInteger(spec.replicas, 'spec.replicas'), ...validateTemplate(spec, 'spec', { restartPolicies: ['Always'], selector: 'map' })]
  },
}
