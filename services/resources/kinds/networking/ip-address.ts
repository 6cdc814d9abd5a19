import { fieldError, type FieldError } from '../../field-errors.js'
import { deepEqual, isObject, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { dns1123Subdomain, pathSegmentName } from '../../validation/names.js'

/**
 * `IPAddress` (networking.k8s.io/v1, Kubernetes ≥ 1.27's MultiCIDRServiceAllocator): one object per
 * allocated Service IP, cluster-scoped and named by the address, with `spec.parentRef` naming the
 * Service. The API creates it with the precondition "must not exist" before it stores a Service,
 * so two processes can never hand out the same address (services/resources/kinds/core/service-allocation.ts).
 */
export const ipAddress: KindDefinition = {
  kind: 'IPAddress',
  group: 'networking.k8s.io',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.networking.v1.IPAddress' },
  resource: 'ipaddresses',
  shortNames: ['ip'],
  namespaced: false,
  nameRule: 'path-segment',
  validate: (o) => {
    const errors: FieldError[] = []
    const name = String(objectAt(o, 'metadata')?.name ?? '')
    // `ValidateIPAddressName`: the name is an IP address in its canonical form.
    if (name !== '') {
      const canonical = canonicalIp(name)
      if (canonical === undefined)
        errors.push(fieldError.invalid('metadata.name', name, `ParseAddr(${JSON.stringify(name)}): ${parseFailure(name)}`))
      else if (canonical !== name) errors.push(fieldError.invalid('metadata.name', name, 'must be a canonical format IP address'))
    }
    errors.push(...validateParentReference(objectAt(o, 'spec')?.parentRef, 'spec.parentRef'))
    return errors
  },
  validateUpdate: (o, old) => {
    const ref = objectAt(o, 'spec')?.parentRef
    const oldRef = objectAt(old, 'spec')?.parentRef
    return deepEqual(ref, oldRef) ? [] : [fieldError.invalid('spec.parentRef', ref ?? null, 'field is immutable')]
  },
}

/** The canonical text of an IPv4 or IPv6 address, or undefined when it is not one. */
export function canonicalIp(text: string): string | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split('.')
    if (parts.some((p) => Number(p) > 255 || (p.length > 1 && p.startsWith('0')))) return undefined
    return parts.map(Number).join('.')
  }
  if (!text.includes(':')) return undefined
  try {
    // The URL parser canonicalises IPv6 literals as RFC 5952 asks (lowercase, zeros compressed).
    return new URL(`http://[${text}]/`).hostname.slice(1, -1)
  } catch {
    return undefined
  }
}

/** Why Go's `netip.ParseAddr` refuses a dotted address (the common cases). */
function parseFailure(text: string): string {
  const parts = text.split('.')
  if (parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p))) {
    if (parts.some((p) => p.length > 1 && p.startsWith('0'))) return 'IPv4 field has octet with leading zero'
    if (parts.some((p) => Number(p) > 255)) return 'IPv4 field has value >255'
  }
  return 'unable to parse IP'
}

/** An IPv4 address as a number (for range arithmetic); undefined for anything else. */
export function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.')
  if (parts.length !== 4) return undefined
  return parts.reduce((n, p) => n * 256 + Number(p), 0)
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')
}

/** The JSON shape of an IPAddress reserving `ip` for a Service. */
export function ipAddressFor(ip: string, service: { namespace: string; name: string }): JsonObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IPAddress',
    metadata: {
      name: ip,
      labels: {
        'ipaddress.kubernetes.io/ip-family': ip.includes(':') ? 'IPv6' : 'IPv4',
        'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io',
      },
    },
    spec: { parentRef: { group: '', resource: 'services', namespace: service.namespace, name: service.name } },
  }
}

/**
 * `validateIPAddressParentReference` (networking/validation): the object a reservation belongs to.
 * The group may be empty (core Services); resource and name are required; namespace is optional.
 */
export function validateParentReference(value: unknown, path: string): FieldError[] {
  if (!isObject(value)) return [fieldError.required(path)]
  const ref = value as JsonObject
  const errors: FieldError[] = []
  const text = (v: unknown) => (typeof v === 'string' ? v : '')
  if (text(ref.group) !== '')
    errors.push(...dns1123Subdomain(text(ref.group)).map((m) => fieldError.invalid(`${path}.group`, ref.group, m)))
  for (const field of ['resource', 'name'] as const) {
    if (text(ref[field]) === '') errors.push(fieldError.required(`${path}.${field}`))
    else errors.push(...pathSegmentName(text(ref[field])).map((m) => fieldError.invalid(`${path}.${field}`, ref[field], m)))
  }
  if (text(ref.namespace) !== '')
    errors.push(...pathSegmentName(text(ref.namespace)).map((m) => fieldError.invalid(`${path}.namespace`, ref.namespace, m)))
  return errors
}
