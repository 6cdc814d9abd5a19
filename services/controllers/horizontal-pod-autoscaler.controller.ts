import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js'
import { eventObject, getObject, listObjects, type ClusterView } from '../../projections/cluster-state.js'
import { timestamp } from '../api/context.js'
import { scaleOf } from '../api/scale.js'
import type { PodMetricsApi } from '../runtime/metrics-api.js'
import { deepEqual, objectAt, type JsonObject } from '../json.js'
import { qualifiedResourceName, type KindDefinition } from '../resources/kind.js'
import { matchesLabels, parseLabelSelector, type LabelSelector } from '../resources/label-selector.js'
import { registry } from '../resources/registry.js'
import { milliValue, parseQuantity, quantityString } from '../resources/validation/quantity.js'
import { scalingRules, ScalingMemory } from './horizontal-pod-autoscaler-behavior.js'
import { resourceReplicas, type CalculatorOptions } from './horizontal-pod-autoscaler-replicas.js'
import { recordEvent } from '../runtime/events.js'
import { asJson, keysOfKind, labelsOf, meta } from '../runtime/objects.js'
import { keyOf, nothing, splitKey, type Action, type Controller, type Reconciliation } from '../runtime/controller.js'

const COMPONENT = 'horizontal-pod-autoscaler'

export interface HorizontalPodAutoscalerControllerOptions {
  /** Pod usage as the kubelets report it. */
  metrics: PodMetricsApi
  /** @default 0.1 */
  tolerance?: number
  /** @default 300000 */
  cpuInitializationPeriodMs?: number
  /** @default 30000 */
  initialReadinessDelayMs?: number
  /** How often each autoscaler is looked at (`--horizontal-pod-autoscaler-sync-period`). @default 15000 */
  syncPeriodMs?: number
}

/**
 * The HorizontalPodAutoscaler controller (autoscaling/v2, kubernetes `pkg/controller/podautoscaler`):
 * every 15 s, the replicas each resource metric asks for (`ceil(current × usage / target)`, none
 * within the tolerance), the highest of them, stabilized and rate-limited by spec.behavior (or
 * the default behavior), clamped to [minReplicas, maxReplicas], set through the target's scale.
 */
export function createHorizontalPodAutoscalerController(options: HorizontalPodAutoscalerControllerOptions): Controller {
  const memory = new ScalingMemory()
  const calculator: CalculatorOptions = {
    metrics: options.metrics,
    tolerance: options.tolerance ?? 0.1,
    cpuInitializationPeriodMs: options.cpuInitializationPeriodMs ?? 300_000,
    initialReadinessDelayMs: options.initialReadinessDelayMs ?? 30_000,
  }
  const syncPeriodMs = options.syncPeriodMs ?? 15_000
  return {
    name: 'horizontal-pod-autoscaler',
    keysFor: (change) => {
      const { event, previous } = change
      if (event.kind !== 'HorizontalPodAutoscaler') return []
      const current = eventObject(event)
      // Its own status writes do not hurry the next sync: each autoscaler is synced every period.
      if (current && previous && deepEqual(current.spec, previous.spec)) return []
      return [keyOf(event.namespace, event.name)]
    },
    allKeys: (state) => keysOfKind(state, 'HorizontalPodAutoscaler'),
    reconcile: (key, state, now) => {
      const { namespace, name } = splitKey(key)
      const hpa = getObject(state, 'HorizontalPodAutoscaler', namespace, name)
      if (!hpa) {
        memory.forget(key)
        return nothing
      }
      return { ...syncAutoscaler(hpa, key, state, now, memory, calculator), requeueAfterMs: syncPeriodMs }
    },
  }
}

/** `setCondition`: replaces reason and message, and the transition time only when the status changes. */
function setCondition(
  conditions: JsonObject[],
  type: string,
  conditionStatus: 'True' | 'False',
  reason: string,
  message: string,
  now: Date,
): void {
  const i = conditions.findIndex((c) => c.type === type)
  const lastTransitionTime = i >= 0 && conditions[i]!.status === conditionStatus ? conditions[i]!.lastTransitionTime : timestamp(now)
  const next = { type, status: conditionStatus, lastTransitionTime, reason, message }
  if (i >= 0) conditions[i] = next
  else conditions.push(next)
}

