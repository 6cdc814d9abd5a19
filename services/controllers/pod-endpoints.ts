import { getObject, listObjects, servicesSelecting, type ClusterState } from '../../projections/cluster-state.js'
import type { Change } from '../../projections/projection.js'
import { arrayAt, isObject, objectAt, type JsonObject } from '../json.js'
import { keyOfObject, labelsOf, meta, nameOf, namespaceOf, spec, status, uidOf } from '../runtime/objects.js'

/**
 * What the Endpoints and EndpointSlice controllers share: which pods back a Service and at which
 * port (K `pkg/controller/util/endpointslice` `ShouldPodBeInEndpoints`, `podutil.FindPort`).
 */

/** The pod selector of a Service the controllers fill in; undefined for ExternalName and selector-less Services. */
export function podSelector(service: JsonObject): Record<string, string> | undefined {
  if (spec(service).type === 'ExternalName') return undefined
  const selector = objectAt(spec(service), 'selector')
  if (!selector || Object.keys(selector).length === 0) return undefined
  return selector as Record<string, string>
}

/** Pods in the Service's namespace whose labels include its selector. */
export function selectedPods(state: ClusterState, service: JsonObject, selector: Record<string, string>): JsonObject[] {
  return listObjects(state, 'Pod', namespaceOf(service)).filter((pod) => {
    const labels = labelsOf(pod)
    return Object.entries(selector).every(([k, v]) => labels[k] === v)
  })
}

/** The pod's IPv4 address, if it has one. */
export function podIP(pod: JsonObject): string | undefined {
  const ip = status(pod).podIP
  if (typeof ip === 'string' && ip !== '') return ip
  const first = arrayAt(status(pod), 'podIPs').find(isObject)
  return typeof first?.ip === 'string' && first.ip !== '' ? first.ip : undefined
}

/** `ShouldPodBeInEndpoints`: not terminal, has an IP, and not terminating unless those are wanted. */
export function shouldPodBeInEndpoints(pod: JsonObject, includeTerminating: boolean): boolean {
  const phase = status(pod).phase
  if (phase === 'Succeeded' || phase === 'Failed') return false
  if (podIP(pod) === undefined) return false
  return includeTerminating || meta(pod).deletionTimestamp === undefined
}

/** `ShouldSetHostname`: the pod names a hostname and this Service as its subdomain. */
export function hostnameFor(pod: JsonObject, service: JsonObject): string | undefined {
  const hostname = spec(pod).hostname
  return typeof hostname === 'string' &&
    hostname !== '' &&
    spec(pod).subdomain === nameOf(service) &&
    namespaceOf(pod) === namespaceOf(service)
    ? hostname
    : undefined
}

/**
 * `FindPort`: a numeric targetPort as it is; a named one from the pod's container ports with that
 * name and the Service port's protocol (sidecar init containers too). Undefined: the pod is skipped for this port.
 */
export function findPort(pod: JsonObject, servicePort: JsonObject): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port
  if (typeof target === 'number') return target
  if (typeof target !== 'string') return undefined
  const protocol = servicePort.protocol ?? 'TCP'
  const sidecars = arrayAt(spec(pod), 'initContainers').filter((c) => isObject(c) && c.restartPolicy === 'Always')
  for (const container of [...arrayAt(spec(pod), 'containers'), ...sidecars]) {
    for (const port of arrayAt(container, 'ports')) {
      if (isObject(port) && port.name === target && (port.protocol ?? 'TCP') === protocol && typeof port.containerPort === 'number')
        return port.containerPort
    }
  }
  return undefined
}

/** The targetRef of an endpoint for a pod. */
export const podReference = (pod: JsonObject): JsonObject => ({
  kind: 'Pod',
  namespace: namespaceOf(pod),
  name: nameOf(pod),
  uid: uidOf(pod),
})

/** Keys of the Services a change asks to look at again: the Service itself, and those selecting the pod before or after. */
export function serviceKeysFor(change: Change, state: ClusterState, ownKind: string): string[] {
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
