import type { ResourceQuota } from 'kubernetes-types/core/v1.js'
import { listObjects, type ClusterView } from '../../projections/cluster-state.js'
import { arrayAt, isObject, objectAt, type JsonObject } from '../json.js'
import { meta, spec, status } from '../resources/objects.js'
import type { KubeObject } from '../resources/kind-types.js'
import type { KindRegistry } from '../resources/registry.js'
import { parseQuantity, quantityString, type Quantity } from '../resources/validation/quantity.js'

/**
 * Usage as Kubernetes' quota evaluators count it (K `pkg/quota/v1/evaluator/core/pods.go`,
 * `services.go`, `persistent_volume_claims.go`, generic object counts; component-helpers
 * `resource.PodRequests`/`PodLimits`): object counts, node ports, and the compute requests and
 * limits of the pods that count (not terminal, not past their deletion grace period).
 */

const COUNTED: Record<string, string> = {
  pods: 'Pod',
  services: 'Service',
  configmaps: 'ConfigMap',
  secrets: 'Secret',
  persistentvolumeclaims: 'PersistentVolumeClaim',
  replicationcontrollers: 'ReplicationController',
  resourcequotas: 'ResourceQuota',
}

const COMPUTE: Record<string, [which: 'requests' | 'limits', resource: string]> = {
  cpu: ['requests', 'cpu'],
  memory: ['requests', 'memory'],
  'ephemeral-storage': ['requests', 'ephemeral-storage'],
  'requests.cpu': ['requests', 'cpu'],
  'requests.memory': ['requests', 'memory'],
  'requests.ephemeral-storage': ['requests', 'ephemeral-storage'],
  'limits.cpu': ['limits', 'cpu'],
  'limits.memory': ['limits', 'memory'],
  'limits.ephemeral-storage': ['limits', 'ephemeral-storage'],
}

/** A sum of quantities that keeps the format of the first non-zero one, as `Quantity.Add` does. */
export class Sum {
  nanos = 0n
  format: Quantity['format'] = 'DecimalSI'
  add(q: Quantity | undefined): void {
    if (!q) return
    if (this.nanos === 0n) this.format = q.format
    this.nanos += q.nanos
  }
  toString(): string {
    return quantityString({ nanos: this.nanos, format: this.format })
  }
}

/** `status.used` for the resources named in `hard` (resources no evaluator knows are left out). */
export function quotaUsage(state: ClusterView, registry: KindRegistry, quota: ResourceQuota, now: Date): Record<string, string> {
  const namespace = String(quota.metadata?.namespace)
  return usageOf((kind) => listObjects(state, kind, namespace), registry, quota, now)
}

/**
 * What `objectsOf` (the objects of a kind in the quota's namespace) use of the resources named in
 * the quota's `hard`. The controller passes the whole namespace; admission passes the one object
 * of a request, to learn what it would add (services/api/admission/resource-quota.ts).
 */
export function usageOf(
  objectsOf: (kind: string) => JsonObject[],
  registry: KindRegistry,
  quota: KubeObject,
  now: Date,
): Record<string, string> {
  const hard = objectAt(spec(quota), 'hard') ?? {}
  const scopes = arrayAt(spec(quota), 'scopes').map(String)
  const pods = objectsOf('Pod').filter((p) => countsForQuota(p, now) && inScopes(p, scopes))
  const used: Record<string, string> = {}
  for (const resource of Object.keys(hard)) {
    const counted = COUNTED[resource] ?? countedKind(registry, resource)
    if (counted === 'Pod') used[resource] = String(pods.length)
    else if (counted) used[resource] = String(objectsOf(counted).length)
    else if (COMPUTE[resource]) {
      const [which, name] = COMPUTE[resource]
      const sum = new Sum()
      for (const pod of pods) sum.add(podResources(pod, which).get(name))
      used[resource] = sum.toString()
    } else if (resource === 'services.nodeports' || resource === 'services.loadbalancers') {
      let n = 0
      for (const service of objectsOf('Service')) {
        const s = spec(service)
        const ports = arrayAt(s, 'ports').filter(isObject)
        if (resource === 'services.loadbalancers') n += s.type === 'LoadBalancer' ? 1 : 0
        else if (s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false)) n += ports.length
        else if (s.type === 'LoadBalancer') n += ports.filter((p) => typeof p.nodePort === 'number' && p.nodePort !== 0).length
      }
      used[resource] = String(n)
    } else if (resource === 'requests.storage') {
      const sum = new Sum()
      for (const claim of objectsOf('PersistentVolumeClaim')) {
        const storage = objectAt(objectAt(spec(claim), 'resources'), 'requests')?.storage
        sum.add(parseQuantity(String(storage ?? '')))
      }
      used[resource] = sum.toString()
    }
  }
  return used
}

