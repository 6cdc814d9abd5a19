import { describe, expect, it } from 'vitest'
import { resourceReplicas, type CalculatorOptions } from '../../services/controllers/horizontal-pod-autoscaler-replicas.js'
import { PodMetrics } from '../../services/kubelet/pod-metrics.js'
import type { JsonObject } from '../../services/json.js'

const now = new Date('2026-11-26T12:00:00Z')
const longAgo = '2026-11-26T11:00:00Z'

function setup(pods: Array<{ usage?: number; ready?: boolean; started?: string; request?: string }>) {
  const metrics = new PodMetrics()
  const list: JsonObject[] = pods.map((p, i) => {
    const name = `web-${i}`
    if (p.usage !== undefined) metrics.report(`default/${name}`, { cpuMillis: p.usage, memoryBytes: 0, timestamp: now })
    return {
      metadata: { name, namespace: 'default' },
      spec: { containers: [{ name: 'web', resources: p.request === undefined ? { requests: { cpu: '100m' } } : {} }] },
      status: {
        phase: 'Running',
        startTime: p.started ?? longAgo,
        conditions: [{ type: 'Ready', status: p.ready === false ? 'False' : 'True', lastTransitionTime: p.started ?? longAgo }],
      },
    }
  })
  const options: CalculatorOptions = { metrics, tolerance: 0.1, cpuInitializationPeriodMs: 300_000, initialReadinessDelayMs: 30_000 }
  return (current: number, utilization = 50) => resourceReplicas(list, 'cpu', { utilization }, current, options, now)
}

describe('the HorizontalPodAutoscaler replica calculator', () => {
  it('asks for ceil(current × usage / target) replicas', () => {
    expect(setup([{ usage: 80 }, { usage: 80 }, { usage: 80 }])(3)).toEqual({ replicas: 5, utilization: 80, rawAverage: 80 })
  })

  it('keeps the current count within the 10% tolerance', () => {
    expect(setup([{ usage: 54 }, { usage: 54 }])(2)).toMatchObject({ replicas: 2, utilization: 54 })
    expect(setup([{ usage: 56 }, { usage: 56 }])(2)).toMatchObject({ replicas: 3 })
  })

  it('counts pods without metrics as using nothing when scaling up', () => {
    // 100% on two pods, the third unknown: (100 + 100 + 0) / 300 = 66% of request → 1.32 × 3.
    expect(setup([{ usage: 100 }, { usage: 100 }, {}])(3)).toMatchObject({ replicas: 4, utilization: 100 })
  })

  it('counts pods without metrics as using all of their request when scaling down', () => {
    // 10% on three pods, the fourth unknown: (30 + 100) / 400 = 32% → 0.64 × 4, not 0.2 × 3.
    expect(setup([{ usage: 10 }, { usage: 10 }, { usage: 10 }, {}])(4)).toMatchObject({ replicas: 3 })
  })

  it('counts pods that are not yet ready as using nothing when scaling up', () => {
    const starting = new Date(now.getTime() - 60_000).toISOString()
    expect(setup([{ usage: 100 }, { usage: 100 }, { usage: 100, ready: false, started: starting }])(3)).toMatchObject({ replicas: 4 })
  })

  it('reports a pod without a request for the resource', () => {
    expect(setup([{ usage: 100 }, { usage: 100, request: 'none' }])(2)).toEqual({ error: 'missing request for cpu' })
  })

  it('reports no metrics at all', () => {
    expect(setup([{}, {}])(2)).toEqual({ error: 'unable to get metrics for resource cpu: no metrics returned from resource metrics API' })
  })
})
