import type { Ingress as IngressType } from 'kubernetes-types/networking/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, isObject, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { validatePort, validatePortName } from '../../validation/common.js'
import { validateName } from '../../validation/names.js'
import { AGE, arr, NAME, obj, spec, status, str } from '../../printing/columns.js'
import { viewAndEdit } from '../roles.js'

/** Supported values as upstream lists them: sorted. */
const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix']
const INVALID_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F']
const INVALID_SUFFIXES = ['/..', '/.']

declare module '../../kind-types.js' {
  interface KindTypes {
    Ingress: IngressType
  }
}

export const ingress: KindDefinition = {
  kind: 'Ingress',
  group: 'networking.k8s.io',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.networking.v1.Ingress' },
  resource: 'ingresses',
  shortNames: ['ing'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  validate: (o) => {
    const spec = objectAt(o, 'spec') ?? {}
    const errors: FieldError[] = []
    const defaultBackend = objectAt(spec, 'defaultBackend')
    if (defaultBackend) errors.push(...validateBackend(defaultBackend, 'spec.defaultBackend'))
    const rules = arrayAt(spec, 'rules')
    if (rules.length === 0 && !defaultBackend) {
      errors.push(fieldError.invalid('spec.rules', spec.rules ?? null, 'either `defaultBackend` or `rules` must be specified'))
    }
    rules.forEach((rule, i) => {
      arrayAt(objectAt(rule, 'http'), 'paths').forEach((path, j) => {
        errors.push(...validatePath(isObject(path) ? path : {}, `spec.rules[${i}].http.paths[${j}]`))
      })
    })
    return errors
  },
  printerColumns: [
    NAME,
    {
      name: 'Class',
      type: 'string',
      description: 'The ingress class that serves it.',
      priority: 0,
      cell: (o) => str(spec(o).ingressClassName),
    },
    {
      name: 'Hosts',
      type: 'string',
      description: 'The hosts its rules match.',
      priority: 0,
      cell: (o) =>
        str(
          arr(spec(o).rules)
            .map((r) => obj(r).host ?? '*')
            .join(','),
          '*',
        ),
    },
    {
      name: 'Address',
      type: 'string',
      description: 'The addresses of its load balancer.',
      priority: 0,
      cell: (o) =>
        arr(obj(status(o).loadBalancer).ingress)
          .map((i) => String(obj(i).ip ?? obj(i).hostname))
          .join(','),
    },
    {
      name: 'Ports',
      type: 'string',
      description: 'The ports it serves.',
      priority: 0,
      cell: (o) => (arr(spec(o).tls).length ? '80, 443' : '80'),
    },
    AGE,
  ],
  roles: viewAndEdit({ read: ['status'] }),
}

/** `validateHTTPIngressPath`: a path type, an absolute path without traversal, a backend. */
function validatePath(path: JsonObject, at: string): FieldError[] {
  const type = path.pathType
  if (type === undefined || type === null) return [fieldError.required(`${at}.pathType`, 'pathType must be specified')]
  const errors: FieldError[] = []
  const text = typeof path.path === 'string' ? path.path : ''
  if (type === 'Exact' || type === 'Prefix') {
    if (!text.startsWith('/')) errors.push(fieldError.invalid(`${at}.path`, text, 'must be an absolute path'))
    if (text !== '') {
      for (const sequence of INVALID_SEQUENCES)
        if (text.includes(sequence)) errors.push(fieldError.invalid(`${at}.path`, text, `must not contain '${sequence}'`))
      for (const suffix of INVALID_SUFFIXES)
        if (text.endsWith(suffix)) errors.push(fieldError.invalid(`${at}.path`, text, `cannot end with '${suffix}'`))
    }
  } else if (type === 'ImplementationSpecific') {
    if (text !== '' && !text.startsWith('/')) errors.push(fieldError.invalid(`${at}.path`, text, 'must be an absolute path'))
  } else errors.push(fieldError.notSupported(`${at}.pathType`, type, PATH_TYPES))
  errors.push(...validateBackend(objectAt(path, 'backend') ?? {}, `${at}.backend`))
  return errors
}

/** `validateIngressBackend`: a Service (a DNS-1035 name and a port name or number) or a resource. */
function validateBackend(backend: JsonObject, at: string): FieldError[] {
  const service = objectAt(backend, 'service')
  const resource = objectAt(backend, 'resource')
  if (service && resource) return [fieldError.invalid(at, '', 'cannot set both resource and service backends')]
  if (resource) {
    const errors: FieldError[] = []
    if (typeof resource.kind !== 'string' || resource.kind === '')
      errors.push(fieldError.required(`${at}.resource.kind`, 'kind is required'))
    if (typeof resource.name !== 'string' || resource.name === '')
      errors.push(fieldError.required(`${at}.resource.name`, 'name is required'))
    return errors
  }
  if (!service) return [fieldError.invalid(at, '', 'resource or service backend is required')]
  const errors: FieldError[] = []
  const name = typeof service.name === 'string' ? service.name : ''
  if (name === '') errors.push(fieldError.required(`${at}.service.name`))
  else errors.push(...validateName('dns1035-label', name, `${at}.service.name`))
  const port = objectAt(service, 'port') ?? {}
  const portName = typeof port.name === 'string' ? port.name : ''
  const portNumber = port.number ?? 0
  if (portName !== '' && portNumber !== 0) errors.push(fieldError.invalid(at, '', 'cannot set both port name & port number'))
  else if (portName !== '') errors.push(...validatePortName(portName, `${at}.service.port.name`))
  else if (portNumber !== 0) errors.push(...validatePort(portNumber, `${at}.service.port.number`))
  else errors.push(fieldError.required(at, 'port name or number is required'))
  return errors
}
