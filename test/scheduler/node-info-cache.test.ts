import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { emptyState, getObject, type ClusterState } from '../../projections/cluster-state.js'
import type { JsonObject } from '../../services/json.js'
import { NodeInfoCache } from '../../services/scheduler/node-info-cache.js'
import type { Resources } from '../../services/scheduler/resources.js'
import { schedulePod } from '../../services/scheduler/schedule-one.js'
import { apply, node, pod } from './fixtures.js'

/** The cache as plain data, independent of the order things happened in. */
function snapshot(cache: NodeInfoCache) {
  const resources = (r: Resources) => ({
    ...r,
    scalar: Object.fromEntries([...(r.scalar ?? [])].filter(([, v]) => v !== 0).sort()),
  })
  const nodes = [...cache.nodes.values()]
    .map((n) => ({
      ...n,
      allocatable: resources(n.allocatable),
      requested: resources(n.requested),
      pods: [...n.pods].sort(),
      usedPorts: Object.fromEntries([...n.usedPorts].map(([k, ips]) => [k, Object.fromEntries(ips)]).sort()),
    }))
    .sort((a, b) => a.name.localeCompare(b.name))
  const pods = [...cache.pods.values()]
    .map((p) => ({ key: p.info.key, node: p.node, labels: p.info.labels, deleting: p.info.deleting }))
    .sort((a, b) => a.key.localeCompare(b.key))
  const terms = [...cache.placedTerms.all()].map((t) => ({
    kind: t.kind,
    signature: t.term.signature,
    nodes: Object.fromEntries([...t.nodes].sort()),
  }))
  return {
    nodes,
    pods,
    pending: [...cache.pending].sort(),
    placedTerms: terms.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  }
}

/** Each pod counter of the incremental cache against the same counter built from scratch. */
function expectCountersAgree(cache: NodeInfoCache, scratch: NodeInfoCache): void {
  for (const counter of cache.counters.all()) {
    const fresh = scratch.counters.get(counter.spec)
    expect(new Map([...counter.perNode].sort())).toEqual(new Map([...fresh.perNode].sort()))
    expect(new Map([...counter.domains('zone')].sort())).toEqual(new Map([...fresh.domains('zone')].sort()))
  }
}

type Op =
  | { op: 'node'; i: number; zone: number; cpu: number; tainted: boolean; cordoned: boolean }
  | { op: 'deleteNode'; i: number }
  | { op: 'pod'; j: number; on: number; app: number; cpu: number; port: boolean; finished: boolean; deleting: boolean; anti: boolean }
  | { op: 'deletePod'; j: number }
  | { op: 'probe' }

/** true one time in four */
const rarely = fc.nat(3).map((n) => n === 0)

const ops: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('node' as const),
    i: fc.nat(2),
    zone: fc.nat(2),
    cpu: fc.integer({ min: 1, max: 2 }),
    tainted: fc.boolean(),
    cordoned: fc.boolean(),
  }),
  fc.record({ op: fc.constant('deleteNode' as const), i: fc.nat(2) }),
  fc.record({
    op: fc.constant('pod' as const),
    j: fc.nat(5),
    on: fc.integer({ min: -1, max: 3 }),
    app: fc.nat(1),
    cpu: fc.nat(1),
    // Mostly plain running pods, so that the same pod often changes in one way only.
    port: rarely,
    finished: rarely,
    deleting: rarely,
    anti: fc.boolean(),
  }),
  fc.record({ op: fc.constant('deletePod' as const), j: fc.nat(5) }),
  fc.constant({ op: 'probe' as const }),
)

const antiAffinity = {
  podAntiAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'a0' } }, topologyKey: 'zone' }],
  },
}

function objectFor(o: Exclude<Op, { op: 'probe' | 'deleteNode' | 'deletePod' }>): JsonObject {
  if (o.op === 'node') {
    return node(`n${o.i}`, {
      cpu: String(o.cpu),
      labels: { zone: `z${o.zone}` },
      unschedulable: o.cordoned,
      ...(o.tainted && { taints: [{ key: 'k', effect: 'NoSchedule' }] }),
    })
  }
  const p = pod(`p${o.j}`, {
    labels: { app: `a${o.app}` },
    cpu: `${o.cpu * 100}m`,
    ...(o.on >= 0 && { nodeName: `n${o.on}` }),
    ...(o.port && { hostPort: 8080 }),
    ...(o.finished && { phase: 'Succeeded' }),
    ...(o.anti && { affinity: antiAffinity }),
    owner: `rs-${o.app}`,
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'a0' } } },
    ],
  })
  if (o.deleting) (p.metadata as JsonObject).deletionTimestamp = '2026-11-26T12:00:00Z'
  return p
}

