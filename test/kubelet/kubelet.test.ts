import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { timestamp } from '../../services/api/context.js'
import { inCIDR } from '../../services/kubelet/addresses.js'
import { createSimulatedNodes } from '../../services/kubelet/simulated-nodes.js'
import type { JsonObject } from '../../services/json.js'
import { backend } from '../support/store.js'
import { boundPod, conditionOf, startSimCluster, type SimCluster } from './sim-cluster.js'

let c: SimCluster
const user = { actor: 'alice' }
const status = (o: JsonObject | undefined) => (o?.status ?? {}) as any
const spec = (o: JsonObject | undefined) => (o?.spec ?? {}) as any

beforeAll(async () => {
  c = await startSimCluster()
  await createSimulatedNodes(c.api, 2)
  await c.runner.settled()
})
afterAll(async () => {
  await c.stop()
})

describe(`the simulated kubelet (${backend})`, () => {
  it('registers every node Ready, with its own pod range, as the node itself', async () => {
    const [one, two] = [c.node('sim-node-1'), c.node('sim-node-2')]
    expect([spec(one).podCIDR, spec(two).podCIDR].sort()).toEqual(['10.244.0.0/24', '10.244.1.0/24'])
    expect(conditionOf(one, 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' })
    expect(status(one).capacity).toMatchObject({ cpu: '4', memory: '16Gi', pods: '110' })
    expect(status(one).addresses.map((a: any) => a.type)).toEqual(['InternalIP', 'Hostname'])
    const history = await c.t.store.history({ kind: 'Node', namespace: '', name: 'sim-node-1' })
    expect(new Set(history.map((e) => e.meta.actor))).toEqual(new Set(['system:node:sim-node-1']))
    expect(await c.eventsFor('sim-node-1')).toContain('NodeReady: Node sim-node-1 status is now: NodeReady')
    expect(c.heartbeats.lastRenewed('sim-node-1')).toEqual(c.clock.now())
  })

  it("runs a bound pod: Running and Ready, with an IP from its node's range, reporting its usage", async () => {
    await c.api.create(user, boundPod('web', 'sim-node-2', { 'sim.revkube.io/cpu-millis': '250' }))
    await c.runner.settled()
    const pod = c.pod('web')
    expect(status(pod).phase).toBe('Running')
    expect(conditionOf(pod, 'Ready')?.status).toBe('True')
    expect(inCIDR(status(pod).podIP, spec(c.node('sim-node-2')).podCIDR)).toBe(true)
    expect(status(pod).hostIP).toBe(status(c.node('sim-node-2')).addresses[0].address)
    expect(status(pod).containerStatuses[0]).toMatchObject({ ready: true, started: true, restartCount: 0 })
    expect(c.metrics.get('default/web')).toMatchObject({ cpuMillis: 250 })
    expect(await c.eventsFor('web')).toEqual(expect.arrayContaining(['Created: Created container: app', 'Started: Started container app']))
    const history = await c.t.store.history({ kind: 'Pod', namespace: 'default', name: 'web' })
    expect(history.at(-1)!.meta.actor).toBe('system:node:sim-node-2')

    await c.api.create(user, boundPod('web-2', 'sim-node-2'))
    await c.runner.settled()
    expect(status(c.pod('web-2')).podIP).not.toBe(status(pod).podIP)
  })

  it('writes nothing to the log while the nodes are healthy and idle, heartbeats and all', async () => {
    const head = (await c.t.store.head()).revision
    await c.advance(330_000, 10_000) // past the runner's 5-minute resync too
    expect((await c.t.store.head()).revision).toBe(head)
    expect(c.clock.now().getTime() - c.heartbeats.lastRenewed('sim-node-1')!.getTime()).toBeLessThan(10_000)
    expect(conditionOf(c.node('sim-node-1'), 'Ready')?.status).toBe('True')
  })

  it('starts a pod after its start-up delay', async () => {
    await c.api.create(user, boundPod('slow', 'sim-node-1', { 'sim.revkube.io/startup-seconds': '10' }))
    await c.runner.settled()
    expect(status(c.pod('slow')).phase).toBe('Pending')
    expect(status(c.pod('slow')).containerStatuses[0].state).toEqual({ waiting: { reason: 'ContainerCreating' } })
    await c.advance(10_000)
    expect(status(c.pod('slow')).phase).toBe('Running')
  })

  it('backs a crashing container off as Kubernetes does', async () => {
    const pod = await c.api.create(user, boundPod('crashy', 'sim-node-1', { 'sim.revkube.io/crash-after-seconds': '5' }))
    const uid = (pod.metadata as JsonObject).uid
    await c.runner.settled()
    await c.advance(5_000)
    let container = status(c.pod('crashy')).containerStatuses[0]
    expect(container.state.waiting).toEqual({
      reason: 'CrashLoopBackOff',
      message: `back-off 10s restarting failed container=app pod=crashy_default(${uid})`,
    })
    expect(container).toMatchObject({ restartCount: 0, ready: false, lastState: { terminated: { exitCode: 1, reason: 'Error' } } })
    expect(conditionOf(c.pod('crashy'), 'Ready')?.status).toBe('False')
    expect(await c.eventsFor('crashy')).toContain(`BackOff: Back-off restarting failed container app in pod crashy_default(${uid})`)
    await c.advance(10_000)
    container = status(c.pod('crashy')).containerStatuses[0]
    expect(container).toMatchObject({ restartCount: 1, ready: true, state: { running: {} } })
    await c.advance(5_000)
    expect(status(c.pod('crashy')).containerStatuses[0].state.waiting.message).toMatch(/^back-off 20s /)
    await c.api.delete(user, 'pods', 'default', 'crashy')
    await c.runner.settled()
  })

  it('runs a Job-style pod to Succeeded and stops reporting its usage', async () => {
    await c.api.create(user, boundPod('once', 'sim-node-1', { 'sim.revkube.io/run-seconds': '3' }, { restartPolicy: 'Never' }))
    await c.runner.settled()
    // Nothing requested: 1m CPU and 8Mi of memory a container.
    expect(c.metrics.get('default/once')).toMatchObject({ cpuMillis: 1, memoryBytes: 8 * 1024 * 1024 })
    await c.advance(3_000)
    expect(status(c.pod('once')).phase).toBe('Succeeded')
    expect(status(c.pod('once')).containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' })
    expect(c.metrics.get('default/once')).toBeUndefined()
  })

  it('completes a graceful deletion: Killing, containers stopped, deleted by its kubelet', async () => {
    await c.api.create(user, boundPod('goner', 'sim-node-2'))
    await c.runner.settled()
    expect(c.metrics.get('default/goner')).toMatchObject({ cpuMillis: 1 })
    const marked = await c.api.delete(user, 'pods', 'default', 'goner')
    // The default grace period: 30 s for its kubelet to stop it.
    expect((marked.metadata as JsonObject).deletionTimestamp).toBe(timestamp(new Date(c.clock.now().getTime() + 30_000)))
    await c.runner.settled()
    expect(c.pod('goner')).toBeUndefined()
    expect(await c.eventsFor('goner')).toContain('Killing: Stopping container app')
    const history = await c.t.store.history({ kind: 'Pod', namespace: 'default', name: 'goner' })
    expect(history.at(-1)).toMatchObject({ type: 'Deleted', meta: { actor: 'system:node:sim-node-2' } })
    expect(c.metrics.get('default/goner')).toBeUndefined()
  })

  it('takes the shutdown time a knob gives before the pod goes', async () => {
    await c.api.create(user, boundPod('lingering', 'sim-node-2', { 'sim.revkube.io/shutdown-seconds': '10' }))
    await c.runner.settled()
    const marked = await c.api.delete(user, 'pods', 'default', 'lingering')
    const terminating = { metadata: { deletionTimestamp: (marked.metadata as JsonObject).deletionTimestamp } }
    await c.runner.settled()
    expect(c.pod('lingering')).toMatchObject(terminating)
    await c.advance(5_000)
    expect(c.pod('lingering')).toMatchObject(terminating)
    await c.advance(5_000)
    expect(c.pod('lingering')).toBeUndefined()
  })
})
