import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, child, defaultTo, isObject, objectAt, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { validateLabels } from '../../validation/labels.js'
import { validateName } from '../../validation/names.js'
import { validatePort, validatePortName } from '../../validation/common.js'

const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']
const PROTOCOLS = ['TCP', 'UDP', 'SCTP']
const AFFINITIES = ['ClientIP', 'None']

export const service: KindDefinition = {
  kind: 'Service',
  group: '',
  versions: ['v1'],
  resource: 'services',
  shortNames: ['svc'],
  namespaced: true,
  nameRule: 'dns1035-label',
  status: true,
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultTo(spec, 'type', 'ClusterIP')
    defaultTo(spec, 'sessionAffinity', 'None')
    if (spec.type !== 'ExternalName') defaultTo(spec, 'internalTrafficPolicy', 'Cluster')
    for (const port of arrayAt(spec, 'ports')) {
      if (!isObject(port)) continue
      defaultTo(port, 'protocol', 'TCP')
      defaultTo(port, 'targetPort', port.port)
    }
  },
  initialStatus: () => ({ loadBalancer: {} }),
  validate: (o) => validateServiceSpec(objectAt(o, 'spec') ?? {}),
  validateUpdate: (o, old) => {
    const ip = objectAt(o, 'spec')?.clusterIP
    const oldIp = objectAt(old, 'spec')?.clusterIP
    // An empty clusterIP in an update means "keep the allocated one" (the API copies it over).
    return oldIp && ip && ip !== oldIp ? [fieldError.invalid('spec.clusterIP', ip, 'field is immutable')] : []
  },
}

function validateServiceSpec(spec: JsonObject): FieldError[] {
  const errors: FieldError[] = []
  const type = spec.type ?? 'ClusterIP'
  if (!TYPES.includes(type as string)) errors.push(fieldError.notSupported('spec.type', type, TYPES))
  if (spec.sessionAffinity !== undefined && !AFFINITIES.includes(spec.sessionAffinity as string)) {
    errors.push(fieldError.notSupported('spec.sessionAffinity', spec.sessionAffinity, AFFINITIES))
  }
  if (type === 'ExternalName') {
    if (typeof spec.externalName !== 'string' || spec.externalName === '') errors.push(fieldError.required('spec.externalName'))
    return errors
  }
  const ports = arrayAt(spec, 'ports')
  const headless = spec.clusterIP === 'None'
  if (ports.length === 0 && !headless) errors.push(fieldError.required('spec.ports'))
  const names = new Set<string>()
  ports.forEach((port, i) => {
    const at = `spec.ports[${i}]`
    if (!isObject(port)) return errors.push(fieldError.invalid(at, port, 'must be an object'))
    if (ports.length > 1 && (port.name === undefined || port.name === '')) errors.push(fieldError.required(`${at}.name`))
    if (typeof port.name === 'string' && port.name !== '') {
      errors.push(...validateName('dns1123-label', port.name, `${at}.name`))
      if (names.has(port.name)) errors.push(fieldError.duplicate(`${at}.name`, port.name))
      names.add(port.name)
    }
    errors.push(...validatePort(port.port, `${at}.port`))
    if (port.protocol !== undefined && !PROTOCOLS.includes(port.protocol as string)) {
      errors.push(fieldError.notSupported(`${at}.protocol`, port.protocol, PROTOCOLS))
    }
    const target = port.targetPort
    if (typeof target === 'string') errors.push(...validatePortName(target, `${at}.targetPort`))
    else if (target !== undefined) errors.push(...validatePort(target, `${at}.targetPort`))
    if (port.nodePort !== undefined && type === 'ClusterIP') {
      errors.push(fieldError.forbidden(`${at}.nodePort`, 'may not be used when `type` is \'ClusterIP\''))
    }
  })
  if (spec.selector !== undefined) errors.push(...validateLabels(spec.selector, 'spec.selector'))
  return errors
}
