import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { getObject, listObjects } from '../../projections/cluster-state.js'
import { Projection } from '../../projections/projection.js'
import { timestamp } from '../../services/api/context.js'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import { condition } from '../../services/runtime/objects.js'
import { FakeClock } from '../../services/runtime/clock.js'
import { ControllerRunner } from '../../services/runtime/runner.js'
import { silentLogger } from '../../services/log.js'
import type { JsonObject } from '../../services/json.js'
import { createScheduler } from '../../services/scheduler/scheduler.controller.js'
import { backend, openTestStore, type TestStore } from '../support/store.js'
import { node, pod, type PodSpec } from './fixtures.js'

let t: TestStore
let api: ResourceApi
let projection: Projection
let runner: ControllerRunner
const clock = new FakeClock()
const user = { actor: 'alice' }

beforeAll(async () => {
  t = await openTestStore()
  projection = await Projection.start(t.store)
  api = new ResourceApi({ store: t.store, projection })
  await bootstrapNamespaces(api)
  for (const ns of ['spread', 'taints', 'pending', 'anti'])
    await api.create(user, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
  runner = new ControllerRunner({ api, projection, controllers: [createScheduler()], clock, log: silentLogger })
  runner.start()
})
// Each test brings its own nodes and takes them away after.
afterEach(async () => {
  for (const n of listObjects(projection.state, 'Node')) await api.delete(user, 'node', undefined, String((n.metadata as JsonObject).name))
  await runner.settled()
})
afterAll(async () => {
  await runner.stop()
  projection.stop()
  await t.cleanup()
})

const rv = (o: JsonObject) => Number((o.metadata as JsonObject).resourceVersion)
const nodeOf = (namespace: string, name: string) => String(getObject(projection.state, 'Pod', namespace, name)!.spec?.nodeName ?? '')
const events = (namespace: string, name: string) =>
  listObjects(projection.state, 'Event', namespace).filter((e) => (e.involvedObject as JsonObject).name === name)

async function nodes(names: string[], spec: Parameters<typeof node>[1] = {}) {
  for (const name of names) await api.create(user, node(name, spec))
}
const createPod = (name: string, namespace: string, spec: PodSpec = {}) => api.create(user, pod(name, { namespace, ...spec }))

describe(`the scheduler with the controller runner (${backend})`, () => {
  it('spreads pods over equal nodes and binds each as system:scheduler with the triggering revision as cause', async () => {
    await nodes(['spread-a', 'spread-b', 'spread-c'])
    const created: JsonObject[] = []
    for (let i = 0; i < 6; i++) created.push(await createPod(`web-${i}`, 'spread', { cpu: '500m', memory: '256Mi' }))
    await runner.settled()

    const placement = created.map((p) => nodeOf('spread', String((p.metadata as JsonObject).name)))
    expect(placement.every((n) => n.startsWith('spread-'))).toBe(true)
    for (const n of ['spread-a', 'spread-b', 'spread-c']) expect(placement.filter((p) => p === n)).toHaveLength(2)

    const history = await t.store.history({ kind: 'Pod', namespace: 'spread', name: 'web-0' })
    const binding = history.find((e) => e.type === 'Updated')!
    expect(binding.meta).toMatchObject({ actor: 'system:scheduler', verb: 'update' })
    expect(binding.meta.causationRevision).toBeGreaterThanOrEqual(rv(created[0]!))
    const status = history.find((e) => e.type === 'StatusUpdated')!
    expect(status.meta).toMatchObject({ actor: 'system:scheduler', subresource: 'status' })
    expect(status.meta.causationRevision).toBe(binding.meta.causationRevision)
  })

  it('writes PodScheduled=True and a Scheduled event as Kubernetes does', async () => {
    await nodes(['solo-a'])
    const created = await createPod('solo', 'spread', { cpu: '100m' })
    await runner.settled()
    const bound = getObject(projection.state, 'Pod', 'spread', 'solo')!
    const node = nodeOf('spread', 'solo')
    expect(condition(bound, 'PodScheduled')).toEqual({ type: 'PodScheduled', status: 'True', lastTransitionTime: timestamp(clock.now()) })
    const [event] = events('spread', 'solo')
    expect(event).toMatchObject({
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned spread/solo to ${node}`,
      source: { component: 'default-scheduler' },
      involvedObject: { kind: 'Pod', name: 'solo', namespace: 'spread' },
    })
    const [binding] = (await t.store.history({ kind: 'Pod', namespace: 'spread', name: 'solo' })).filter((e) => e.type === 'Updated')
    expect(binding!.meta.causationRevision).toBe(rv(created))
  })

  it('keeps pods that do not tolerate a NoSchedule taint off its node', async () => {
    await nodes(['taints-gpu'], { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })
    await nodes(['taints-plain'])
    for (let i = 0; i < 4; i++) await createPod(`plain-${i}`, 'taints', { cpu: '100m' })
    await createPod('tolerant', 'taints', {
      cpu: '100m',
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
    })
    await runner.settled()
    for (let i = 0; i < 4; i++) expect(nodeOf('taints', `plain-${i}`)).toBe('taints-plain')
    // The tolerant pod is free to go to the emptier, tainted node.
    expect(nodeOf('taints', 'tolerant')).toBe('taints-gpu')
  })

  it('reports an unschedulable pod once, and schedules it when a fitting node appears', async () => {
    await nodes(['pending-a', 'pending-b'], { cpu: '2' })
    await nodes(['pending-master'], { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] })
    await createPod('big', 'pending', { cpu: '3' })
    await runner.settled()

    const expected =
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. ' +
      'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.'
    const pending = getObject(projection.state, 'Pod', 'pending', 'big')!
    expect(condition(pending, 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable', message: expected })
    expect(events('pending', 'big')).toEqual([expect.objectContaining({ type: 'Warning', reason: 'FailedScheduling', message: expected })])

    // A change that does not help: tried again after the back-off, nothing written again.
    const head = (await t.store.head()).revision
    await api.patch(user, 'node', undefined, 'pending-a', { metadata: { labels: { touched: 'yes' } } }, 'merge')
    clock.advance(1_000)
    await runner.settled()
    expect(await t.store.events({ after: head, name: 'big' })).toEqual([])
    expect(events('pending', 'big')).toHaveLength(1)

    await nodes(['pending-large'], { cpu: '16' })
    await runner.settled()
    clock.advance(2_000)
    await runner.settled()
    expect(nodeOf('pending', 'big')).toBe('pending-large')
    const scheduled = getObject(projection.state, 'Pod', 'pending', 'big')!
    expect(condition(scheduled, 'PodScheduled')).toEqual({ type: 'PodScheduled', status: 'True', lastTransitionTime: expect.any(String) })
    expect(events('pending', 'big').map((e) => e.reason)).toEqual(expect.arrayContaining(['FailedScheduling', 'Scheduled']))
  })

  it('keeps replicas with required anti-affinity apart, and says why the one too many cannot go anywhere', async () => {
    await nodes(['anti-a', 'anti-b', 'anti-c'])
    const affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' },
        ],
      },
    }
    for (let i = 0; i < 4; i++) await createPod(`db-${i}`, 'anti', { labels: { app: 'db' }, affinity, cpu: '100m' })
    await runner.settled()
    const placed = [0, 1, 2, 3].map((i) => nodeOf('anti', `db-${i}`))
    expect(new Set(placed.slice(0, 3))).toEqual(new Set(['anti-a', 'anti-b', 'anti-c']))
    expect(placed[3]).toBe('')
    expect(condition(getObject(projection.state, 'Pod', 'anti', 'db-3')!, 'PodScheduled')?.message).toBe(
      "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    )

    // One replica goes: the waiting one takes its place.
    const freed = nodeOf('anti', 'db-1')
    await api.delete(user, 'pod', 'anti', 'db-1', { gracePeriodSeconds: 0 })
    await runner.settled()
    clock.advance(10_000)
    await runner.settled()
    expect(nodeOf('anti', 'db-3')).toBe(freed)
  })
})