function syncAutoscaler(
  hpa: HorizontalPodAutoscaler,
  key: string,
  state: ClusterView,
  now: Date,
  memory: ScalingMemory,
  calculator: CalculatorOptions,
): Reconciliation {
  // The status is built as JSON: fields go (currentMetrics) or stay unset as Kubernetes' do.
  const before: JsonObject = { ...hpa.status }
  const conditions: JsonObject[] = (hpa.status?.conditions ?? []).map((c) => ({ ...c }))
  const set = (type: string, s: 'True' | 'False', reason: string, message: string) =>
    setCondition(conditions, type, s, reason, message, now)
  const events: Action[] = []
  const warn = (reason: string, message: string) =>
    events.push(recordEvent(hpa, { type: 'Warning', reason, message, component: COMPONENT }, now))
  const finish = (next: JsonObject, writes: Action[] = []): Reconciliation => {
    if (conditions.length > 0) next.conditions = conditions
    const status: Action[] = deepEqual(next, before) ? [] : [{ type: 'updateStatus', object: { ...hpa, status: next } }]
    return { actions: [...writes, ...status, ...events] }
  }
  const keep = (currentReplicas: unknown): JsonObject => ({
    ...before,
    currentReplicas: currentReplicas ?? before.currentReplicas ?? 0,
    desiredReplicas: before.desiredReplicas ?? 0,
  })

  // The target's scale.
  const ref = hpa.spec?.scaleTargetRef
  const namespace = String(hpa.metadata?.namespace)
  let definition: KindDefinition
  let target: JsonObject | undefined
  try {
    definition = registry.forManifest(ref?.apiVersion ?? '', ref?.kind)
    if (!definition.scale)
      throw new Error(`the server could not find the requested resource (get ${qualifiedResourceName(definition)} scale)`)
    target = getObject(state, definition.kind, namespace, String(ref?.name))
    if (!target) throw new Error(`${qualifiedResourceName(definition)} "${String(ref?.name)}" not found`)
  } catch (error) {
    const message = (error as Error).message
    warn('FailedGetScale', message)
    set('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${message}`)
    return finish(keep(undefined))
  }
  const scale = scaleOf(definition, target)
  set('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale")
  const current = Number(objectAt(scale, 'spec')?.replicas ?? 0)
  memory.recordInitial(key, current, now)
  const min = hpa.spec?.minReplicas ?? 1
  const max = hpa.spec?.maxReplicas ?? 0
  const rules = scalingRules(hpa)

  let desired: number
  let reason = ''
  let metrics: JsonObject[] | undefined
  if (current === 0 && min !== 0) {
    set('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero')
    return finish({ ...keep(current), desiredReplicas: 0, currentMetrics: undefined })
  } else if (current > max) {
    reason = 'Current number of replicas above Spec.MaxReplicas'
    desired = max
  } else if (current < min) {
    reason = 'Current number of replicas below Spec.MinReplicas'
    desired = min
  } else {
    const computed = replicasForMetrics(hpa, state, String(objectAt(scale, 'status')?.selector ?? ''), current, now, calculator, set, warn)
    if ('error' in computed) {
      warn('FailedComputeMetricsReplicas', computed.error)
      return finish(keep(current))
    }
    metrics = computed.statuses
    if (computed.replicas > current) reason = `${computed.metric} above target`
    if (computed.replicas < current) reason = 'All metrics below target'
    const stabilized = memory.stabilize(key, current, computed.replicas, rules, now)
    if (stabilized.recommendation !== computed.replicas) set('AbleToScale', 'True', stabilized.reason, stabilized.message)
    else set('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size')
    const limited = memory.limit(key, current, stabilized.recommendation, min, max, rules, now)
    set('ScalingLimited', limited.replicas === stabilized.recommendation ? 'False' : 'True', limited.reason, limited.message)
    desired = limited.replicas
  }

  const next: JsonObject = { ...before, currentReplicas: current, desiredReplicas: desired, currentMetrics: metrics }
  if (desired === current) return finish({ ...next, desiredReplicas: current })
  set('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`)
  events.push(
    recordEvent(
      asJson(hpa),
      { reason: 'SuccessfulRescale', message: `New size: ${desired}; reason: ${reason}`, component: COMPONENT },
      now,
    ),
  )
  memory.recordScale(key, current, desired, rules, now)
  next.lastScaleTime = timestamp(now)
  // Through the scale subresource, conditional on the target as read.
  const scaleWrite: Action = {
    type: 'scale',
    kind: definition.kind,
    namespace,
    name: String(ref?.name),
    replicas: desired,
    resourceVersion: String(meta(target).resourceVersion),
    reason: `New size: ${desired}; reason: ${reason}`,
  }
  return finish(next, [scaleWrite])
}

type SetCondition = (type: string, s: 'True' | 'False', reason: string, message: string) => void

/** `computeReplicasForMetrics`: the highest proposal of the metrics that could be computed. */
function replicasForMetrics(
  hpa: HorizontalPodAutoscaler,
  state: ClusterView,
  selectorText: string,
  current: number,
  now: Date,
  calculator: CalculatorOptions,
  set: SetCondition,
  warn: (reason: string, message: string) => void,
): { replicas: number; metric: string; statuses: JsonObject[] } | { error: string } {
  if (selectorText === '') {
    warn('SelectorRequired', 'selector is required')
    set('ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector")
    return { error: 'selector is required' }
  }
  let selector: LabelSelector
  try {
    selector = parseLabelSelector(selectorText)
  } catch (error) {
    const message = `couldn't convert selector into a corresponding internal selector object: ${(error as Error).message}`
    warn('InvalidSelector', message)
    set('ScalingActive', 'False', 'InvalidSelector', message)
    return { error: message }
  }
  const pods = listObjects(state, 'Pod', String(hpa.metadata?.namespace)).filter((p) => matchesLabels(selector, labelsOf(p)))
  const specs = hpa.spec?.metrics ?? []
  const statuses: JsonObject[] = []
  let best: { replicas: number; metric: string } | undefined
  let firstError: { reason: string; message: string; error: string } | undefined
  let invalid = 0
  for (const metric of specs) {
    const name = metric.resource?.name ?? ''
    const targetSpec = metric.resource?.target
    const average = targetSpec?.averageValue !== undefined ? parseQuantity(targetSpec.averageValue) : undefined
    let outcome: ReturnType<typeof resourceReplicas> | undefined
    let reason = 'FailedGetResourceMetric'
    if (metric.type !== 'Resource') {
      reason = ['Pods', 'Object', 'External', 'ContainerResource'].includes(metric.type)
        ? `FailedGet${metric.type}Metric`
        : 'InvalidMetricSourceType'
      outcome = {
        error:
          reason === 'InvalidMetricSourceType'
            ? `unknown metric source type "${String(metric.type)}"`
            : `${String(metric.type)} metrics are not served (only resource metrics are)`,
      }
    } else if (name !== 'cpu' && name !== 'memory')
      outcome = { error: `unable to get metrics for resource ${name}: no metrics returned from resource metrics API` }
    else if (average) outcome = resourceReplicas(pods, name, { averageMilli: milliValue(average) }, current, calculator, now)
    else if (targetSpec?.averageUtilization !== undefined)
      outcome = resourceReplicas(pods, name, { utilization: targetSpec.averageUtilization }, current, calculator, now)
    else outcome = { error: 'invalid resource metric source: neither a utilization target nor a value target was set' }
    if ('error' in outcome) {
      warn(reason, outcome.error)
      invalid++
      firstError ??= {
        reason,
        message: `the HPA was unable to compute the replica count: ${outcome.error}`,
        error: reason === 'FailedGetResourceMetric' ? `failed to get ${name} utilization: ${outcome.error}` : outcome.error,
      }
      continue
    }
    const metricName = average ? `${name} resource` : `${name} resource utilization (percentage of request)`
    const averageValue = quantityString({ nanos: BigInt(outcome.rawAverage) * 1_000_000n, format: 'DecimalSI' })
    statuses.push({
      type: 'Resource',
      resource: { name, current: { ...(outcome.utilization !== undefined && { averageUtilization: outcome.utilization }), averageValue } },
    })
    if (!best || outcome.replicas > best.replicas) best = { replicas: outcome.replicas, metric: metricName }
  }
  if (!best) {
    if (firstError) set('ScalingActive', 'False', firstError.reason, firstError.message)
    return { error: `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError?.error ?? 'no metrics'}` }
  }
  set('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${best.metric}`)
  return { ...best, statuses }
}
