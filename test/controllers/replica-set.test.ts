import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emptyState } from '../../projections/cluster-state.js'
import { load } from '../../projections/evolve.js'
import { createReplicaSetController } from '../../services/controllers/replica-set.controller.js'
import type { Action } from '../../services/controllers/runtime/controller.js'
import type { JsonObject } from '../../services/resources/json.js'
import { backend } from '../support/store.js'
import { isActive, isReady, markReady, pods, startHarness, type Harness } from './deployment-harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness([createReplicaSetController('ReplicaSet'), createReplicaSetController('ReplicationController')])
})
afterAll(() => h.close())

const meta = (o: JsonObject) => (o.metadata ?? {}) as JsonObject
const status = (o: JsonObject) => (o.status ?? {}) as JsonObject
const owners = (o: JsonObject) => (meta(o).ownerReferences ?? []) as JsonObject[]

function replicaSet(app: string, replicas: number, spec: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: app, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app }, annotations: { team: 'blue' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
      ...spec,
    },
  }
}

const orphan = (name: string, labels: Record<string, string>, extra: JsonObject = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels, ...extra },
  spec: { containers: [{ name: 'app', image: 'nginx' }] },
})

async function events(reason: string, involved: string): Promise<JsonObject[]> {
  return (await h.api.list('Event', { namespace: 'default' })).items.filter((e) => e.reason === reason && (e.involvedObject as JsonObject).name === involved)
}

describe(`the ReplicaSet controller (${backend})`, () => {
  it('creates the missing pods from the template, in slow-start batches, with events', async () => {
    const rs = await h.api.create(h.user, replicaSet('batch', 3))
    await h.settled()
    const created = await pods(h, 'default', 'app=batch')
    expect(created).toHaveLength(3)
    for (const pod of created) {
      expect(meta(pod).labels).toEqual({ app: 'batch' })
      expect(meta(pod).annotations).toEqual({ team: 'blue' })
      expect(meta(pod).generateName).toBe('batch-')
      expect(owners(pod)).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'batch', uid: meta(rs).uid, controller: true, blockOwnerDeletion: true }])
    }
    const history = await Promise.all(created.map((p) => h.t.store.history({ kind: 'Pod', namespace: 'default', name: String(meta(p).name) })))
    const revisions = history.map((events) => events[0]!.revision).sort((a, b) => a - b)
    expect(history[0]![0]!.meta).toMatchObject({ actor: 'system:controller:replicaset', causationRevision: Number(meta(rs).resourceVersion) })
    // A batch of 1, then one of 2 after it.
    const first = revisions[0]!
    expect(revisions.slice(1).every((r) => r > first)).toBe(true)
    const messages = (await events('SuccessfulCreate', 'batch')).map((e) => e.message).sort()
    expect(messages).toEqual(created.map((p) => `Created pod: ${String(meta(p).name)}`).sort())
    expect((await events('SuccessfulCreate', 'batch'))[0]).toMatchObject({ type: 'Normal', source: { component: 'replicaset-controller' } })
    expect(status(await h.api.get('rs', 'default', 'batch'))).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 })
  })

  it('deletes pods that are not ready first when scaled down, and says so', async () => {
    const [keep1, keep2, notReady] = await pods(h, 'default', 'app=batch')
    await markReady(h, keep1!)
    await markReady(h, keep2!)
    await markReady(h, notReady!, false)
    await h.settled()
    await h.api.scale(h.user, 'rs', 'default', 'batch', 2)
    await h.settled()
    expect((await pods(h, 'default', 'app=batch')).map((p) => meta(p).name).sort()).toEqual([meta(keep1!).name, meta(keep2!).name].sort())
    expect((await events('SuccessfulDelete', 'batch')).map((e) => e.message)).toEqual([`Deleted pod: ${String(meta(notReady!).name)}`])
    expect(status(await h.api.get('rs', 'default', 'batch'))).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 2 })
  })

  it('adopts matching orphans, leaves pods of other controllers and finished pods alone', async () => {
    const stray = await h.api.create(h.user, orphan('stray', { app: 'adopt' }))
    const foreign = await h.api.create(h.user, orphan('foreign', { app: 'adopt' }, { ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'other', uid: 'other-uid', controller: true }] }))
    const done = await h.api.create(h.user, orphan('done', { app: 'adopt' }))
    await h.api.updateStatus(h.user, { ...done, status: { phase: 'Succeeded' } })
    const rs = await h.api.create(h.user, replicaSet('adopt', 2))
    await h.settled()
    expect(owners(await h.api.get('pod', 'default', 'stray'))).toMatchObject([{ kind: 'ReplicaSet', name: 'adopt', uid: meta(rs).uid, controller: true, blockOwnerDeletion: true }])
    expect(owners(await h.api.get('pod', 'default', 'foreign'))).toEqual(owners(foreign))
    expect(owners(await h.api.get('pod', 'default', 'done'))).toEqual([])
    const mine = (await pods(h, 'default', 'app=adopt')).filter((p) => owners(p)[0]?.uid === meta(rs).uid)
    expect(mine.map((p) => meta(p).name)).toContain(meta(stray).name)
    expect(mine).toHaveLength(2)
    expect(status(await h.api.get('rs', 'default', 'adopt')).replicas).toBe(2)
  })

  it('releases a pod whose labels stop matching and replaces it', async () => {
    await h.api.patch(h.user, 'pod', 'default', 'stray', { metadata: { labels: { app: 'elsewhere' } } }, 'merge')
    await h.settled()
    expect(owners(await h.api.get('pod', 'default', 'stray'))).toEqual([])
    const mine = (await pods(h, 'default', 'app=adopt')).filter((p) => owners(p)[0]?.kind === 'ReplicaSet' && isActive(p))
    expect(mine).toHaveLength(2)
  })

  it('replaces a pod that finished', async () => {
    const [victim] = (await pods(h, 'default', 'app=batch')).filter(isReady)
    await h.api.updateStatus(h.user, { ...victim!, metadata: { ...meta(victim!), resourceVersion: undefined }, status: { phase: 'Failed' } })
    await h.settled()
    expect((await pods(h, 'default', 'app=batch')).filter(isActive)).toHaveLength(2)
    expect(status(await h.api.get('rs', 'default', 'batch')).replicas).toBe(2)
  })

  it('counts pods available only once they have been ready for minReadySeconds', async () => {
    await h.api.create(h.user, replicaSet('slow', 2, { minReadySeconds: 30 }))
    await h.settled()
    for (const pod of await pods(h, 'default', 'app=slow')) await markReady(h, pod)
    await h.settled()
    expect(status(await h.api.get('rs', 'default', 'slow'))).toMatchObject({ replicas: 2, readyReplicas: 2 })
    expect(status(await h.api.get('rs', 'default', 'slow')).availableReplicas).toBeUndefined()
    await h.advance(29_000)
    expect(status(await h.api.get('rs', 'default', 'slow')).availableReplicas).toBeUndefined()
    await h.advance(1_000)
    expect(status(await h.api.get('rs', 'default', 'slow'))).toMatchObject({ readyReplicas: 2, availableReplicas: 2 })
  })

  it('runs ReplicationControllers the same way, with a map selector', async () => {
    const rc = await h.api.create(h.user, {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'legacy', namespace: 'default' },
      spec: { replicas: 2, selector: { app: 'legacy' }, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
    })
    await h.settled()
    const created = await pods(h, 'default', 'app=legacy')
    expect(created).toHaveLength(2)
    expect(owners(created[0]!)).toEqual([{ apiVersion: 'v1', kind: 'ReplicationController', name: 'legacy', uid: meta(rc).uid, controller: true, blockOwnerDeletion: true }])
    expect((await events('SuccessfulCreate', 'legacy'))[0]).toMatchObject({ source: { component: 'replication-controller' } })
    expect(status(await h.api.get('rc', 'default', 'legacy'))).toMatchObject({ replicas: 2, fullyLabeledReplicas: 2 })
    const [createdBy] = await h.t.store.history({ kind: 'Pod', namespace: 'default', name: String(meta(created[0]!).name) })
    expect(createdBy!.meta.actor).toBe('system:controller:replicationcontroller')
  })
})

