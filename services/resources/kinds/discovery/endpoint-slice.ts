import type { EndpointSlice as EndpointSliceType } from 'kubernetes-types/discovery/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, isObject, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { AGE, arr, NAME, obj, str } from '../../printing/columns.js'
import { viewable } from '../roles.js'

/** Supported values as upstream lists them: sorted. */
const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6']
const MAX_ENDPOINTS = 1000
const MAX_ADDRESSES = 100

declare module '../../kind-types.js' {
  interface KindTypes {
    EndpointSlice: EndpointSliceType
  }
}

export const endpointSlice: KindDefinition = {
  kind: 'EndpointSlice',
  group: 'discovery.k8s.io',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.discovery.v1.EndpointSlice' },
  resource: 'endpointslices',
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  // `ValidateEndpointSlice`: an address type, then at most 1000 endpoints of 1 to 100 addresses.
  validate: (o) => {
    const errors: FieldError[] = []
    if (o.addressType === undefined || o.addressType === '') errors.push(fieldError.required('addressType'))
    else if (!ADDRESS_TYPES.includes(o.addressType as string))
      errors.push(fieldError.notSupported('addressType', o.addressType, ADDRESS_TYPES))
    const endpoints = arrayAt(o, 'endpoints')
    if (endpoints.length > MAX_ENDPOINTS) return [...errors, fieldError.tooMany('endpoints', endpoints.length, MAX_ENDPOINTS)]
    endpoints.forEach((endpoint, i) => {
      const addresses = isObject(endpoint) ? arrayAt(endpoint, 'addresses') : []
      if (addresses.length === 0) errors.push(fieldError.required(`endpoints[${i}].addresses`, 'must contain at least 1 address'))
      else if (addresses.length > MAX_ADDRESSES)
        errors.push(fieldError.tooMany(`endpoints[${i}].addresses`, addresses.length, MAX_ADDRESSES))
    })
    return errors
  },
  validateUpdate: (o, old) =>
    o.addressType === old.addressType ? [] : [fieldError.invalid('addressType', o.addressType, 'field is immutable')],
  printerColumns: [
    NAME,
    {
      name: 'AddressType',
      type: 'string',
      description: 'The type of its addresses: IPv4, IPv6 or FQDN.',
      priority: 0,
      cell: (o) => str(o.addressType),
    },
    {
      name: 'Ports',
      type: 'string',
      description: 'Its port numbers.',
      priority: 0,
      cell: (o) =>
        str(
          arr(o.ports)
            .map((p) => obj(p).port)
            .join(','),
          '<unset>',
        ),
    },
    { name: 'Endpoints', type: 'string', description: 'The first addresses, and how many more.', priority: 0, cell: endpointAddresses },
    AGE,
  ],
  roles: [viewable()],
}

function endpointAddresses(o: JsonObject): string {
  const ips = arr(o.endpoints).flatMap((e) => arr(obj(e).addresses).map(String))
  return ips.length === 0 ? '<unset>' : ips.length > 3 ? `${ips.slice(0, 3).join(',')} + ${ips.length - 3} more...` : ips.join(',')
}
