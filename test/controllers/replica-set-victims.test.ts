import { describe, expect, it } from 'vitest'
import { podNames, podNamePrefix, slowStartBatches } from '../../services/controllers/replica-set-pods.js'
import { deletionCost, logarithmicRank, podsToDelete } from '../../services/controllers/replica-set-victims.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { JsonObject } from '../../services/json.js'
import { nameOf } from '../../services/runtime/objects.js'

const now = new Date('2026-11-26T12:00:00Z')
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString()

interface PodOptions {
  node?: string
  phase?: string
  readySince?: string
  cost?: string
  restarts?: number
  created?: string
  uid?: string
}

function pod(name: string, o: PodOptions = {}): JsonObject {
  return {
    metadata: {
      name,
      uid: o.uid ?? name,
      creationTimestamp: o.created ?? ago(3600),
      ...(o.cost !== undefined && { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } }),
    },
    spec: { ...(o.node !== undefined && { nodeName: o.node }) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readySince
        ? [{ type: 'Ready', status: 'True', lastTransitionTime: o.readySince }]
        : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'app', restartCount: o.restarts ?? 0 }],
    },
  }
}

const names = (pods: Pod[]) => pods.map(nameOf)
const victims = (pods: JsonObject[], diff: number, related: JsonObject[] = pods) => names(podsToDelete(pods, related, diff, now))
const ready = { node: 'n1', readySince: ago(3600) }

describe('scale-down victim order (ActivePodsWithRanks.Less)', () => {
  it('deletes unscheduled pods before scheduled ones', () => {
    expect(victims([pod('scheduled', ready), pod('unscheduled', { readySince: ago(3600) })], 1)).toEqual(['unscheduled'])
  })

  it('deletes Pending before Unknown before Running', () => {
    const pods = [
      pod('running', { ...ready }),
      pod('unknown', { ...ready, phase: 'Unknown' }),
      pod('pending', { ...ready, phase: 'Pending' }),
    ]
    expect(victims(pods, 2)).toEqual(['pending', 'unknown'])
  })

  it('deletes pods that are not ready before ready ones', () => {
    expect(victims([pod('ready', ready), pod('not-ready', { node: 'n1' })], 1)).toEqual(['not-ready'])
  })

  it('deletes the lower pod-deletion-cost first, reading invalid costs as 0', () => {
    const pods = [pod('expensive', { ...ready, cost: '100' }), pod('cheap', { ...ready, cost: '-5' }), pod('default', ready)]
    expect(victims(pods, 2)).toEqual(['cheap', 'default'])
    expect([
      deletionCost(pod('a', { cost: '007' })),
      deletionCost(pod('b', { cost: '2147483648' })),
      deletionCost(pod('c', { cost: '12' })),
    ]).toEqual([0, 0, 12])
  })

  it('deletes doubled-up pods first: more related pods on the same node', () => {
    const mine = [pod('alone', { ...ready, node: 'n1' }), pod('crowded', { ...ready, node: 'n2' })]
    const sibling = [pod('sibling-1', { ...ready, node: 'n2' }), pod('sibling-2', { ...ready, node: 'n2' })]
    expect(victims(mine, 1, [...mine, ...sibling])).toEqual(['crowded'])
  })

  it('deletes the more recently ready first, on a log2 scale with ties broken by uid', () => {
    const pods = [pod('long-ready', { node: 'n1', readySince: ago(7200) }), pod('just-ready', { node: 'n1', readySince: ago(10) })]
    expect(victims(pods, 1)).toEqual(['just-ready'])
    // 100 s and 120 s ago fall in the same power of two of nanoseconds: the uid decides.
    const close = [
      pod('b', { node: 'n1', readySince: ago(100), uid: 'uid-b' }),
      pod('a', { node: 'n1', readySince: ago(120), uid: 'uid-a' }),
    ]
    expect(logarithmicRank(Date.parse(ago(100)), now)).toBe(logarithmicRank(Date.parse(ago(120)), now))
    expect(victims(close, 1)).toEqual(['a'])
  })

  it('deletes pods with more container restarts first', () => {
    expect(victims([pod('stable', ready), pod('flaky', { ...ready, restarts: 4 })], 1)).toEqual(['flaky'])
  })

  it('deletes newer pods first when all else is equal', () => {
    const readyAt = ago(86400)
    const pods = [
      pod('old', { node: 'n1', readySince: readyAt, created: ago(90000) }),
      pod('new', { node: 'n1', readySince: readyAt, created: ago(1000) }),
    ]
    expect(victims(pods, 1)).toEqual(['new'])
  })

  it('takes the pods as they come when all of them go', () => {
    expect(victims([pod('x', ready), pod('y')], 2)).toEqual(['x', 'y'])
  })
})

describe('pod creation', () => {
  it('creates in slow-start batches of 1, 2, 4, …', () => {
    expect(slowStartBatches(0)).toEqual([])
    expect(slowStartBatches(1)).toEqual([1])
    expect(slowStartBatches(10)).toEqual([1, 2, 4, 3])
    expect(slowStartBatches(500).reduce((a, b) => a + b, 0)).toBe(500)
  })

  it('names pods <owner>-<5 characters>, the prefix cut to 58 characters, the same for the same reconcile', () => {
    const owner = { metadata: { name: 'web-5d4f', uid: 'u1' } }
    const [a, b] = podNames(owner, 2, 42)
    expect(a).toMatch(/^web-5d4f-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    expect(a).not.toBe(b)
    expect(podNames(owner, 2, 42)).toEqual([a, b])
    expect(podNames(owner, 1, 43)[0]).not.toBe(a)
    const long = { metadata: { name: 'x'.repeat(70), uid: 'u2' } }
    expect(podNames(long, 1, 1)[0]).toHaveLength(63)
    expect(podNamePrefix('web')).toBe('web-')
  })
})