/** Applies one operation to the state and feeds the change to the incremental cache. */
function step(state: ClusterState, cache: NodeInfoCache, o: Op): void {
  if (o.op === 'probe') return
  const kind: string = o.op === 'node' || o.op === 'deleteNode' ? 'Node' : 'Pod'
  const [namespace, name] = kind === 'Node' ? ['', `n${(o as { i: number }).i}`] : ['default', `p${(o as { j: number }).j}`]
  const previous = getObject(state, kind, namespace, name)
  if (o.op === 'deleteNode' || o.op === 'deletePod') {
    if (!previous) return
    cache.apply({ event: apply(state, previous, 'Deleted'), previous }, state)
    return
  }
  cache.apply({ event: apply(state, objectFor(o), previous ? 'Updated' : 'Created'), previous }, state)
}

/** What the scheduler decides for a probe pod with anti-affinity and spreading, on a cache. */
function probe(state: ClusterState, cache: NodeInfoCache) {
  const candidate = objectFor({ op: 'pod', j: 99, on: -1, app: 0, cpu: 1, port: true, finished: false, deleting: false, anti: true })
  return schedulePod(candidate, cache, state, { next: 0 })
}

describe('the incremental node-info cache', () => {
  it('equals the cache built from scratch after any sequence of changes, and decides the same', () => {
    fc.assert(
      fc.property(fc.array(ops, { minLength: 10, maxLength: 80, size: 'max' }), (sequence) => {
        const state = emptyState()
        const cache = NodeInfoCache.fromState(state)
        for (const o of sequence) {
          step(state, cache, o)
          // Probing creates pod counters, which from then on must follow every change.
          if (o.op === 'probe') expect(probe(state, cache)).toEqual(probe(state, NodeInfoCache.fromState(state)))
        }
        const scratch = NodeInfoCache.fromState(state)
        expect(snapshot(cache)).toEqual(snapshot(scratch))
        expectCountersAgree(cache, scratch)
        expect(probe(state, cache)).toEqual(probe(state, scratch))
      }),
      { numRuns: 500 },
    )
  })

  it('counts an assumed pod until it is forgotten', () => {
    const state = emptyState()
    apply(state, node('n1', { cpu: '2' }))
    const p = apply(state, pod('p', { cpu: '1' })).object
    const cache = NodeInfoCache.fromState(state)
    const result = schedulePod(p, cache, state, { next: 0 })
    if (result.outcome !== 'scheduled') throw new Error(result.message)
    cache.assume(result.pod, result.node)
    expect(cache.nodes.get('n1')!.requested.milliCpu).toBe(1000)
    expect(cache.pending.has('default/p')).toBe(false)
    expect(cache.forgetAssumed(state)).toEqual(['default/p'])
    expect(cache.nodes.get('n1')!.requested.milliCpu).toBe(0)
    expect(snapshot(cache)).toEqual(snapshot(NodeInfoCache.fromState(state)))
  })

  it('turns an assumption into a binding when the binding arrives', () => {
    const state = emptyState()
    apply(state, node('n1', { cpu: '2' }))
    const p = apply(state, pod('p', { cpu: '1' })).object
    const cache = NodeInfoCache.fromState(state)
    const result = schedulePod(p, cache, state, { next: 0 })
    if (result.outcome !== 'scheduled') throw new Error(result.message)
    cache.assume(result.pod, result.node)
    cache.apply({ event: apply(state, { ...p, spec: { ...(p.spec as JsonObject), nodeName: 'n1' } }, 'Updated'), previous: p }, state)
    expect(cache.forgetAssumed(state)).toEqual([])
    expect(cache.nodes.get('n1')!.requested.milliCpu).toBe(1000)
  })
})