describe('the ReplicaSet controller, reconciling a state', () => {
  const flat = (actions: Array<Action | Action[]>) => actions.flatMap((a) => (Array.isArray(a) ? a : [a]))

  it('reports a template the API would reject as FailedCreate and a ReplicaFailure condition, creating nothing', () => {
    const state = emptyState()
    const rs = replicaSet('broken', 2, { template: { metadata: { labels: { app: 'broken' } }, spec: { containers: [{ name: 'app' }] } } })
    ;(rs.metadata as JsonObject).uid = 'rs-uid'
    ;(rs.metadata as JsonObject).generation = 1
    load(state, 'ReplicaSet', 'default', 'broken', rs)
    const now = new Date('2026-11-26T12:00:00Z')
    const actions = flat(createReplicaSetController().reconcile('default/broken', state, now).actions)
    expect(actions.filter((a) => a.type === 'create' && a.object.kind === 'Pod')).toEqual([])
    const event = actions.find((a) => a.type === 'create' && a.object.kind === 'Event') as { object: JsonObject }
    expect(event.object).toMatchObject({ type: 'Warning', reason: 'FailedCreate' })
    expect(String(event.object.message)).toMatch(/^Error creating: Pod "broken-\w{5}" is invalid: spec\.containers\[0\]\.image: Required value/)
    const update = actions.find((a) => a.type === 'updateStatus') as { object: JsonObject }
    expect(status(update.object)).toMatchObject({
      replicas: 0,
      observedGeneration: 1,
      conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', lastTransitionTime: '2026-11-26T12:00:00Z' }],
    })
  })

  it('does nothing for a ReplicaSet whose selector selects nothing', () => {
    const state = emptyState()
    load(state, 'ReplicaSet', 'default', 'none', { ...replicaSet('none', 2, { selector: null }), metadata: { name: 'none', namespace: 'default', uid: 'u' } })
    expect(createReplicaSetController().reconcile('default/none', state, new Date()).actions).toEqual([])
  })
})
