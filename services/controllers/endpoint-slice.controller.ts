import type { Service } from 'kubernetes-types/core/v1.js'
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import { getObject, listObjects, withLabel, type ClusterView } from '../../projections/cluster-state.js'
import { deepEqual } from '../json.js'
import { asJson, condition, controllerReference, isPodReady, keyOfObject, labelsOf, nameOf } from '../runtime/objects.js'
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
import { nothing, splitKey, type Action, type Controller } from '../runtime/controller.js'

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by'
export const MANAGED_BY = 'endpointslice-controller.k8s.io'
const HEADLESS_LABEL = 'service.kubernetes.io/headless'
const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time'
const ZONE_LABEL = 'topology.kubernetes.io/zone'

export interface EndpointSliceOptions {
  /** Kubernetes' `--max-endpoints-per-slice`. @default 100 */
  maxEndpointsPerSlice?: number
}

/**
 * The EndpointSlice controller (K `staging/src/k8s.io/endpointslice` reconciler): for every Service
 * with a selector, IPv4 EndpointSlices named `<service>-<5 random>`, labelled with the service
 * name and `managed-by: endpointslice-controller.k8s.io`, owned by the Service (so the garbage
 * collector removes them with it), one slice family per distinct set of resolved ports, at most
 * 100 endpoints a slice. Terminating pods stay, with conditions serving (Ready), terminating
 * (deletionTimestamp) and ready (publishNotReadyAddresses, or serving and not terminating). Like
 * upstream it keeps endpoints in the slice they are in, fills existing slices before creating
 * new ones, and keeps one empty placeholder slice when nothing backs the Service.
 */
export function createEndpointSliceController(options: EndpointSliceOptions = {}): Controller {
  const maxPerSlice = options.maxEndpointsPerSlice ?? 100
  return {
    name: 'endpointslice',
    keysFor: (change, state) => serviceKeysFor(change, state, 'EndpointSlice'),
    allKeys: (state) => listObjects(state, 'Service').map(keyOfObject),
    reconcile: (key, state) => {
      const { namespace, name } = splitKey(key)
      const service = getObject(state, 'Service', namespace, name)
      // A deleted Service's slices go with it: the garbage collector follows their ownerReferences.
      const selector = service && podSelector(service)
      if (!service || !selector) return nothing
      const existing = withLabel(state, 'EndpointSlice', SERVICE_NAME_LABEL, name).filter(
        (s) => s.metadata?.namespace === namespace && labelsOf(s)[MANAGED_BY_LABEL] === MANAGED_BY && s.addressType === 'IPv4',
      )
      const desired = desiredEndpoints(state, service, selector)
      const plan = distribute(existing, desired, maxPerSlice)
      const trigger = triggerTime(service, state, selector)
      const template = (ports: EndpointPort[] | undefined, endpoints: Endpoint[], current?: EndpointSlice): EndpointSlice => ({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          ...(current ? current.metadata : { generateName: `${name.slice(0, 57)}-`, namespace }),
          labels: sliceLabels(service),
          ...(current ? {} : { annotations: { [TRIGGER_TIME]: trigger } }),
          ownerReferences: [controllerReference(service)],
        },
        addressType: 'IPv4',
        endpoints,
        ...(ports !== undefined && { ports }),
      })
      const creates: Action[] = plan.creates.map(({ ports, endpoints }) => ({ type: 'create', object: asJson(template(ports, endpoints)) }))
      const updates: Action[] = []
      for (const { slice, endpoints } of plan.keeps) {
        const next = template(slice.ports, endpoints, slice)
        if (deepEqual(next, slice)) continue
        const annotations = { ...slice.metadata?.annotations, [TRIGGER_TIME]: trigger }
        updates.push({ type: 'update', object: asJson({ ...next, metadata: { ...next.metadata, annotations } }) })
      }
      const deletes: Action[] = plan.deletes.map((s) => ({
        type: 'delete',
        kind: 'EndpointSlice',
        namespace,
        name: nameOf(s),
        options: { preconditions: { uid: String(s.metadata?.uid) } },
      }))
      const actions = [creates, updates, deletes].filter((step) => step.length > 0)
      return actions.length > 0 ? { actions } : nothing
    },
  }
}

interface Desired {
  /** JSON of the endpoint's port list: endpoints with the same ports share slices. */
  portsKey: string
  ports: EndpointPort[]
  endpoint: Endpoint
  uid: string
}

