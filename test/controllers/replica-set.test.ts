import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReplicaSetController } from '../../services/controllers/replica-set.controller.js'
import type { JsonObject } from '../../services/json.js'
import { freshNamespace } from '../support/namespaces.js'
import { backend } from '../support/store.js'
import { markReady, pods, startHarness, type Harness } from './deployment-harness.js'

// The controller's decisions are specified in replica-set.reconcile.test.ts; these cases check
// that the runner carries them out: as whom, with which cause, in which order, and when again.

let h: Harness
beforeAll(async () => {
  h = await startHarness([createReplicaSetController('ReplicaSet'), createReplicaSetController('ReplicationController')])
})
afterAll(() => h.close())

const meta = (o: JsonObject) => (o.metadata ?? {}) as JsonObject
const status = (o: JsonObject) => (o.status ?? {}) as JsonObject

function replicaSet(namespace: string, app: string, replicas: number, spec: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: app, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
      ...spec,
    },
  }
}

async function events(namespace: string, reason: string): Promise<JsonObject[]> {
  return (await h.api.list('Event', { namespace })).items.filter((e) => e.reason === reason)
}

describe(`the ReplicaSet controller, run (${backend})`, () => {
  it('creates the pods as the replicaset controller, caused by the ReplicaSet, one batch after the other', async () => {
    const ns = await freshNamespace(h.api)
    const rs = await h.api.create(h.user, replicaSet(ns, 'batch', 3))
    await h.settled()
    const created = await pods(h, ns, 'app=batch')
    expect(created).toHaveLength(3)
    const history = await Promise.all(created.map((p) => h.t.store.history({ kind: 'Pod', namespace: ns, name: String(meta(p).name) })))
    for (const events of history)
      expect(events[0]!.meta).toMatchObject({ actor: 'system:controller:replicaset', causationRevision: Number(meta(rs).resourceVersion) })
    // A batch of 1, then one of 2 after it.
    const [first, ...rest] = history.map((events) => events[0]!.revision).sort((a, b) => a - b)
    expect(rest.every((r) => r > first!)).toBe(true)
    expect((await events(ns, 'SuccessfulCreate')).map((e) => e.message).sort()).toEqual(
      created.map((p) => `Created pod: ${String(meta(p).name)}`).sort(),
    )
    expect(status(await h.api.get('rs', ns, 'batch'))).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 })
  })

  it('deletes the pod it chose when scaled down, and reports the new count', async () => {
    const ns = await freshNamespace(h.api)
    await h.api.create(h.user, replicaSet(ns, 'web', 2))
    await h.settled()
    const [keep, notReady] = await pods(h, ns, 'app=web')
    await markReady(h, keep!)
    await markReady(h, notReady!, false)
    await h.settled()
    await h.api.scale(h.user, 'rs', ns, 'web', 1)
    await h.settled()
    expect((await pods(h, ns, 'app=web')).map((p) => meta(p).name)).toEqual([meta(keep!).name])
    expect((await events(ns, 'SuccessfulDelete')).map((e) => e.message)).toEqual([`Deleted pod: ${String(meta(notReady!).name)}`])
    expect(status(await h.api.get('rs', ns, 'web'))).toMatchObject({
      replicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      observedGeneration: 2,
    })
  })

  it('looks again when minReadySeconds have passed, as the reconcile asked', async () => {
    const ns = await freshNamespace(h.api)
    await h.api.create(h.user, replicaSet(ns, 'slow', 1, { minReadySeconds: 30 }))
    await h.settled()
    for (const pod of await pods(h, ns, 'app=slow')) await markReady(h, pod)
    await h.settled()
    expect(status(await h.api.get('rs', ns, 'slow')).availableReplicas).toBeUndefined()
    await h.advance(30_000)
    expect(status(await h.api.get('rs', ns, 'slow'))).toMatchObject({ readyReplicas: 1, availableReplicas: 1 })
  })

  it('runs ReplicationControllers as the replicationcontroller controller', async () => {
    const ns = await freshNamespace(h.api)
    await h.api.create(h.user, {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'legacy', namespace: ns },
      spec: {
        replicas: 1,
        selector: { app: 'legacy' },
        template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
      },
    })
    await h.settled()
    const [created] = await pods(h, ns, 'app=legacy')
    const [createdBy] = await h.t.store.history({ kind: 'Pod', namespace: ns, name: String(meta(created!).name) })
    expect(createdBy!.meta.actor).toBe('system:controller:replicationcontroller')
    expect(status(await h.api.get('rc', ns, 'legacy'))).toMatchObject({ replicas: 1, fullyLabeledReplicas: 1 })
  })
})
