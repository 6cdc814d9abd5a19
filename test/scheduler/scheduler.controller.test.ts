import { describe, expect, it } from 'vitest'
import { getObject, listObjects, type ClusterState } from '../../projections/cluster-state.js'
import { condition } from '../../services/runtime/objects.js'
import type { Action, Reconciliation } from '../../services/runtime/controller.js'
import type { JsonObject } from '../../services/json.js'
import { applyStrategicMergePatch } from '../../services/resources/patch/strategic-merge-patch.js'
import { numFeasibleNodesToFind, schedulePod } from '../../services/scheduler/schedule-one.js'
import { NodeInfoCache } from '../../services/scheduler/node-info-cache.js'
import { createScheduler, type Scheduler, UNSCHEDULABLE_RETRY_MS } from '../../services/scheduler/scheduler.controller.js'
import { NOW, patched, ReconcilerSpecification, recorded, updated } from '../support/given.js'
import { apply, node, pod, stateOf } from './fixtures.js'

const now = NOW
const later = (ms: number) => new Date(now.getTime() + ms)
const flat = (r: Reconciliation): Action[] => r.actions.flatMap((step) => (Array.isArray(step) ? step : [step]))

/** Carries out actions on the state as the runner would, feeding each change to the scheduler. */
function carryOut(scheduler: Scheduler, state: ClusterState, actions: Action[]): Array<Iterable<string>> {
  const keys: Array<Iterable<string>> = []
  for (const action of actions) {
    let next: JsonObject
    if (action.type === 'update' || action.type === 'create') next = action.object
    else if (action.type === 'patch')
      next = applyStrategicMergePatch(getObject(state, action.kind, action.namespace, action.name), action.patch, action.kind) as JsonObject
    else continue
    const metadata = next.metadata as JsonObject
    const previous = getObject(state, String(next.kind), String(metadata.namespace ?? ''), String(metadata.name))
    keys.push(scheduler.keysFor({ event: apply(state, next, previous ? 'Updated' : 'Created'), previous }, state))
  }
  return keys
}

const nodeOf = (state: ClusterState, name: string) => String(getObject(state, 'Pod', 'default', name)!.spec?.nodeName ?? '')
const podScheduled = (key: string, condition: JsonObject) =>
  patched(
    'Pod',
    key,
    { status: { conditions: [{ type: 'PodScheduled', ...condition }] } },
    { patchType: 'strategic', subresource: 'status' },
  )