function desiredEndpoints(state: ClusterView, service: Service, selector: Record<string, string>): Desired[] {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true
  const servicePorts = service.spec?.ports ?? []
  const out: Desired[] = []
  for (const pod of selectedPods(state, service, selector)) {
    if (!shouldPodBeInEndpoints(pod, true)) continue
    const ports: EndpointPort[] = []
    for (const servicePort of servicePorts) {
      const port = findPort(pod, servicePort)
      if (port === undefined) continue
      ports.push({
        name: servicePort.name ?? '',
        port,
        protocol: servicePort.protocol ?? 'TCP',
        ...(servicePort.appProtocol !== undefined && { appProtocol: servicePort.appProtocol }),
      })
    }
    const serving = isPodReady(pod)
    const terminating = pod.metadata?.deletionTimestamp !== undefined
    const hostname = hostnameFor(pod, service)
    const nodeName = pod.spec?.nodeName
    const zone = nodeName ? labelsOf(getObject(state, 'Node', '', nodeName) ?? {})[ZONE_LABEL] : undefined
    const endpoint: Endpoint = {
      addresses: [podIP(pod)!],
      conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
      ...(hostname && { hostname }),
      targetRef: podReference(pod),
      ...(nodeName !== undefined && nodeName !== '' && { nodeName }),
      ...(zone && { zone }),
    }
    out.push({ portsKey: portsKey(ports), ports, endpoint, uid: String(pod.metadata?.uid) })
  }
  return out
}

/** Identifies a port list whatever the key order it was stored with. */
const portsKey = (ports: EndpointPort[]) => JSON.stringify(ports.map((p) => [p.name ?? '', p.port, p.protocol, p.appProtocol ?? null]))

interface Plan {
  creates: Array<{ ports: EndpointPort[]; endpoints: Endpoint[] }>
  keeps: Array<{ slice: EndpointSlice; endpoints: Endpoint[] }>
  deletes: EndpointSlice[]
}

/** Where each endpoint goes: where it is if its slice still fits, else the first slice with room, else a new slice. */
function distribute(existing: EndpointSlice[], desired: Desired[], maxPerSlice: number): Plan {
  const plan: Plan = { creates: [], keeps: [], deletes: [] }
  const groups = new Map<string, Desired[]>()
  for (const d of desired) groups.set(d.portsKey, [...(groups.get(d.portsKey) ?? []), d])
  const used = new Set<EndpointSlice>()
  for (const [key, members] of groups) {
    const pending = new Map(members.map((d) => [d.uid, d]))
    const slices = existing.filter((s) => portsKey(s.ports ?? []) === key)
    const kept = slices.map((slice) => {
      const endpoints: Endpoint[] = []
      for (const endpoint of slice.endpoints ?? []) {
        const uid = endpoint.targetRef?.uid ?? ''
        const wanted = pending.get(uid)
        if (!wanted || endpoints.length >= maxPerSlice) continue
        endpoints.push(wanted.endpoint)
        pending.delete(uid)
      }
      return { slice, endpoints }
    })
    const rest = [...pending.values()].sort((a, b) => String(a.endpoint.targetRef?.name).localeCompare(String(b.endpoint.targetRef?.name)))
    for (const entry of kept) {
      while (entry.endpoints.length < maxPerSlice && rest.length > 0) entry.endpoints.push(rest.shift()!.endpoint)
      if (entry.endpoints.length === 0) continue
      plan.keeps.push(entry)
      used.add(entry.slice)
    }
    for (let i = 0; i < rest.length; i += maxPerSlice) {
      plan.creates.push({ ports: members[0]!.ports, endpoints: rest.slice(i, i + maxPerSlice).map((d) => d.endpoint) })
    }
  }
  if (desired.length === 0) {
    // The placeholder: one slice without endpoints or ports, so consumers see the Service has none.
    const placeholder = existing.find((s) => (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0) ?? existing[0]
    if (placeholder) {
      plan.keeps.push({ slice: { ...placeholder, ports: [] }, endpoints: [] })
      used.add(placeholder)
    } else plan.creates.push({ ports: [], endpoints: [] })
  }
  plan.deletes = existing.filter((s) => !used.has(s))
  return plan
}

/** The Service's labels (less the reserved ones) with the service name, manager and headless labels. */
function sliceLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = { ...labelsOf(service) }
  for (const reserved of [SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL]) delete labels[reserved]
  if (service.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = ''
  return { ...labels, [SERVICE_NAME_LABEL]: nameOf(service), [MANAGED_BY_LABEL]: MANAGED_BY }
}

/** The latest change the slices reflect: the Service's creation or a selected pod's readiness. */
function triggerTime(service: Service, state: ClusterView, selector: Record<string, string>): string {
  let latest = service.metadata?.creationTimestamp ?? ''
  for (const pod of selectedPods(state, service, selector)) {
    const changed = condition(pod, 'Ready')?.lastTransitionTime ?? pod.metadata?.creationTimestamp ?? ''
    if (changed > latest) latest = changed
  }
  return latest
}
