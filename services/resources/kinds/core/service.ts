import type { Service as ServiceType } from 'kubernetes-types/core/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, child, defaultTo, isObject, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { validateLabels } from '../../validation/labels.js'
import { validateName } from '../../validation/names.js'
import { validatePort, validatePortNumberOrName } from '../../validation/common.js'
import { oneOf } from '../pod-spec.js'
import { defaultZero, isZero } from '../zero-value.js'
import { serviceAllocation } from './service-allocation.js'
import { conditions, join } from '../merge-keys.js'
import { AGE, arr, mapSelector, NAME, obj, spec, status, str } from '../../printing/columns.js'
import { READ, viewAndEdit } from '../roles.js'

/** Supported values as upstream lists them: sorted. */
const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']
const PROTOCOLS = ['SCTP', 'TCP', 'UDP']
const AFFINITIES = ['ClientIP', 'None']
/** `DefaultClientIPServiceAffinitySeconds`: three hours. */
const CLIENT_IP_TIMEOUT = 10800
const MAX_CLIENT_IP_TIMEOUT = 86400

declare module '../../kind-types.js' {
  interface KindTypes {
    Service: ServiceType
  }
}

export const service: KindDefinition = {
  kind: 'Service',
  group: '',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.core.v1.Service' },
  resource: 'services',
  shortNames: ['svc'],
  categories: ['all'],
  namespaced: true,
  nameRule: 'dns1035-label',
  status: true,
  // SetDefaults_Service.
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultZero(spec, 'sessionAffinity', 'None')
    if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig
    if (spec.sessionAffinity === 'ClientIP') {
      const clientIP = child(child(spec, 'sessionAffinityConfig'), 'clientIP')
      defaultTo(clientIP, 'timeoutSeconds', CLIENT_IP_TIMEOUT)
    }
    defaultZero(spec, 'type', 'ClusterIP')
    for (const port of arrayAt(spec, 'ports')) {
      if (!isObject(port)) continue
      defaultZero(port, 'protocol', 'TCP')
      if (isZero(port.targetPort)) port.targetPort = port.port
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') defaultZero(spec, 'externalTrafficPolicy', 'Cluster')
    if (spec.type === 'LoadBalancer') defaultTo(spec, 'allocateLoadBalancerNodePorts', true)
    if (spec.type !== 'ExternalName') defaultTo(spec, 'internalTrafficPolicy', 'Cluster')
  },
  initialStatus: () => ({ loadBalancer: {} }),
  allocation: serviceAllocation,
  validate: (o) => validateServiceSpec(objectAt(o, 'spec') ?? {}),
  validateUpdate: (o, old) => {
    const ip = objectAt(o, 'spec')?.clusterIP
    const oldIp = objectAt(old, 'spec')?.clusterIP
    // An empty clusterIP in an update means "keep the allocated one" (the API copies it over).
    return oldIp && ip && ip !== oldIp ? [fieldError.invalid('spec.clusterIP', ip, 'field is immutable')] : []
  },
  mergeKeys: join(conditions, { lists: { 'spec.ports': 'port' } }),
  printerColumns: [
    NAME,
    { name: 'Type', type: 'string', description: 'The type of the service.', priority: 0, cell: (o) => str(spec(o).type, 'ClusterIP') },
    {
      name: 'Cluster-IP',
      type: 'string',
      description: 'The IP address of the service in the cluster.',
      priority: 0,
      cell: (o) => str(spec(o).clusterIP),
    },
    {
      name: 'External-IP',
      type: 'string',
      description: 'The addresses the service is reached at from outside the cluster.',
      priority: 0,
      cell: externalIp,
    },
    {
      name: 'Port(s)',
      type: 'string',
      description: 'The ports the service exposes, with their node ports.',
      priority: 0,
      cell: servicePorts,
    },
    AGE,
    {
      name: 'Selector',
      type: 'string',
      description: 'The labels of the pods the service sends traffic to.',
      priority: 1,
      cell: (o) => mapSelector(spec(o).selector),
    },
  ],
  roles: [...viewAndEdit({ read: ['status'], write: ['proxy'] }), { role: 'edit', verbs: READ, subresources: ['proxy'] }],
  graphqlType: 'Service',
}

