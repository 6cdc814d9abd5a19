import { getObject, type ClusterView } from '../../projections/cluster-state.js'
import { objectAt, type JsonObject } from '../json.js'
import { held } from '../resources/kinds/core/service-allocation.js'
import { recordEvent } from '../runtime/events.js'
import { asJson, labelsOf, meta, nameOf } from '../runtime/objects.js'
import type { Reconciliation } from '../runtime/controller.js'

/** Kinds whose objects reserve a Service's clusterIP or node port (services/resources/kinds/core/service-allocation.ts). */
export const RESERVATION_KINDS = new Set(['IPAddress', 'ServiceNodePort'])

/** How long a reservation may exist without its Service holding it: the time a create may take (upstream's 60 s). */
export const RESERVATION_GRACE_MS = 60_000

const MANAGERS: Record<string, [label: string, value: string]> = {
  IPAddress: ['ipaddress.kubernetes.io/managed-by', 'ipallocator.k8s.io'],
  ServiceNodePort: ['internal.revkube.io/managed-by', 'portallocator.revkube.io'],
}

/**
 * The repair of Kubernetes' IPAddress allocator (K `ipallocator/controller/repairip.go`), for
 * addresses and node ports alike: a reservation made by the allocator whose parent Service does
 * not exist or does not hold it is a leak (a process stopped between reserving and storing the
 * Service, or before releasing), deleted once it is older than a minute, with a warning event
 * for addresses.
 */
export function repairReservation(reservation: JsonObject, state: ClusterView, now: Date): Reconciliation {
  const [label, value] = MANAGERS[String(reservation.kind)] ?? ['', '']
  if (labelsOf(reservation)[label] !== value) return { actions: [] }
  const parent = objectAt(objectAt(reservation, 'spec'), 'parentRef')
  const service =
    parent && parent.resource === 'services' && !parent.group
      ? getObject(state, 'Service', String(parent.namespace ?? ''), String(parent.name ?? ''))
      : undefined
  if (service && held(asJson(service)).some(([kind, name]) => kind === reservation.kind && name === nameOf(reservation)))
    return { actions: [] }
  const age = now.getTime() - Date.parse(String(meta(reservation).creationTimestamp ?? ''))
  if (Number.isFinite(age) && age < RESERVATION_GRACE_MS) return { actions: [], requeueAfterMs: RESERVATION_GRACE_MS - age + 1000 }
  const kind = String(reservation.kind)
  return {
    actions: [
      {
        type: 'delete',
        kind,
        namespace: '',
        name: nameOf(reservation),
        options: { preconditions: { uid: String(meta(reservation).uid) } },
        reason: 'leaked reservation',
      },
      ...(kind === 'IPAddress'
        ? [
            recordEvent(
              reservation,
              {
                type: 'Warning',
                reason: 'IPAddressNotAllocated',
                message: `IPAddress ${nameOf(reservation)} appears to have leaked: cleaning up`,
                component: 'ipallocator-repair-controller',
              },
              now,
            ),
          ]
        : []),
    ],
  }
}
