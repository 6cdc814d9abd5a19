import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../../services/json.js'
import { podRequests } from '../../services/scheduler/resources.js'
import { defaultNormalize, leastRequestedScore } from '../../services/scheduler/scores.js'
import { normalizeSpread } from '../../services/scheduler/topology-spread.js'
import { decide, node, pod } from './fixtures.js'

describe('pod requests', () => {
  const container = (cpu?: string, extra: JsonObject = {}) => ({
    name: `c${cpu}`,
    image: 'x',
    ...(cpu && { resources: { requests: { cpu, memory: '1Gi' } } }),
    ...extra,
  })

  it('sums the containers and takes the larger of that and the largest init container, plus overhead', () => {
    const { requests } = podRequests({
      containers: [container('1'), container('500m')],
      initContainers: [container('2'), container('1')],
      overhead: { cpu: '250m' },
    })
    expect(requests.milliCpu).toBe(2250)
    expect(requests.memory).toBe(2 * 2 ** 30)
  })

  it('adds restartable init containers (sidecars) to the containers and to the init containers after them', () => {
    const sidecar = container('300m', { restartPolicy: 'Always' })
    const { requests } = podRequests({ containers: [container('1')], initContainers: [container('1'), sidecar, container('1')] })
    // Running: 1 + 0.3; init: max(1, 0.3, 1 + 0.3).
    expect(requests.milliCpu).toBe(1300)
  })

  it('assumes 100m cpu and 200Mi memory for scoring a container that requests none', () => {
    const requested = podRequests({ containers: [container(), container('1')] })
    expect(requested.requests.milliCpu).toBe(1000)
    expect(requested.nonZeroCpu).toBe(1100)
    expect(requested.nonZeroMemory).toBe(200 * 2 ** 20 + 2 ** 30)
  })

  it('describes a malformed quantity instead of failing', () => {
    const problems: string[] = []
    const { requests } = podRequests({ containers: [{ name: 'c', resources: { requests: { cpu: 'lots', memory: '1Gi' } } }] }, problems)
    expect(requests.memory).toBe(2 ** 30)
    expect(problems).toEqual([
      expect.stringMatching(/^spec\.containers\[0\]\.resources\.requests\[cpu\]: Invalid value: "lots": quantities must match/),
    ])
  })

  it('makes a malformed request a scheduler error in the pod’s condition', () => {
    const bad = { ...pod('p'), spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: 'lots' } } }] } }
    const result = decide([node('n1')], bad)
    expect(result).toMatchObject({
      outcome: 'error',
      message: expect.stringMatching(/^running PreFilter plugin "NodeResourcesFit": spec\.containers\[0\]/),
    })
  })
})

describe('score functions', () => {
  it('scores least allocated as free capacity in percent', () => {
    expect(leastRequestedScore(1000, 4000)).toBe(75)
    expect(leastRequestedScore(5000, 4000)).toBe(0)
    expect(leastRequestedScore(0, 0)).toBe(0)
  })

  it('normalizes to the highest score, reversed for counts where fewer is better', () => {
    expect(defaultNormalize([0, 1, 3], false)).toEqual([0, 33, 100])
    expect(defaultNormalize([0, 1, 3], true)).toEqual([100, 67, 0])
    expect(defaultNormalize([0, 0], true)).toEqual([100, 100])
  })

  it('normalizes spreading so the node with fewest matching pods scores highest', () => {
    expect(normalizeSpread([2, 4, undefined, 6])).toEqual([100, 66, 0, 33])
    expect(normalizeSpread([0, 0])).toEqual([100, 100])
  })
})

describe('scoring nodes', () => {
  it('prefers the least allocated node', () => {
    const nodes = [node('a'), node('b'), node('c')]
    const busy = [pod('x', { cpu: '2', memory: '2Gi', nodeName: 'a' }), pod('y', { cpu: '1', memory: '1Gi', nodeName: 'b' })]
    expect(decide([...nodes, ...busy], pod('p', { cpu: '100m' }))).toMatchObject({ node: 'c' })
  })

  it('prefers a balanced node when free capacity is equal', () => {
    // a: cpu 50% used, memory 0%; b: cpu 25%, memory 25%: the same free share, b is balanced.
    const nodes = [node('a', { cpu: '4', memory: '4Gi' }), node('b', { cpu: '4', memory: '4Gi' })]
    const busy = [pod('x', { cpu: '2', memory: '1', nodeName: 'a' }), pod('y', { cpu: '1', memory: '1Gi', nodeName: 'b' })]
    expect(decide([...nodes, ...busy], pod('p', { cpu: '100m', memory: '100Mi' }))).toMatchObject({ node: 'b' })
  })

  it('prefers nodes with fewer untolerated PreferNoSchedule taints', () => {
    const nodes = [node('a', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }), node('b')]
    expect(decide(nodes, pod('p'))).toMatchObject({ node: 'b' })
    expect(decide(nodes, pod('p', { tolerations: [{ key: 'spot', operator: 'Exists', effect: 'PreferNoSchedule' }] }))).toMatchObject({
      node: 'a',
    })
  })

  it('weighs preferred node affinity terms', () => {
    const nodes = [
      node('a', { labels: { disk: 'hdd' } }),
      node('b', { labels: { disk: 'ssd', gpu: 'yes' } }),
      node('c', { labels: { gpu: 'yes' } }),
    ]
    const preferred = (...terms: Array<[number, string]>) =>
      pod('p', {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: terms.map(([weight, key]) => ({
              weight,
              preference: { matchExpressions: [{ key, operator: 'Exists' }] },
            })),
          },
        },
      })
    expect(decide(nodes, preferred([10, 'gpu']))).toMatchObject({ node: 'b' })
    expect(decide(nodes, preferred([10, 'disk'], [50, 'gpu']))).toMatchObject({ node: 'b' })
    expect(
      decide([node('a', { labels: { disk: 'hdd' } }), node('c', { labels: { gpu: 'yes' } })], preferred([10, 'disk'], [50, 'gpu'])),
    ).toMatchObject({ node: 'c' })
  })

  it('breaks ties by node name, so the same state gives the same decision', () => {
    const nodes = [node('c'), node('a'), node('b')]
    expect(decide(nodes, pod('p'))).toMatchObject({ node: 'a' })
  })
})
