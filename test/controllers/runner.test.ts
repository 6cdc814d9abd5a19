import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getObject, listObjects, type ClusterState } from '../../projections/cluster-state.js'
import { Projection } from '../../projections/projection.js'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import { FakeClock } from '../../services/runtime/clock.js'
import { keyOf, splitKey, type Controller } from '../../services/runtime/controller.js'
import { ControllerRunner } from '../../services/runtime/runner.js'
import { silentLogger } from '../../services/log.js'
import type { JsonObject } from '../../services/json.js'
import { backend, openTestStore, type TestStore } from '../support/store.js'

/** A toy controller: every ConfigMap gets a copy named `<name>-copy` with the same data. */
const copier: Controller = {
  name: 'copier',
  // A change to a copy asks to look at its source again.
  keysFor: (change) => (change.event.kind === 'ConfigMap' ? [keyOf(change.event.namespace, change.event.name.replace(/-copy$/, ''))] : []),
  allKeys: (state: ClusterState) =>
    listObjects(state, 'ConfigMap')
      .map((o) => keyOf(String((o.metadata as JsonObject).namespace), String((o.metadata as JsonObject).name)))
      .filter((k) => !k.endsWith('-copy')),
  reconcile: (key, state) => {
    const { namespace, name } = splitKey(key)
    const source = getObject(state, 'ConfigMap', namespace, name)
    const copy = getObject(state, 'ConfigMap', namespace, `${name}-copy`)
    if (!source) return { actions: copy ? [{ type: 'delete', kind: 'ConfigMap', namespace, name: `${name}-copy` }] : [] }
    if (!copy)
      return {
        actions: [
          {
            type: 'create',
            reason: 'copying',
            object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-copy`, namespace }, data: source.data ?? {} },
          },
        ],
      }
    if (JSON.stringify(copy.data) === JSON.stringify(source.data)) return { actions: [] }
    return { actions: [{ type: 'update', object: { ...copy, data: source.data } }] }
  },
}

let t: TestStore
let api: ResourceApi
let projection: Projection
let runner: ControllerRunner
const user = { actor: 'user' }
beforeAll(async () => {
  t = await openTestStore()
  projection = await Projection.start(t.store)
  api = new ResourceApi({ store: t.store, projection })
  await bootstrapNamespaces(api)
  runner = new ControllerRunner({ api, projection, controllers: [copier], clock: new FakeClock(), log: silentLogger })
  runner.start()
})
afterAll(async () => {
  await runner.stop()
  projection.stop()
  await t.cleanup()
})

describe(`the controller runner (${backend})`, () => {
  it('reconciles what changes, level-triggered, writing as the controller with the change as cause', async () => {
    const source = await api.create(user, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'default' },
      data: { a: '1' },
    })
    await runner.settled()
    const copy = await api.get('cm', 'default', 'settings-copy')
    expect(copy.data).toEqual({ a: '1' })
    const [created] = await t.store.history({ kind: 'ConfigMap', namespace: 'default', name: 'settings-copy' })
    expect(created!.meta).toMatchObject({
      actor: 'system:controller:copier',
      causationRevision: Number((source.metadata as JsonObject).resourceVersion),
      reason: 'copying',
    })

    await api.update(user, { ...source, metadata: { ...(source.metadata as JsonObject), resourceVersion: undefined }, data: { a: '2' } })
    await runner.settled()
    expect((await api.get('cm', 'default', 'settings-copy')).data).toEqual({ a: '2' })
  })

  it('writes nothing when nothing differs, however often it looks', async () => {
    await api.create(user, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'quiet', namespace: 'default' }, data: { a: '1' } })
    await runner.settled()
    const head = (await t.store.head()).revision
    for (let i = 0; i < 3; i++) await api.patch(user, 'cm', 'default', 'quiet', { metadata: { labels: { n: String(i) } } }, 'merge')
    await runner.settled()
    const copies = (await t.store.events({ after: head, name: 'quiet-copy' })).length
    expect(copies).toBe(0)
  })

  it('puts right what someone else breaks', async () => {
    await api.create(user, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', namespace: 'default' }, data: { a: '2' } })
    await runner.settled()
    await api.delete(user, 'cm', 'default', 'kept-copy')
    await runner.settled()
    expect((await api.get('cm', 'default', 'kept-copy')).data).toEqual({ a: '2' })
  })
})
