import { isObject, objectAt, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { conditions, join } from '../merge-keys.js'

export const node: KindDefinition = {
  kind: 'Node',
  group: '',
  versions: ['v1'],
  resource: 'nodes',
  shortNames: ['no'],
  namespaced: false,
  nameRule: 'dns1123-subdomain',
  status: true,
  keepStatusOnCreate: true,
  selectableFields: (o) => ({ 'spec.unschedulable': String(isObject(o.spec) && (o.spec as JsonObject).unschedulable === true) }),
  // SetDefaults_NodeStatus: what is allocatable defaults to the capacity.
  defaults: (o) => {
    const status = objectAt(o, 'status')
    const capacity = objectAt(status, 'capacity')
    if (status && capacity && status.allocatable === undefined) status.allocatable = { ...capacity }
  },
  mergeKeys: join(conditions, { lists: { 'status.addresses': 'type' }, sets: ['spec.podCIDRs'] }),
}
