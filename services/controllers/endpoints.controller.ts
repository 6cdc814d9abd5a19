import type { Endpoints, Service, ServicePort } from 'kubernetes-types/core/v1.js'
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js'
import { getObject, listObjects } from '../../projections/cluster-state.js'
import { deepEqual } from '../json.js'
import { repackSubsets, truncateSubsets, type AddressEntry, type EndpointAddress, type EndpointPort } from './endpoints-subsets.js'
import { annotationsOf, asJson, condition, isPodReady, keyOfObject, labelsOf } from '../runtime/objects.js'
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
          actions: [
            { type: 'delete', kind: 'Endpoints', namespace, name, options: { preconditions: { uid: String(current.metadata?.uid) } } },
          ],
        }
      }
      const selector = podSelector(service)
      if (!selector) return nothing
      const publishNotReady = service.spec?.publishNotReadyAddresses === true
      const entries: AddressEntry[] = []
      let triggerTime = service.metadata?.creationTimestamp ?? ''
      for (const pod of selectedPods(state, service, selector)) {
        if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue
        const hostname = hostnameFor(pod, service)
        const nodeName = pod.spec?.nodeName
        const address: EndpointAddress = {
          ip: podIP(pod)!,
          ...(hostname && { hostname }),
          ...(nodeName !== undefined && nodeName !== '' && { nodeName }),
          targetRef: podReference(pod),
        }
        const ready = publishNotReady || isPodReady(pod)
        const changed = condition(pod, 'Ready')?.lastTransitionTime ?? pod.metadata?.creationTimestamp ?? ''
        if (changed > triggerTime) triggerTime = changed
        const ports = service.spec?.ports ?? []
        if (ports.length === 0) {
          if (service.spec?.clusterIP === 'None') entries.push({ address, ready, port: undefined })
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
      const metadata: ObjectMeta = { ...(current ? current.metadata : { name, namespace }), labels, annotations }
      const endpoints: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata, ...(wantedSubsets && { subsets: wantedSubsets }) }
      const object = asJson(endpoints)
      return { actions: [current ? { type: 'update', object } : { type: 'create', object }] }
    },
  }
}

/** `endpointPortFromServicePort`: the Service port's name, protocol and appProtocol at the pod's port. */
function endpointPort(servicePort: ServicePort, port: number): EndpointPort {
  return {
    ...(servicePort.name !== undefined && servicePort.name !== '' && { name: servicePort.name }),
    port,
    protocol: servicePort.protocol ?? 'TCP',
    ...(servicePort.appProtocol !== undefined && { appProtocol: servicePort.appProtocol }),
  }
}

/** The Service's labels, plus the headless label for headless Services and the managed-by label. */
function endpointsLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = { ...labelsOf(service) }
  delete labels[HEADLESS_LABEL]
  if (service.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = ''
  labels[ENDPOINTS_MANAGED_BY] = MANAGER
  return labels
}
