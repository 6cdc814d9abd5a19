import { describe, expect, it } from 'vitest'
import { createHorizontalPodAutoscalerController } from '../../services/controllers/horizontal-pod-autoscaler.controller.js'
import { PodMetrics } from '../../services/kubelet/pod-metrics.js'
import type { JsonObject } from '../../services/json.js'
import { NOW, ReconcilerSpecification, recorded, scaled, secondsFromNow, statusWritten } from '../support/given.js'

const now = secondsFromNow(0)

/** A fresh autoscaler (its scaling history is its own), and the metrics it reads. */
function autoscaler() {
  const metrics = new PodMetrics()
  return { metrics, given: ReconcilerSpecification.for(createHorizontalPodAutoscalerController({ metrics })) }
}

const deployment = (replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
  },
})

const hpa = (
  metric: JsonObject = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
  status: JsonObject = {},
) => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 10, metrics: [metric] },
  status,
})

/** `count` running pods, ready for ten minutes, each requesting 100m and using `cpuMillis` of it at `at`. */
function pods(metrics: PodMetrics, count: number, cpuMillis: number, at: Date = NOW): JsonObject[] {
  return Array.from({ length: count }, (_, i) => {
    metrics.report(`default/web-${i}`, { cpuMillis, memoryBytes: 0, timestamp: at })
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `web-${i}`, namespace: 'default', labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'web:1', resources: { requests: { cpu: '100m' } } }] },
      status: {
        phase: 'Running',
        startTime: secondsFromNow(-600),
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: secondsFromNow(-600) }],
      },
    }
  })
}

const conditionsOf = (status: JsonObject | undefined) =>
  Object.fromEntries(((status?.conditions ?? []) as JsonObject[]).map((c) => [c.type, [c.status, c.reason]]))

describe('the HorizontalPodAutoscaler controller decides', () => {
  it("to scale up under load, through the target's scale, conditional on the target it read", () => {
    const { metrics, given } = autoscaler()
    const when = given(deployment(2), pods(metrics, 2, 100), hpa()).when('default/web')
    // 100% of the request against a 50% target: twice as many pods.
    when.thenRequeuesAfter(15_000).then(
      { ...scaled('Deployment', 'default/web', 4), resourceVersion: '1' },
      statusWritten('HorizontalPodAutoscaler', 'default/web', {
        currentReplicas: 2,
        desiredReplicas: 4,
        lastScaleTime: now,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 100, averageValue: '100m' } } }],
      }),
      recorded('Normal', 'SuccessfulRescale', 'New size: 4; reason: cpu resource utilization (percentage of request) above target'),
    )
    expect(conditionsOf(when.status)).toEqual({
      AbleToScale: ['True', 'SucceededRescale'],
      ScalingActive: ['True', 'ValidMetricFound'],
      ScalingLimited: ['False', 'DesiredWithinRange'],
    })
  })

  it('to scale up no faster than the default policies allow (4 pods or 100% a period), and never past maxReplicas', () => {
    const first = autoscaler()
    // 400% against 50%: 32 pods wanted; 4 + 4 or 4 × 2 at most.
    const limited = first.given(deployment(4), pods(first.metrics, 4, 400), hpa()).when('default/web')
    limited.thenIncludes(scaled('Deployment', 'default/web', 8))
    expect(conditionsOf(limited.status).ScalingLimited).toEqual(['True', 'ScaleUpLimit'])
    // Within the same 15 s period, that rise used up what the policies allow.
    expect(
      first
        .given(deployment(8), pods(first.metrics, 8, 400), hpa())
        .when('default/web', secondsFromNow(14))
        .writes('scale'),
    ).toEqual([])
    const second = autoscaler()
    const capped = second.given(deployment(8), pods(second.metrics, 8, 400), hpa()).when('default/web')
    capped.thenIncludes(scaled('Deployment', 'default/web', 10))
    expect(conditionsOf(capped.status).ScalingLimited).toEqual(['True', 'TooManyReplicas'])
  })

  it('to change nothing while usage is within 10% of the target', () => {
    const { metrics, given } = autoscaler()
    const when = given(deployment(10), pods(metrics, 10, 53), hpa()).when('default/web')
    when.thenExcludes(scaled('Deployment', 'default/web', 11))
    expect(when.writes('scale')).toEqual([])
    expect(when.status).toMatchObject({ currentReplicas: 10, desiredReplicas: 10 })
    expect(conditionsOf(when.status)).toMatchObject({
      AbleToScale: ['True', 'ReadyForNewScale'],
      ScalingLimited: ['False', 'DesiredWithinRange'],
    })
  })

  it('to scale down only after the 300 s stabilization window, to the highest recommendation within it', () => {
    const { metrics, given } = autoscaler()
    const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000)
    // First seen at 10 replicas: that is its first recommendation.
    const first = given(deployment(10), pods(metrics, 10, 10, at(0)), hpa()).when('default/web', at(0))
    expect(first.writes('scale')).toEqual([])
    expect(conditionsOf(first.status).AbleToScale).toEqual(['True', 'ScaleDownStabilized'])
    for (let t = 15; t < 300; t += 15)
      expect(
        given(deployment(10), pods(metrics, 10, 10, at(t)), hpa())
          .when('default/web', at(t))
          .writes('scale'),
      ).toEqual([])
    // 300 s on, the first recommendation has left the window; every one since asks for 2.
    given(deployment(10), pods(metrics, 10, 10, at(300)), hpa())
      .when('default/web', at(300))
      .thenIncludes(
        scaled('Deployment', 'default/web', 2),
        recorded('Normal', 'SuccessfulRescale', 'New size: 2; reason: All metrics below target'),
      )
  })

  it('to report a metric it cannot compute, leaving the target alone', () => {
    const { metrics, given } = autoscaler()
    const memory = { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 50 } } }
    const when = given(deployment(2), pods(metrics, 2, 10), hpa(memory)).when('default/web')
    when.thenIncludes(
      recorded('Warning', 'FailedGetResourceMetric', 'missing request for memory'),
      recorded('Warning', 'FailedComputeMetricsReplicas'),
    )
    expect(when.writes('scale')).toEqual([])
    expect(((when.status?.conditions ?? []) as JsonObject[]).find((c) => c.type === 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message: 'the HPA was unable to compute the replica count: missing request for memory',
    })
  })

  it('to say so when its target does not exist', () => {
    const { given } = autoscaler()
    const when = given(hpa()).when('default/web')
    when.thenIncludes(recorded('Warning', 'FailedGetScale', 'deployments.apps "web" not found'))
    expect(conditionsOf(when.status).AbleToScale).toEqual(['False', 'FailedGetScale'])
  })
})
