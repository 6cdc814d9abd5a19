import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, isObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN']

export const endpointSlice: KindDefinition = {
  kind: 'EndpointSlice',
  group: 'discovery.k8s.io',
  versions: ['v1'],
  resource: 'endpointslices',
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  validate: (o) => {
    const errors: FieldError[] = []
    if (!ADDRESS_TYPES.includes(o.addressType as string)) {
      errors.push(o.addressType === undefined ? fieldError.required('addressType') : fieldError.notSupported('addressType', o.addressType, ADDRESS_TYPES))
    }
    arrayAt(o, 'endpoints').forEach((endpoint, i) => {
      const addresses = isObject(endpoint) ? arrayAt(endpoint, 'addresses') : []
      if (addresses.length === 0) errors.push(fieldError.required(`endpoints[${i}].addresses`, 'must contain at least 1 address'))
      if (addresses.length > 100) errors.push(fieldError.tooMany(`endpoints[${i}].addresses`, addresses.length, 100))
    })
    if (arrayAt(o, 'endpoints').length > 1000) errors.push(fieldError.tooMany('endpoints', arrayAt(o, 'endpoints').length, 1000))
    return errors
  },
  validateUpdate: (o, old) => (o.addressType === old.addressType ? [] : [fieldError.invalid('addressType', o.addressType, 'field is immutable')]),
}
