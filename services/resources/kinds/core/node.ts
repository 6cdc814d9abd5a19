import type { Node as NodeType } from 'kubernetes-types/core/v1.js'
import { isObject, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { conditions, join } from '../merge-keys.js'
import { AGE, arr, meta, NAME, obj, spec, status, str } from '../../printing/columns.js'

/** The address of a type (InternalIP, ExternalIP) a node reports. */
const nodeAddress = (type: string) => (o: JsonObject) =>
  str(
    arr(status(o).addresses)
      .map(obj)
      .find((a) => a.type === type)?.address,
  )

declare module '../../kind-types.js' {
  interface KindTypes {
    Node: NodeType
  }
}

export const node: KindDefinition = {
  kind: 'Node',
  group: '',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.core.v1.Node' },
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
  printerColumns: [
    NAME,
    {
      name: 'Status',
      type: 'string',
      description: 'Ready, NotReady or Unknown, and SchedulingDisabled when cordoned.',
      priority: 0,
      cell: nodeStatus,
    },
    { name: 'Roles', type: 'string', description: 'The roles its node-role.kubernetes.io labels give it.', priority: 0, cell: nodeRoles },
    AGE,
    {
      name: 'Version',
      type: 'string',
      description: 'The version of its kubelet.',
      priority: 0,
      cell: (o) => str(obj(status(o).nodeInfo).kubeletVersion, ''),
    },
    { name: 'Internal-IP', type: 'string', description: 'Its address in the cluster.', priority: 1, cell: nodeAddress('InternalIP') },
    { name: 'External-IP', type: 'string', description: 'Its address outside the cluster.', priority: 1, cell: nodeAddress('ExternalIP') },
    {
      name: 'OS-Image',
      type: 'string',
      description: 'The operating system image.',
      priority: 1,
      cell: (o) => str(obj(status(o).nodeInfo).osImage, '<unknown>'),
    },
    {
      name: 'Kernel-Version',
      type: 'string',
      description: 'The kernel version.',
      priority: 1,
      cell: (o) => str(obj(status(o).nodeInfo).kernelVersion, '<unknown>'),
    },
    {
      name: 'Container-Runtime',
      type: 'string',
      description: 'The container runtime and its version.',
      priority: 1,
      cell: (o) => str(obj(status(o).nodeInfo).containerRuntimeVersion, '<unknown>'),
    },
  ],
  graphqlType: 'Node',
}

/** kubectl's node STATUS: its Ready condition, and SchedulingDisabled when cordoned. */
function nodeStatus(o: JsonObject): string {
  const ready = arr(status(o).conditions)
    .map(obj)
    .find((c) => c.type === 'Ready')
  const parts = [ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown']
  if (spec(o).unschedulable) parts.push('SchedulingDisabled')
  return parts.join(',')
}

function nodeRoles(o: JsonObject): string {
  const roles = Object.keys(obj(meta(o).labels)).flatMap((k) =>
    k.startsWith('node-role.kubernetes.io/') ? [k.slice('node-role.kubernetes.io/'.length)] : [],
  )
  return str(roles.join(','))
}