/** `ValidateService`, in upstream's order. */
function validateServiceSpec(spec: JsonObject): FieldError[] {
  const errors: FieldError[] = []
  const ports = arrayAt(spec, 'ports')
  const headless = spec.clusterIP === 'None'
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errors.push(fieldError.required('spec.ports'))
  if (spec.type === 'ExternalName') {
    // The name (a CNAME) may end with a dot.
    const cname = typeof spec.externalName === 'string' ? spec.externalName.replace(/\.$/, '') : ''
    if (cname === '') errors.push(fieldError.required('spec.externalName'))
    else errors.push(...validateName('dns1123-subdomain', cname, 'spec.externalName'))
  }
  const names = new Set<string>()
  ports.forEach((port, i) => errors.push(...validateServicePort(isObject(port) ? port : {}, `spec.ports[${i}]`, ports.length > 1, names)))
  if (spec.selector !== undefined && spec.selector !== null) errors.push(...validateLabels(spec.selector, 'spec.selector'))
  errors.push(...oneOf(spec.sessionAffinity, 'spec.sessionAffinity', AFFINITIES))
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = objectAt(objectAt(spec, 'sessionAffinityConfig'), 'clientIP')?.timeoutSeconds
    if (typeof timeout === 'number' && (timeout <= 0 || timeout > MAX_CLIENT_IP_TIMEOUT)) {
      errors.push(
        fieldError.invalid(
          'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
          timeout,
          `must be greater than 0 and less than ${MAX_CLIENT_IP_TIMEOUT}`,
        ),
      )
    }
  }
  errors.push(...oneOf(spec.type, 'spec.type', TYPES))
  if (spec.type === 'ClusterIP') {
    ports.forEach((port, i) => {
      if (isObject(port) && !isZero(port.nodePort))
        errors.push(fieldError.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"))
    })
  }
  return errors
}

/**
 * `validateServicePort`: a unique DNS-1123 label name (required when there are several ports), a
 * port number, a protocol, and a target port number or IANA service name.
 */
function validateServicePort(port: JsonObject, path: string, requireName: boolean, names: Set<string>): FieldError[] {
  const errors: FieldError[] = []
  const name = typeof port.name === 'string' ? port.name : ''
  if (requireName && name === '') errors.push(fieldError.required(`${path}.name`))
  else if (name !== '') {
    errors.push(...validateName('dns1123-label', name, `${path}.name`))
    if (names.has(name)) errors.push(fieldError.duplicate(`${path}.name`, name))
    else names.add(name)
  }
  errors.push(...validatePort(port.port, `${path}.port`))
  if (port.protocol === undefined || port.protocol === '') errors.push(fieldError.required(`${path}.protocol`))
  else if (!PROTOCOLS.includes(port.protocol as string)) errors.push(fieldError.notSupported(`${path}.protocol`, port.protocol, PROTOCOLS))
  errors.push(...validatePortNumberOrName(port.targetPort, `${path}.targetPort`))
  return errors
}

function servicePorts(o: JsonObject): string {
  const ports = arr(spec(o).ports).map(obj)
  return str(ports.map((p) => `${String(p.port)}${p.nodePort ? `:${String(p.nodePort)}` : ''}/${str(p.protocol, 'TCP')}`).join(','))
}

function externalIp(o: JsonObject): string {
  const ingress = arr(obj(status(o).loadBalancer).ingress).map(obj)
  const external = arr(spec(o).externalIPs).map(String)
  const type = spec(o).type
  if (type === 'LoadBalancer') {
    const ips = [...ingress.map((i) => String(i.ip ?? i.hostname)), ...external]
    return ips.length ? ips.join(',') : '<pending>'
  }
  if (type === 'ExternalName') return str(spec(o).externalName)
  return str(external.join(','))
}
