import type { Endpoints as EndpointsType } from 'kubernetes-types/core/v1.js'
import { arrayAt, isObject, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { defaultZero } from '../zero-value.js'
import { AGE, arr, NAME, obj } from '../../printing/columns.js'
import { viewAndEdit } from '../roles.js'

declare module '../../kind-types.js' {
  interface KindTypes {
    Endpoints: EndpointsType
  }
}

export const endpoints: KindDefinition = {
  kind: 'Endpoints',
  group: '',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.core.v1.Endpoints' },
  resource: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  // SetDefaults_Endpoints: ports speak TCP unless they say otherwise.
  defaults: (o) => {
    for (const subset of arrayAt(o, 'subsets')) {
      for (const port of arrayAt(subset, 'ports')) if (isObject(port)) defaultZero(port, 'protocol', 'TCP')
    }
  },
  printerColumns: [
    NAME,
    {
      name: 'Endpoints',
      type: 'string',
      description: 'The first addresses and ports, and how many more.',
      priority: 0,
      cell: endpointsList,
    },
    AGE,
  ],
  roles: viewAndEdit(),
}

function endpointsList(o: JsonObject): string {
  const all: string[] = []
  for (const subset of arr(o.subsets).map(obj)) {
    const ports = arr(subset.ports).map(obj)
    for (const address of arr(subset.addresses).map(obj)) {
      if (ports.length === 0) all.push(String(address.ip))
      for (const port of ports) all.push(`${String(address.ip)}:${String(port.port)}`)
    }
  }
  if (all.length === 0) return '<none>'
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',')
}