describe('the scheduler controller', () => {
  it('schedules several waiting pods in one pass, each seeing the placements before it', () => {
    const scheduler = createScheduler({ batchSize: 4 })
    const given = ReconcilerSpecification.for(scheduler)(
      node('a'),
      node('b'),
      ...Array.from({ length: 6 }, (_, i) => pod(`p${i}`, { cpu: '1' })),
    )
    const { state } = given
    const pass = given.when('default/p0', now)
    const [binds, completions] = pass.reconciliation.actions as Action[][]
    expect(binds!.map((a) => a.type)).toEqual(['update', 'update', 'update', 'update'])
    expect(completions!.filter((a) => a.type === 'patch')).toHaveLength(4)
    expect(completions!.filter((a) => a.type === 'create')).toHaveLength(4)
    pass.then(
      ...['a', 'b', 'a', 'b'].map((n, i) => updated('Pod', `default/p${i}`, { spec: { nodeName: n } })),
      ...[0, 1, 2, 3].flatMap((i) => [
        podScheduled(`default/p${i}`, { status: 'True' }),
        recorded('Normal', 'Scheduled', `Successfully assigned default/p${i} to ${i % 2 === 0 ? 'a' : 'b'}`),
      ]),
    )
    carryOut(scheduler, state, pass.actions)
    expect(['p0', 'p1', 'p2', 'p3'].map((p) => nodeOf(state, p))).toEqual(['a', 'b', 'a', 'b'])
    // The pods of the pass are done; their own keys find nothing to do.
    given.when('default/p1', now).thenNothing()
    expect(given.when('default/p4', now).writes('update')).toHaveLength(2)
  })

  it('leaves alone pods that are bound, being deleted, or for another scheduler', () => {
    const deleting = pod('gone')
    ;(deleting.metadata as JsonObject).deletionTimestamp = now.toISOString()
    const scheduler = createScheduler()
    const given = ReconcilerSpecification.for(scheduler)(
      node('a'),
      pod('bound', { nodeName: 'a' }),
      deleting,
      pod('other', { schedulerName: 'my-scheduler' }),
    )
    for (const name of ['bound', 'gone', 'other', 'missing']) given.when(`default/${name}`, now).thenRequeuesAfter(undefined).thenNothing()
    expect([...scheduler.allKeys(given.state)]).toEqual([])
  })

  it('reports an unschedulable pod once, backs off, and tries again when a node is added', () => {
    const scheduler = createScheduler()
    const given = ReconcilerSpecification.for(scheduler)(node('a', { cpu: '1' }), pod('big', { cpu: '2' }))
    const { state } = given
    scheduler.allKeys(state)
    const message =
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.'
    const first = given.when('default/big', now).thenRequeuesAfter(UNSCHEDULABLE_RETRY_MS)
    first.then(
      podScheduled('default/big', { status: 'False', reason: 'Unschedulable', message }),
      recorded('Warning', 'FailedScheduling', message),
    )
    carryOut(scheduler, state, first.actions)
    expect(condition(getObject(state, 'Pod', 'default', 'big')!, 'PodScheduled')).toMatchObject({ reason: 'Unschedulable', message })

    // Within the back-off nothing is tried; after it, the same verdict writes nothing.
    given.when('default/big', later(400)).thenRequeuesAfter(600).thenNothing()
    given.when('default/big', later(1_000)).thenRequeuesAfter(UNSCHEDULABLE_RETRY_MS).thenNothing()

    const [keys] = carryOut(scheduler, state, [{ type: 'create', object: node('b', { cpu: '4' }) }])
    expect([...keys!]).toEqual(['default/big'])
    // Second attempt: back-off 2 s from the last attempt at +1 s.
    given.when('default/big', later(2_000)).thenRequeuesAfter(1_000)
    const scheduled = given.when('default/big', later(3_000))
    carryOut(scheduler, state, scheduled.actions)
    expect(nodeOf(state, 'big')).toBe('b')
    expect(condition(getObject(state, 'Pod', 'default', 'big')!, 'PodScheduled')).toEqual({
      type: 'PodScheduled',
      status: 'True',
      lastTransitionTime: '2026-11-26T12:00:03Z',
    })
    expect(listObjects(state, 'Event').map((e) => e.reason)).toEqual(expect.arrayContaining(['FailedScheduling', 'Scheduled']))
  })

  it('asks again about waiting pods when a placed pod goes, and only about those blocked by other pods when one is placed', () => {
    const antiAffinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' },
        ],
      },
    }
    const state = stateOf([
      node('a', { cpu: '1' }),
      pod('db', { labels: { app: 'db' }, nodeName: 'a' }),
      pod('big', { cpu: '2' }),
      pod('db-2', { labels: { app: 'db' }, affinity: antiAffinity }),
    ])
    const scheduler = createScheduler()
    scheduler.allKeys(state)
    carryOut(scheduler, state, flat(scheduler.reconcile('default/big', state, now)))
    carryOut(scheduler, state, flat(scheduler.reconcile('default/db-2', state, now)))

    const [placed] = carryOut(scheduler, state, [{ type: 'create', object: pod('web', { nodeName: 'a' }) }])
    expect([...placed!]).toEqual(['default/db-2'])
    const [unrelated] = carryOut(scheduler, state, [
      { type: 'create', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } } },
    ])
    expect([...unrelated!]).toEqual([])
    const db = getObject(state, 'Pod', 'default', 'db')!
    const [gone] = carryOut(scheduler, state, [{ type: 'update', object: { ...db, status: { phase: 'Succeeded' } } }])
    expect(new Set(gone)).toEqual(new Set(['default/big', 'default/db-2']))
  })

  it('reports a pod it cannot read as a scheduler error and tries again after the back-off', () => {
    const bad = { ...pod('bad'), spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { memory: '1 GB' } } }] } }
    ReconcilerSpecification.for(createScheduler())(node('a'), bad)
      .when('default/bad', now)
      .thenRequeuesAfter(1_000)
      .then(podScheduled('default/bad', { status: 'False', reason: 'SchedulerError' }), recorded('Warning', 'FailedScheduling'))
  })

  it('holds a pod with scheduling gates, saying so without an event', () => {
    ReconcilerSpecification.for(createScheduler())(node('a'), pod('gated', { schedulingGates: [{ name: 'wait' }] }))
      .when('default/gated', now)
      .then(
        podScheduled('default/gated', {
          status: 'False',
          reason: 'SchedulingGated',
          message: 'Scheduling is blocked due to non-empty scheduling gates',
        }),
      )
  })

  it('finishes a binding whose condition was not written, on its next pass', () => {
    const state = stateOf([node('a'), pod('p')])
    const scheduler = createScheduler()
    const [binds] = scheduler.reconcile('default/p', state, now).actions as Action[][]
    carryOut(scheduler, state, binds!) // the binding went through, the condition did not
    expect(flat(scheduler.reconcile('default/other', state, later(5)))).toMatchObject([
      { type: 'patch', patch: { status: { conditions: [{ type: 'PodScheduled', status: 'True' }] } } },
      { type: 'create', object: { reason: 'Scheduled', message: 'Successfully assigned default/p to a' } },
    ])
  })
})

describe('how many nodes a decision looks at', () => {
  it('finds every node feasible below 100 nodes, and adaptively fewer above', () => {
    expect([50, 100, 1_000, 5_000, 6_000, 20_000].map((n) => numFeasibleNodesToFind(n))).toEqual([50, 100, 420, 500, 300, 1_000])
    expect(numFeasibleNodesToFind(1_000, 10)).toBe(100)
    expect(numFeasibleNodesToFind(1_000, 100)).toBe(1_000)
  })

  it('stops filtering once enough nodes fit and starts the next search where this one stopped', () => {
    const nodes = Array.from({ length: 1_000 }, (_, i) => node(`n${String(i).padStart(4, '0')}`))
    const state = stateOf([...nodes, pod('p1'), pod('p2')])
    const cache = NodeInfoCache.fromState(state)
    const cursor = { next: 0 }
    const first = schedulePod(getObject(state, 'Pod', 'default', 'p1')!, cache, state, cursor)
    expect(first).toMatchObject({ outcome: 'scheduled', feasibleNodes: 420, evaluatedNodes: 420, node: 'n0000' })
    expect(cursor.next).toBe(420)
    expect(schedulePod(getObject(state, 'Pod', 'default', 'p2')!, cache, state, cursor)).toMatchObject({ node: 'n0420' })
  })
})
