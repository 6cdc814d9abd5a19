import { getObject, listObjects } from '../../projections/cluster-state.js'
import { deepEqual, isObject, type JsonObject } from '../json.js'
import { repackSubsets, truncateSubsets, type AddressEntry, type EndpointAddress, type EndpointPort } from './endpoints-subsets.js'
import { annotationsOf, condition, isPodReady, keyOfObject, labelsOf, meta, spec } from '../runtime/objects.js'
import {
  findPort,
  hostnameFor,
  podIP,
  podReference,
  podSelector,
  selectedPods,
  serviceKeysFor,
  shouldPodBeInEndpoints,
} from './pod-endpoints.js'
import { nothing, splitKey, type Controller } from '../runtime/controller.js'

export const HEADLESS_LABEL = 'service.kubernetes.io/headless'
/** Set on the Endpoints this controller manages (Kubernetes ≥ 1.33). */
export const ENDPOINTS_MANAGED_BY = 'endpoints.kubernetes.io/managed-by'
const MANAGER = 'endpoint-controller'
const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time'
const OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity'

/**
 * The Endpoints controller (K `pkg/controller/endpoint/endpoints_controller.go`): for every Service
 * with a selector (not ExternalName), an Endpoints object of the same name listing the pods it
 * selects: ready ones under `addresses`, others under `notReadyAddresses` (everyone ready with
 * publishNotReadyAddresses), each port's targetPort resolved per pod, repacked and sorted as
 * Kubernetes does, truncated at 1000 addresses. Deleting the Service deletes its Endpoints.
 */
export function createEndpointsController(): Controller {
  return {
    name: 'endpoint',
    keysFor: (change, state) => serviceKeysFor(change, state, 'Endpoints'),
    allKeys: (state) => listObjects(state, 'Service').map(keyOfObject),
    reconcile: (key, state) => {
      const { namespace, name } = splitKey(key)
      const service = getObject(state, 'Service', namespace, name)
      const current = getObject(state, 'Endpoints', namespace, name)
      if (!service) {
        if (!current) return nothing
        return {
          actions: [{ type: 'delete', kind: 'Endpoints', namespace, name, options: { preconditions: { uid: String(meta(current).uid) } } }],
        }
      }
      const selector = podSelector(service)
      if (!selector) return nothing
      const publishNotReady = spec(service).publishNotReadyAddresses === true
      const entries: AddressEntry[] = []
      let triggerTime = String(meta(service).creationTimestamp ?? '')
      for (const pod of selectedPods(state, service, selector)) {
        if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue
        const hostname = hostnameFor(pod, service)
        const nodeName = spec(pod).nodeName
        const address: EndpointAddress = {
          ip: podIP(pod)!,
          ...(hostname && { hostname }),
          ...(typeof nodeName === 'string' && nodeName !== '' && { nodeName }),
          targetRef: podReference(pod) as unknown as NonNullable<EndpointAddress['targetRef']>,
        }
        const ready = publishNotReady || isPodReady(pod)
        const changed = String(condition(pod, 'Ready')?.lastTransitionTime ?? meta(pod).creationTimestamp ?? '')
        if (changed > triggerTime) triggerTime = changed
        const ports = (spec(service).ports as unknown[] | undefined)?.filter(isObject) ?? []
        if (ports.length === 0) {
          if (spec(service).clusterIP === 'None') entries.push({ address, ready, port: undefined })
          continue
        }
        for (const servicePort of ports) {
          const port = findPort(pod, servicePort)
          if (port === undefined) continue
          entries.push({ address, ready, port: endpointPort(servicePort, port) })
        }
      }
      const subsets = repackSubsets(entries)
      const truncated = truncateSubsets(subsets)
      const labels = endpointsLabels(service)
      const wantedSubsets = subsets.length > 0 ? subsets : undefined
      const currentAnnotations = current ? annotationsOf(current) : {}
      if (
        current &&
        deepEqual(current.subsets ?? undefined, wantedSubsets) &&
        deepEqual(labelsOf(current), labels) &&
        (currentAnnotations[OVER_CAPACITY] === 'truncated') === truncated
      ) {
        return nothing
      }
      const annotations: Record<string, string> = { ...currentAnnotations }
      delete annotations[OVER_CAPACITY]
      if (truncated) annotations[OVER_CAPACITY] = 'truncated'
      if (triggerTime !== '') annotations[TRIGGER_TIME] = triggerTime
      const metadata: JsonObject = { ...(current ? meta(current) : { name, namespace }), labels, annotations }
      const object: JsonObject = { apiVersion: 'v1', kind: 'Endpoints', metadata, ...(wantedSubsets && { subsets: wantedSubsets }) }
      return { actions: [current ? { type: 'update', object } : { type: 'create', object }] }
    },
  }
}

/** `endpointPortFromServicePort`: the Service port's name, protocol and appProtocol at the pod's port. */
function endpointPort(servicePort: JsonObject, port: number): EndpointPort {
  return {
    ...(typeof servicePort.name === 'string' && servicePort.name !== '' && { name: servicePort.name }),
    port,
    protocol: String(servicePort.protocol ?? 'TCP'),
    ...(typeof servicePort.appProtocol === 'string' && { appProtocol: servicePort.appProtocol }),
  }
}

/** The Service's labels, plus the headless label for headless Services and the managed-by label. */
function endpointsLabels(service: JsonObject): Record<string, string> {
  const labels: Record<string, string> = { ...labelsOf(service) }
  delete labels[HEADLESS_LABEL]
  if (spec(service).clusterIP === 'None') labels[HEADLESS_LABEL] = ''
  labels[ENDPOINTS_MANAGED_BY] = MANAGER
  return labels
}
