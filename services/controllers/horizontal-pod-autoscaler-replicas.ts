import type { Pod } from 'kubernetes-types/core/v1.js'
import type { PodMetricsApi } from '../runtime/metrics-api.js'
import { milliValue, parseQuantity } from '../resources/validation/quantity.js'
import { condition, isDeleting, keyOfObject, nameOf } from '../runtime/objects.js'

/**
 * Kubernetes' replica calculator for resource metrics (`pkg/controller/podautoscaler/
 * replica_calculator.go`): the replicas a resource target asks for, from the usage the kubelets
 * report in PodMetrics. Missing metrics count as 0% when scaling up and 100% when scaling down;
 * pods not yet ready (or still starting) count as 0% when scaling up and are otherwise ignored.
 */

export interface CalculatorOptions {
  metrics: PodMetricsApi
  /** @default 0.1 (`--horizontal-pod-autoscaler-tolerance`) */
  tolerance: number
  /** @default 300000 (`--horizontal-pod-autoscaler-cpu-initialization-period`) */
  cpuInitializationPeriodMs: number
  /** @default 30000 (`--horizontal-pod-autoscaler-initial-readiness-delay`) */
  initialReadinessDelayMs: number
}

export type ResourceName = 'cpu' | 'memory'

export interface Proposal {
  replicas: number
  /** Mean usage as a percentage of the request (Utilization targets). */
  utilization?: number
  /** Mean usage per pod, in milli-units. */
  rawAverage: number
}

/** Raw usage of a pod, in milli-units: millicores, or thousandths of a byte. */
function usageOf(metrics: PodMetricsApi, pod: Pod, resource: ResourceName): { value: number; timestamp: Date } | undefined {
  const usage = metrics.get(keyOfObject(pod))
  if (!usage) return undefined
  return { value: resource === 'cpu' ? usage.cpuMillis : usage.memoryBytes * 1000, timestamp: usage.timestamp }
}

/** `groupPods`: ready pods, pods whose sample is ignored (pending, unready, starting) and pods without one. */
function groupPods(
  pods: Pod[],
  samples: Map<string, { value: number; timestamp: Date }>,
  resource: ResourceName,
  options: CalculatorOptions,
  now: Date,
) {
  let ready = 0
  const ignored = new Set<string>()
  const missing = new Set<string>()
  for (const pod of pods) {
    if (isDeleting(pod) || pod.status?.phase === 'Failed') continue
    const name = nameOf(pod)
    if (pod.status?.phase === 'Pending') {
      ignored.add(name)
      continue
    }
    const sample = samples.get(name)
    if (!sample) {
      missing.add(name)
      continue
    }
    if (resource === 'cpu') {
      const readyCondition = condition(pod, 'Ready')
      const started = Date.parse(pod.status?.startTime ?? '')
      const transition = Date.parse(readyCondition?.lastTransitionTime ?? '')
      let ignore: boolean
      if (!readyCondition || !Number.isFinite(started)) ignore = true
      else if (started + options.cpuInitializationPeriodMs > now.getTime()) {
        // Still initialising: only a sample taken since the pod became ready counts.
        ignore = readyCondition.status === 'False' || sample.timestamp.getTime() < transition
      } else ignore = readyCondition.status === 'False' && started + options.initialReadinessDelayMs > transition
      if (ignore) {
        ignored.add(name)
        continue
      }
    }
    ready++
  }
  return { ready, ignored, missing }
}

/** `calculatePodRequests`: every container must request the resource. */
function podRequests(pods: Pod[], resource: ResourceName): Map<string, number> | string {
  const requests = new Map<string, number>()
  for (const pod of pods) {
    let sum = 0
    for (const container of pod.spec?.containers ?? []) {
      const request = container.resources?.requests?.[resource]
      const quantity = request === undefined ? undefined : parseQuantity(request)
      if (!quantity) return `missing request for ${resource}`
      sum += milliValue(quantity)
    }
    requests.set(nameOf(pod), sum)
  }
  return requests
}

/**
 * `GetResourceReplicas` (`targetUtilization` in percent) or `GetRawResourceReplicas`
 * (`targetAverage` in milli-units): the proposal, or the error Kubernetes reports.
 */
export function resourceReplicas(
  pods: Pod[],
  resource: ResourceName,
  target: { utilization: number } | { averageMilli: number },
  currentReplicas: number,
  options: CalculatorOptions,
  now: Date,
): Proposal | { error: string } {
  const samples = new Map<string, { value: number; timestamp: Date }>()
  for (const pod of pods) {
    const usage = usageOf(options.metrics, pod, resource)
    if (usage) samples.set(nameOf(pod), usage)
  }
  if (samples.size === 0) return { error: `unable to get metrics for resource ${resource}: no metrics returned from resource metrics API` }
  if (pods.length === 0) return { error: 'no pods returned by selector while calculating replica count' }
  const { ready, ignored, missing } = groupPods(pods, samples, resource, options, now)
  for (const name of ignored) samples.delete(name)
  const requests = 'utilization' in target ? podRequests(pods, resource) : new Map<string, number>()
  if (typeof requests === 'string') return { error: requests }
  if (samples.size === 0) return { error: 'did not receive metrics for any ready pods' }

  const ratio = (values: Map<string, { value: number }>) => {
    let total = 0
    let requested = 0
    for (const [name, sample] of values) {
      if ('utilization' in target && !requests.has(name)) continue
      total += sample.value
      requested += requests.get(name) ?? 0
    }
    if ('averageMilli' in target)
      return { ratio: Math.floor(total / values.size) / target.averageMilli, utilization: undefined, raw: Math.floor(total / values.size) }
    if (requested === 0) return undefined
    const utilization = Math.floor((total * 100) / requested)
    return { ratio: utilization / target.utilization, utilization, raw: Math.floor(total / values.size) }
  }
  const first = ratio(samples)
  if (!first) return { error: 'no metrics returned matched known pods' }
  const proposal = (replicas: number): Proposal => ({
    replicas,
    rawAverage: first.raw,
    ...(first.utilization !== undefined && { utilization: first.utilization }),
  })
  const rebalanceIgnored = ignored.size > 0 && first.ratio > 1
  if (!rebalanceIgnored && missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= options.tolerance) return proposal(currentReplicas)
    return proposal(Math.ceil(first.ratio * ready))
  }
  if (first.ratio < 1) {
    for (const name of missing)
      samples.set(name, { value: 'utilization' in target ? (requests.get(name) ?? 0) : target.averageMilli, timestamp: now })
  } else if (first.ratio > 1) {
    for (const name of missing) samples.set(name, { value: 0, timestamp: now })
  }
  if (rebalanceIgnored) for (const name of ignored) samples.set(name, { value: 0, timestamp: now })
  const second = ratio(samples)!
  const flips = (first.ratio < 1 && second.ratio > 1) || (first.ratio > 1 && second.ratio < 1)
  if (Math.abs(1 - second.ratio) <= options.tolerance || flips) return proposal(currentReplicas)
  const replicas = Math.ceil(second.ratio * samples.size)
  if ((second.ratio < 1 && replicas > currentReplicas) || (second.ratio > 1 && replicas < currentReplicas)) return proposal(currentReplicas)
  return proposal(replicas)
}
