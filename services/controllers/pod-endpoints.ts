import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js'
import { getObject, listObjects, servicesSelecting, type ClusterView } from '../../projections/cluster-state.js'
import type { Change } from '../../projections/projection.js'
import type { KubeObject } from '../resources/kind-types.js'
import { keyOfObject, labelsOf, nameOf, namespaceOf, uidOf } from '../runtime/objects.js'
import type { EndpointAddress } from './endpoints-subsets.js'

/**
 * What the Endpoints and EndpointSlice controllers share: which pods back a Service and at which
 * port (K `pkg/controller/util/endpointslice` `ShouldPodBeInEndpoints`, `podutil.FindPort`).
 */

/** The pod selector of a Service the controllers fill in; undefined for ExternalName and selector-less Services. */
export function podSelector(service: Service): Record<string, string> | undefined {
  if (service.spec?.type === 'ExternalName') return undefined
  const selector = service.spec?.selector
  if (!selector || Object.keys(selector).length === 0) return undefined
  return selector
}

/** Pods in the Service's namespace whose labels include its selector. */
export function selectedPods(state: ClusterView, service: Service, selector: Record<string, string>): Pod[] {
  return listObjects(state, 'Pod', namespaceOf(service)).filter((pod) => {
    const labels = labelsOf(pod)
    return Object.entries(selector).every(([k, v]) => labels[k] === v)
  })
}

/** The pod's IPv4 address, if it has one. */
export function podIP(pod: Pod): string | undefined {
  const ip = pod.status?.podIP
  if (ip) return ip
  const first = pod.status?.podIPs?.[0]?.ip
  return first ? first : undefined
}

/** `ShouldPodBeInEndpoints`: not terminal, has an IP, and not terminating unless those are wanted. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase
  if (phase === 'Succeeded' || phase === 'Failed') return false
  if (podIP(pod) === undefined) return false
  return includeTerminating || pod.metadata?.deletionTimestamp === undefined
}

/** `ShouldSetHostname`: the pod names a hostname and this Service as its subdomain. */
export function hostnameFor(pod: Pod, service: Service): string | undefined {
  const hostname = pod.spec?.hostname
  return hostname && pod.spec?.subdomain === nameOf(service) && namespaceOf(pod) === namespaceOf(service) ? hostname : undefined
}

/**
 * `FindPort`: a numeric targetPort as it is; a named one from the pod's container ports with that
 * name and the Service port's protocol (sidecar init containers too). Undefined: the pod is skipped for this port.
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port
  if (typeof target === 'number') return target
  const protocol = servicePort.protocol ?? 'TCP'
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')
  for (const container of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort
    }
  }
  return undefined
}

/** The targetRef of an endpoint for a pod. */
export const podReference = (pod: KubeObject): NonNullable<EndpointAddress['targetRef']> => ({
  kind: 'Pod',
  namespace: namespaceOf(pod),
  name: nameOf(pod),
  uid: uidOf(pod),
})

/** Keys of the Services a change asks to look at again: the Service itself, and those selecting the pod before or after. */
export function serviceKeysFor(change: Change, state: ClusterView, ownKind: string): string[] {
  const { event, previous } = change
  const keys = new Set<string>()
  if (event.kind === 'Service') keys.add(`${event.namespace}/${event.name}`)
  else if (event.kind === 'Pod') {
    for (const pod of [previous, event.type === 'Deleted' ? undefined : event.object]) {
      if (pod) for (const service of servicesSelecting(state, pod)) keys.add(keyOfObject(service))
    }
  } else if (event.kind === ownKind) {
    const name = ownKind === 'Endpoints' ? event.name : labelsOf(event.object)['kubernetes.io/service-name']
    if (name && getObject(state, 'Service', event.namespace, name)) keys.add(`${event.namespace}/${name}`)
  }
  return [...keys]
}
