import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulatedNodes } from '../../services/kubelet/simulated-nodes.js'
import type { JsonObject } from '../../services/json.js'
import { boundPod, conditionOf, startSimCluster, type SimCluster } from '../kubelet/sim-cluster.js'
import { backend } from '../support/store.js'

let c: SimCluster
const user = { actor: 'alice' }
const taintsOf = (node: JsonObject | undefined) => (((node?.spec as JsonObject | undefined)?.taints ?? []) as JsonObject[]).map((t) => `${String(t.key)}:${String(t.effect)}`)
const deleting = (pod: JsonObject | undefined) => (pod?.metadata as JsonObject | undefined)?.deletionTimestamp !== undefined
const setDown = (node: string, down: boolean) =>
  c.api.patch(user, 'nodes', undefined, node, { metadata: { annotations: { 'sim.revkube.io/down': down ? 'true' : null } } }, 'merge')
/** Evicted at once: tolerates the unreachable taint for no time at all. */
const impatient = { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }] }
/** Never evicted, like a DaemonSet pod. */
const steadfast = { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }] }

beforeAll(async () => {
  c = await startSimCluster()
  await createSimulatedNodes(c.api, 3)
  for (const [name, spec] of [['patient', {}], ['impatient', impatient], ['steadfast', steadfast]] as const) {
    await c.api.create(user, boundPod(name, 'sim-node-1', {}, spec))
  }
  await c.api.create(user, boundPod('elsewhere', 'sim-node-2'))
  await c.runner.settled()
})
afterAll(async () => {
  await c.stop()
})

describe(`the node lifecycle controller (${backend})`, () => {
  it('marks a node whose heartbeats stop Unknown after the 40 s grace period, and taints it unreachable', async () => {
    expect(conditionOf(c.pod('patient'), 'Ready')?.status).toBe('True')
    await setDown('sim-node-1', true)
    await c.runner.settled()
    await c.advance(30_000)
    expect(conditionOf(c.node('sim-node-1'), 'Ready')?.status).toBe('True')
    expect(taintsOf(c.node('sim-node-1'))).toEqual([])

    await c.advance(15_000)
    const node = c.node('sim-node-1')!
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      expect(conditionOf(node, type)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' })
    }
    expect(taintsOf(node)).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute'])
    expect(await c.eventsFor('sim-node-1')).toContain('NodeNotReady: Node sim-node-1 status is now: NodeNotReady')
    const history = await c.t.store.history({ kind: 'Node', namespace: '', name: 'sim-node-1' })
    expect(history.slice(-2).map((e) => e.meta.actor)).toEqual(['system:controller:node-lifecycle', 'system:controller:node-lifecycle'])
    expect(conditionOf(c.node('sim-node-2'), 'Ready')?.status).toBe('True')
  })

  it('sets the Ready condition of its pods False and evicts at once the pods that do not tolerate it', async () => {
    expect(conditionOf(c.pod('patient'), 'Ready')?.status).toBe('False')
    expect(conditionOf(c.pod('steadfast'), 'Ready')?.status).toBe('False')
    expect(await c.eventsFor('patient')).toContain('NodeNotReady: Node is not ready')
    expect(deleting(c.pod('impatient'))).toBe(true)
    expect(conditionOf(c.pod('impatient'), 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager' })
    expect(await c.eventsFor('impatient')).toContain('TaintManagerEviction: Marking for deletion Pod default/impatient')
    expect(deleting(c.pod('patient'))).toBe(false)
    expect(conditionOf(c.pod('elsewhere'), 'Ready')?.status).toBe('True')
  })

  it("evicts the pods that tolerate it when their 300 s tolerationSeconds run out, and they stay Terminating", async () => {
    await c.advance(290_000, 10_000)
    expect(deleting(c.pod('patient'))).toBe(false)
    await c.advance(15_000)
    expect(deleting(c.pod('patient'))).toBe(true)
    expect(await c.eventsFor('patient')).toContain('TaintManagerEviction: Marking for deletion Pod default/patient')
    await c.advance(120_000, 10_000)
    expect(deleting(c.pod('patient'))).toBe(true)
    expect(deleting(c.pod('impatient'))).toBe(true)
    expect(deleting(c.pod('steadfast'))).toBe(false)
  })

  it('removes the taints when the node comes back, and its kubelet finishes the evicted pods', async () => {
    await setDown('sim-node-1', false)
    await c.runner.settled()
    await c.advance(10_000)
    const node = c.node('sim-node-1')
    expect(conditionOf(node, 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' })
    expect(taintsOf(node)).toEqual([])
    expect(c.pod('patient')).toBeUndefined()
    expect(c.pod('impatient')).toBeUndefined()
    expect(conditionOf(c.pod('steadfast'), 'Ready')?.status).toBe('True')
  })

  it('taints a node whose Ready condition is False not-ready', async () => {
    await setDown('sim-node-3', true)
    await c.runner.settled()
    const node = c.node('sim-node-3')!
    const conditions = ((node.status as JsonObject).conditions as JsonObject[]).map((x) => (x.type === 'Ready' ? { ...x, status: 'False', reason: 'KubeletNotReady' } : x))
    await c.api.updateStatus(user, { ...node, status: { ...(node.status as JsonObject), conditions } })
    await c.runner.settled()
    expect(taintsOf(c.node('sim-node-3'))).toEqual(['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute'])
  })

  it('force-deletes the pods of a node that is deleted, Terminating ones too', async () => {
    await c.api.create(user, boundPod('stranded', 'sim-node-2', {}, impatient))
    await c.runner.settled()
    await setDown('sim-node-2', true)
    await c.runner.settled()
    await c.advance(45_000)
    expect(deleting(c.pod('stranded'))).toBe(true)
    expect(deleting(c.pod('elsewhere'))).toBe(false)
    await c.api.delete(user, 'nodes', undefined, 'sim-node-2')
    await c.runner.settled()
    expect(c.pod('stranded')).toBeUndefined()
    expect(c.pod('elsewhere')).toBeUndefined()
    const history = await c.t.store.history({ kind: 'Pod', namespace: 'default', name: 'elsewhere' })
    expect(history.at(-1)).toMatchObject({ type: 'Deleted', meta: { actor: 'system:controller:pod-garbage-collector' } })
  })
})
