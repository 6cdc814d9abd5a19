import { fieldError, type FieldError } from '../../field-errors.js'
import { deepEqual, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { validateParentReference } from './ip-address.js'

/**
 * `ServiceNodePort` (internal.revkube.io/v1): revkube's own reservation of one node port, the
 * counterpart of `IPAddress` for ports. Kubernetes keeps node ports in a bitmap inside one etcd
 * key; revkube keeps one cluster-scoped object per port instead, named by the port number
 * (`30080`) with `spec.parentRef` naming the Service, created with the precondition "must not
 * exist" so concurrent processes cannot allocate the same port. Like Kubernetes' allocator it is
 * protocol-agnostic: ports 53/TCP and 53/UDP of one Service share one node port and one object.
 */
export const serviceNodePort: KindDefinition = {
  kind: 'ServiceNodePort',
  group: 'internal.revkube.io',
  versions: ['v1'],
  schema: { v1: 'io.revkube.internal.v1.ServiceNodePort' },
  resource: 'servicenodeports',
  namespaced: false,
  nameRule: 'dns1123-subdomain',
  validate: (o) => {
    const errors: FieldError[] = []
    const name = String(objectAt(o, 'metadata')?.name ?? '')
    if (name !== '' && !(/^[1-9]\d{0,4}$/.test(name) && Number(name) <= 65535)) {
      errors.push(fieldError.invalid('metadata.name', name, 'must be a port number between 1 and 65535, inclusive, without leading zeros'))
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

/** The JSON shape of a ServiceNodePort reserving `port` for a Service. */
export function serviceNodePortFor(port: number, service: { namespace: string; name: string }): JsonObject {
  return {
    apiVersion: 'internal.revkube.io/v1',
    kind: 'ServiceNodePort',
    metadata: { name: String(port), labels: { 'internal.revkube.io/managed-by': 'portallocator.revkube.io' } },
    spec: { parentRef: { group: '', resource: 'services', namespace: service.namespace, name: service.name } },
  }
}
