import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulatedNodes } from '../../services/kubelet/simulated-nodes.js'
import type { JsonObject } from '../../services/json.js'
import { boundPod, conditionOf, startSimCluster, type SimCluster } from '../kubelet/sim-cluster.js'
import { backend } from '../support/store.js'

let c: SimCluster
const user = { actor: 'alice' }
const taintsOf = (node: JsonObject | undefined) =>
  (((node?.spec as JsonObject | undefined)?.taints ?? []) as JsonObject[]).map((t) => `${String(t.key)}:${String(t.effect)}`)
const deleting = (pod: JsonObject | undefined) => (pod?.metadata as JsonObject | undefined)?.deletionTimestamp !== undefined
const setDown = (node: string, down: boolean) =>
  c.api.patch(user, 'nodes', undefined, node, { metadata: { annotations: { 'sim.revkube.io/down': down ? 'true' : null } } }, 'merge')
/** Evicted at once: tolerates the unreachable taint for no time at all. */
const impatient = {
  tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }],
}
/** Never evicted, like a DaemonSet pod. */
const steadfast = { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }] }

beforeAll(async () => {
  c = await startSimCluster()
  await createSimulatedNodes(c.api, 2)
  await c.runner.settled()
})
afterAll(async () => {
  await c.stop()
})

// The controller's decisions are specified in node-lifecycle.reconcile.test.ts; these cases run it
// beside simulated kubelets on the fake clock: the heartbeats it reads, the requeues that bring it
// back, and its writes, as the node lifecycle controller or the pod garbage collector.
describe(`the node lifecycle controller, run (${backend})`, () => {
  it('marks a node whose kubelet stops Unknown after the grace period, evicts the pods that do not tolerate it, and clears the taints when it is back', async () => {
    for (const [name, spec] of [
      ['patient', {}],
      ['impatient', impatient],
      ['steadfast', steadfast],
    ] as const) {
      await c.api.create(user, boundPod(name, 'sim-node-1', {}, spec))
    }
    await c.runner.settled()
    await c.advance(10_000)
    expect(conditionOf(c.pod('patient'), 'Ready')?.status).toBe('True')
    await setDown('sim-node-1', true)
    await c.runner.settled()
    await c.advance(30_000)
    expect(taintsOf(c.node('sim-node-1'))).toEqual([])
    await c.advance(15_000)
    expect(conditionOf(c.node('sim-node-1'), 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' })
    expect(taintsOf(c.node('sim-node-1'))).toEqual([
      'node.kubernetes.io/unreachable:NoSchedule',
      'node.kubernetes.io/unreachable:NoExecute',
    ])
    const history = await c.t.store.history({ kind: 'Node', namespace: '', name: 'sim-node-1' })
    expect(history.slice(-2).map((e) => e.meta.actor)).toEqual(['system:controller:node-lifecycle', 'system:controller:node-lifecycle'])
    expect(conditionOf(c.pod('patient'), 'Ready')?.status).toBe('False')
    expect(deleting(c.pod('impatient'))).toBe(true)
    expect(deleting(c.pod('patient'))).toBe(false)

    await c.advance(300_000, 10_000)
    expect(deleting(c.pod('patient'))).toBe(true)
    expect(deleting(c.pod('steadfast'))).toBe(false)

    await setDown('sim-node-1', false)
    await c.runner.settled()
    await c.advance(10_000)
    expect(conditionOf(c.node('sim-node-1'), 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' })
    expect(taintsOf(c.node('sim-node-1'))).toEqual([])
    // Back, its kubelet finishes the pods that were evicted.
    expect([c.pod('patient'), c.pod('impatient')]).toEqual([undefined, undefined])
    expect(conditionOf(c.pod('steadfast'), 'Ready')?.status).toBe('True')
  })

  it('force-deletes, as the pod garbage collector, the pods of a node that is deleted', async () => {
    await c.api.create(user, boundPod('stranded', 'sim-node-2'))
    await c.runner.settled()
    await c.api.delete(user, 'nodes', undefined, 'sim-node-2')
    await c.runner.settled()
    expect(c.pod('stranded')).toBeUndefined()
    const history = await c.t.store.history({ kind: 'Pod', namespace: 'default', name: 'stranded' })
    expect(history.at(-1)).toMatchObject({ type: 'Deleted', meta: { actor: 'system:controller:pod-garbage-collector' } })
  })
})