/** The kinds whose objects {@link usageOf} reads to count these quota resources. */
export function kindsCounted(resources: Iterable<string>, registry: KindRegistry): string[] {
  const kinds = new Set<string>()
  for (const resource of resources) {
    const counted = COUNTED[resource] ?? countedKind(registry, resource)
    if (counted) kinds.add(counted)
    else if (COMPUTE[resource]) kinds.add('Pod')
    else if (resource === 'services.nodeports' || resource === 'services.loadbalancers') kinds.add('Service')
    else if (resource === 'requests.storage') kinds.add('PersistentVolumeClaim')
  }
  return [...kinds]
}

/** `count/<resource>[.<group>]`: the kind it counts. */
function countedKind(registry: KindRegistry, resource: string): string | undefined {
  if (!resource.startsWith('count/')) return undefined
  const qualified = resource.slice('count/'.length)
  const definition = registry.kinds.find((k) => (k.group ? `${k.resource}.${k.group}` : k.resource) === qualified)
  return definition?.namespaced ? definition.kind : undefined
}

/** `QuotaV1Pod`: terminal pods, and pods past their deletion grace period, no longer count. */
export function countsForQuota(pod: JsonObject, now: Date): boolean {
  const phase = status(pod).phase
  if (phase === 'Succeeded' || phase === 'Failed') return false
  const deletion = meta(pod).deletionTimestamp
  const grace = meta(pod).deletionGracePeriodSeconds
  if (typeof deletion === 'string' && typeof grace === 'number' && now.getTime() > Date.parse(deletion) + grace * 1000) return false
  return true
}

/** The quota scopes that select pods: Terminating, NotTerminating, BestEffort, NotBestEffort. */
export function inScopes(pod: JsonObject, scopes: string[]): boolean {
  const terminating = typeof spec(pod).activeDeadlineSeconds === 'number'
  const bestEffort = status(pod).qosClass === 'BestEffort'
  return scopes.every((scope) => {
    if (scope === 'Terminating') return terminating
    if (scope === 'NotTerminating') return !terminating
    if (scope === 'BestEffort') return bestEffort
    if (scope === 'NotBestEffort') return !bestEffort
    return true
  })
}

/** `PodRequests` / `PodLimits`: containers summed, init containers as a maximum (sidecars cumulative), plus overhead. */
export function podResources(pod: JsonObject, which: 'requests' | 'limits'): Map<string, Quantity> {
  const total = new Map<string, Quantity>()
  const of = (container: unknown) => {
    const list = objectAt(objectAt(container, 'resources'), which) ?? {}
    const out = new Map<string, Quantity>()
    for (const [name, value] of Object.entries(list)) {
      const q = parseQuantity(String(value))
      if (q) out.set(name, q)
    }
    return out
  }
  // `Quantity.Add`: a sum keeps the format of its first non-zero term.
  const add = (into: Map<string, Quantity>, more: Map<string, Quantity>) => {
    for (const [name, q] of more) {
      const was = into.get(name)
      const format = was && was.nanos !== 0n ? was.format : q.format
      into.set(name, { nanos: (was?.nanos ?? 0n) + q.nanos, format })
    }
  }
  const max = (into: Map<string, Quantity>, other: Map<string, Quantity>) => {
    for (const [name, q] of other) if (!into.has(name) || into.get(name)!.nanos < q.nanos) into.set(name, q)
  }
  for (const container of arrayAt(spec(pod), 'containers')) add(total, of(container))
  const sidecars = new Map<string, Quantity>()
  const init = new Map<string, Quantity>()
  for (const container of arrayAt(spec(pod), 'initContainers')) {
    let reqs = of(container)
    if (isObject(container) && container.restartPolicy === 'Always') {
      add(total, reqs)
      add(sidecars, reqs)
      reqs = new Map(sidecars)
    } else {
      const withSidecars = new Map<string, Quantity>()
      add(withSidecars, reqs)
      add(withSidecars, sidecars)
      reqs = withSidecars
    }
    max(init, reqs)
  }
  max(total, init)
  const overhead = objectAt(spec(pod), 'overhead')
  if (overhead) add(total, of({ resources: { [which]: overhead } }))
  return total
}
