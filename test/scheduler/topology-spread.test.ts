import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../../services/json.js'
import { podTopologySpread } from '../../services/scheduler/filters.js'
import { decide, filterOn, messageOf, node, pod } from './fixtures.js'

const zoned = (name: string, zone?: string) => node(name, { labels: zone ? { zone } : {} })
const constraint = (whenUnsatisfiable: string, extra: JsonObject = {}) => ({
  maxSkew: 1,
  topologyKey: 'zone',
  whenUnsatisfiable,
  labelSelector: { matchLabels: { app: 'web' } },
  ...extra,
})
const web = (name: string, s: Parameters<typeof pod>[1] = {}) => pod(name, { labels: { app: 'web' }, ...s })

describe('topology spread constraints that must hold (DoNotSchedule)', () => {
  const nodes = [zoned('a1', 'a'), zoned('b1', 'b')]
  const placed = [web('w0', { nodeName: 'a1' }), web('w1', { nodeName: 'a1' }), web('w2', { nodeName: 'b1' })]

  it('rejects a node whose domain would be more than maxSkew above the emptiest', () => {
    const next = web('w3', { topologySpreadConstraints: [constraint('DoNotSchedule')] })
    expect(filterOn(podTopologySpread, zoned('a1', 'a'), next, [...nodes, ...placed])).toEqual({
      reasons: ["node(s) didn't match pod topology spread constraints"],
      unresolvable: false,
    })
    expect(filterOn(podTopologySpread, zoned('b1', 'b'), next, [...nodes, ...placed])).toBeUndefined()
  })

  it('rejects a node without the topology key as unresolvable', () => {
    const next = web('w3', { topologySpreadConstraints: [constraint('DoNotSchedule')] })
    expect(filterOn(podTopologySpread, zoned('x'), next, [...nodes, ...placed])).toEqual({
      reasons: ["node(s) didn't match pod topology spread constraints (missing required label)"],
      unresolvable: true,
    })
  })

  it('counts only pods in the namespace that match, and a pod that does not match itself adds nothing', () => {
    const elsewhere = [web('o1', { namespace: 'other', nodeName: 'b1' }), web('o2', { namespace: 'other', nodeName: 'b1' })]
    const next = web('w3', { topologySpreadConstraints: [constraint('DoNotSchedule', { maxSkew: 1 })] })
    expect(filterOn(podTopologySpread, zoned('b1', 'b'), next, [...nodes, web('w0', { nodeName: 'a1' }), ...elsewhere])).toBeUndefined()
    const outsider = pod('x', { labels: { app: 'other' }, topologySpreadConstraints: [constraint('DoNotSchedule')] })
    expect(filterOn(podTopologySpread, zoned('a1', 'a'), outsider, [...nodes, web('w0', { nodeName: 'a1' })])).toBeUndefined()
  })

  it('measures the skew from 0 while there are fewer domains than minDomains', () => {
    const next = web('w1', { topologySpreadConstraints: [constraint('DoNotSchedule', { minDomains: 3 })] })
    // Zone b has no pod, but minDomains counts a third, empty domain: a would have skew 2.
    expect(filterOn(podTopologySpread, zoned('a1', 'a'), next, [...nodes, web('w0', { nodeName: 'a1' })])).toEqual({
      reasons: ["node(s) didn't match pod topology spread constraints"],
      unresolvable: false,
    })
    expect(filterOn(podTopologySpread, zoned('b1', 'b'), next, [...nodes, web('w0', { nodeName: 'a1' })])).toBeUndefined()
  })

  it('counts only the nodes the pod’s node selector allows', () => {
    const next = web('w3', { topologySpreadConstraints: [constraint('DoNotSchedule')], nodeSelector: { zone: 'a' } })
    expect(filterOn(podTopologySpread, zoned('a1', 'a'), next, [...nodes, ...placed])).toBeUndefined()
  })

  it('keeps a replica pending when the only domain it may join is too full, with the reason in the message', () => {
    const full = [zoned('a1', 'a'), node('b1', { cpu: '1', labels: { zone: 'b' } })]
    const busy = [web('w0', { nodeName: 'a1' }), web('w1', { nodeName: 'a1' }), web('w2', { nodeName: 'b1', cpu: '1' })]
    const next = web('w3', { cpu: '100m', topologySpreadConstraints: [constraint('DoNotSchedule')] })
    expect(messageOf(decide([...full, ...busy], next))).toBe(
      "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match pod topology spread constraints. " +
        'preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
    )
  })
})

describe('spreading by score', () => {
  it('prefers the domain with fewer matching pods for ScheduleAnyway constraints', () => {
    const nodes = [zoned('a1', 'a'), zoned('a2', 'a'), zoned('b1', 'b')]
    const placed = [web('w0', { nodeName: 'a1' })]
    const next = web('w1', { topologySpreadConstraints: [constraint('ScheduleAnyway')] })
    expect(decide([...nodes, ...placed], next)).toMatchObject({ outcome: 'scheduled', node: 'b1' })
  })

  it('spreads a controller’s pods over nodes by default, whatever their requests', () => {
    // Without default spreading, least-allocated would pick b (more free cpu), as it does for a pod of no controller.
    const nodes = [node('a', { cpu: '4' }), node('b', { cpu: '8' })]
    const placed = [
      pod('r0', { owner: 'rs-1', nodeName: 'b', cpu: '10m' }),
      pod('r1', { owner: 'rs-1', nodeName: 'b', cpu: '10m' }),
      pod('other', { nodeName: 'a', cpu: '2' }),
    ]
    expect(decide([...nodes, ...placed], pod('r2', { owner: 'rs-1', cpu: '10m' }))).toMatchObject({ node: 'a' })
    expect(decide([...nodes, ...placed], pod('loose', { cpu: '10m' }))).toMatchObject({ node: 'b' })
  })
})
