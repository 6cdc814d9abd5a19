import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Environment } from '../../services/api/context.js'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import { StatusError } from '../../services/errors.js'
import type { JsonObject } from '../../services/json.js'
import { backend, openTestStore, type TestStore } from '../support/store.js'

let t: TestStore
let api: ResourceApi
let clock = new Date('2026-11-26T10:00:00Z')
let uids = 0
const env: Environment = {
  now: () => clock,
  newUid: () => `00000000-0000-4000-8000-${String(++uids).padStart(12, '0')}`,
  randomSuffix: () => 'x7k2p',
}
const alice = { actor: 'alice', requestId: 'req-1' }

beforeAll(async () => {
  t = await openTestStore()
  api = new ResourceApi({ store: t.store, env })
  await bootstrapNamespaces(api)
})
afterAll(() => t.cleanup())

const meta = (o: JsonObject) => o.metadata as JsonObject
const spec = (o: JsonObject) => o.spec as JsonObject
const deployment = (name: string, extra: JsonObject = {}): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels: { app: name } },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
    ...extra,
  },
})
const pod = (name: string, namespace = 'default', labels: Record<string, string> = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'app', image: 'busybox' }] },
})
async function failure(promise: Promise<unknown>): Promise<StatusError> {
  const error = await promise.then(
    () => undefined,
    (e) => e,
  )
  if (!(error instanceof StatusError)) throw new Error(`expected a StatusError, got ${String(error)}`)
  return error
}

describe(`the resource API (${backend})`, () => {
  it('bootstraps the default namespaces', async () => {
    const names = (await api.list('namespaces')).items.map((n) => meta(n).name)
    expect(names).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system'])
  })

  it('creates with Kubernetes defaults, server-owned metadata and a fresh status', async () => {
    const created = await api.create(alice, { ...deployment('web'), status: { replicas: 99 } })
    expect(meta(created)).toMatchObject({ name: 'web', namespace: 'default', generation: 1, creationTimestamp: '2026-11-26T10:00:00Z' })
    expect(meta(created).uid).toMatch(/^00000000-0000-4000-8000-/)
    expect(spec(created)).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    })
    expect(created.status).toEqual({})
    const [event] = await t.store.history({ kind: 'Deployment', namespace: 'default', name: 'web' })
    expect(event!.meta).toMatchObject({ actor: 'alice', requestId: 'req-1', correlationId: 'req-1', verb: 'create' })
  })

  it('names objects from generateName with five random characters', async () => {
    const created = await api.create(alice, { ...pod(''), metadata: { generateName: 'worker-', namespace: 'default' } })
    expect(meta(created).name).toBe('worker-x7k2p')
    const clash = await failure(api.create(alice, { ...pod(''), metadata: { generateName: 'worker-', namespace: 'default' } }))
    expect(clash.message).toBe('pods "worker-x7k2p" already exists, the server was not able to generate a unique name for the object')
  })

  it("reports every invalid field with Kubernetes' messages and writes nothing", async () => {
    const head = (await t.store.head()).revision
    const error = await failure(api.create(alice, deployment('Web_1', { replicas: -1 })))
    expect(error.reason).toBe('Invalid')
    expect(error.code).toBe(422)
    expect(error.message).toContain(
      'Deployment.apps "Web_1" is invalid: [metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain',
    )
    expect(error.details.causes?.map((c) => c.field)).toEqual(['metadata.name', 'spec.replicas'])
    expect((await t.store.head()).revision).toBe(head)
  })

  it('refuses content in a missing or terminating namespace', async () => {
    const missing = await failure(api.create(alice, pod('p', 'nowhere')))
    expect([missing.reason, missing.message]).toEqual(['NotFound', 'namespaces "nowhere" not found'])
    await api.create(alice, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } })
    await api.delete(alice, 'namespace', undefined, 'doomed')
    expect((await api.get('ns', undefined, 'doomed')).status).toEqual({ phase: 'Terminating' })
    const terminating = await failure(api.create(alice, pod('p', 'doomed')))
    expect(terminating.reason).toBe('Forbidden')
    expect(terminating.message).toBe(
      'pods "p" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    )
  })

  it('updates optimistically: a stale resourceVersion is a Conflict, none is unconditional', async () => {
    const current = await api.get('deploy', 'default', 'web')
    const scaled = await api.update(alice, { ...current, spec: { ...spec(current), replicas: 3 } })
    expect(meta(scaled).generation).toBe(2)
    const stale = await failure(api.update(alice, { ...current, spec: { ...spec(current), replicas: 4 } }))
    expect(stale.message).toBe(
      'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    )
    const { resourceVersion: _, ...unconditional } = meta(current)
    const forced = await api.update(alice, { ...current, metadata: unconditional, spec: { ...spec(current), replicas: 5 } })
    expect(spec(forced).replicas).toBe(5)
  })

  it('keeps status out of spec writes and spec out of status writes', async () => {
    const current = await api.get('deploy', 'default', 'web')
    const viaSpec = await api.update(alice, { ...current, status: { replicas: 7 } })
    expect(viaSpec.status).toEqual(current.status)
    const viaStatus = await api.updateStatus(alice, { ...current, spec: { ...spec(current), replicas: 42 }, status: { replicas: 5 } })
    expect(viaStatus.status).toEqual({ replicas: 5 })
    expect(spec(viaStatus).replicas).toBe(spec(current).replicas)
    expect(meta(viaStatus).generation).toBe(meta(current).generation)
  })

  it('writes nothing for an update that changes nothing', async () => {
    const current = await api.get('deploy', 'default', 'web')
    const head = (await t.store.head()).revision
    const same = await api.update(alice, current)
    expect(meta(same).resourceVersion).toBe(meta(current).resourceVersion)
    expect((await t.store.head()).revision).toBe(head)
  })

  it('waits for finalizers, and deletes when the last one goes', async () => {
    await api.create(alice, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/hold'] },
    })
    clock = new Date('2026-11-26T10:05:00Z')
    const marked = await api.delete(alice, 'cm', 'default', 'held')
    expect(meta(marked).deletionTimestamp).toBe('2026-11-26T10:05:00Z')
    const again = await api.delete(alice, 'cm', 'default', 'held')
    expect(meta(again).resourceVersion).toBe(meta(marked).resourceVersion)
    const added = await failure(
      api.update(alice, { ...marked, metadata: { ...meta(marked), finalizers: ['example.com/hold', 'example.com/more'] } }),
    )
    expect(added.message).toContain(
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/more"}',
    )
    await api.update(alice, { ...marked, metadata: { ...meta(marked), finalizers: [] } })
    expect(await t.store.get({ kind: 'ConfigMap', namespace: 'default', name: 'held' })).toBeUndefined()
    const types = (await t.store.history({ kind: 'ConfigMap', namespace: 'default', name: 'held' })).map((e) => e.type)
    expect(types).toEqual(['Created', 'DeletionRequested', 'Deleted'])
  })

  it('deletes a scheduled pod gracefully: status goes on during the grace period, and a delete with grace 0 ends it', async () => {
    const bound = await api.create(alice, { ...pod('graceful'), spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'busybox' }] } })
    const marked = await api.delete(alice, 'pods', 'default', 'graceful')
    expect(meta(marked)).toMatchObject({ deletionGracePeriodSeconds: 30 })
    const stopping = await api.updateStatus({ actor: 'system:node:n1' }, { ...marked, status: { phase: 'Running', reason: 'Terminating' } })
    expect(meta(stopping).deletionTimestamp).toBe(meta(marked).deletionTimestamp)
    await api.delete({ actor: 'system:node:n1' }, 'pods', 'default', 'graceful', {
      gracePeriodSeconds: 0,
      preconditions: { uid: String(meta(bound).uid) },
    })
    expect(await t.store.get({ kind: 'Pod', namespace: 'default', name: 'graceful' })).toBeUndefined()
  })

  it('records the propagation policy; foreground and orphan add their finalizers', async () => {
    await api.create(alice, deployment('fg'))
    await api.create(alice, deployment('orphaned'))
    await api.create(alice, deployment('bg'))
    expect(meta(await api.delete(alice, 'deploy', 'default', 'fg', { propagationPolicy: 'Foreground' })).finalizers).toEqual([
      'foregroundDeletion',
    ])
    expect(meta(await api.delete(alice, 'deploy', 'default', 'orphaned', { propagationPolicy: 'Orphan' })).finalizers).toEqual(['orphan'])
    await api.delete(alice, 'deploy', 'default', 'bg', { propagationPolicy: 'Background' })
    const last = (await t.store.history({ kind: 'Deployment', namespace: 'default', name: 'bg' })).at(-1)!
    expect([last.type, last.meta.propagationPolicy]).toEqual(['Deleted', 'Background'])
    const bad = await failure(api.delete(alice, 'deploy', 'default', 'fg', { propagationPolicy: 'Sideways' }))
    expect(bad.message).toContain(
      'propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"',
    )
  })

  it('checks delete preconditions with the storage error Kubernetes reports', async () => {
    await api.create(alice, pod('precise'))
    const error = await failure(api.delete(alice, 'po', 'default', 'precise', { preconditions: { uid: 'not-the-uid' } }))
    expect(error.reason).toBe('Conflict')
    expect(error.message).toMatch(
      /^Operation cannot be fulfilled on pods "precise": StorageError: invalid object, Code: 4, Key: \/registry\/pods\/default\/precise, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: not-the-uid, UID in object meta: /,
    )
  })

  it('refuses to delete the protected namespaces', async () => {
    const error = await failure(api.delete(alice, 'ns', undefined, 'kube-system'))
    expect([error.reason, error.message]).toEqual(['Forbidden', 'namespaces "kube-system" is forbidden: this namespace may not be deleted'])
  })

  it('lists with label and field selectors, paging over the filtered items', async () => {
    for (let i = 0; i < 6; i++) await api.create(alice, pod(`sel-${i}`, 'default', { tier: i % 2 ? 'back' : 'front', index: String(i) }))
    const front = await api.list('pods', { namespace: 'default', labelSelector: 'tier=front' })
    expect(front.items.map((p) => meta(p).name)).toEqual(['sel-0', 'sel-2', 'sel-4'])
    const first = await api.list('pods', { labelSelector: 'tier in (front,back),index!=3', limit: 2 })
    expect(first.items.map((p) => meta(p).name)).toEqual(['sel-0', 'sel-1'])
    const second = await api.list('pods', { labelSelector: 'tier in (front,back),index!=3', limit: 2, continue: first.continue! })
    expect(second.items.map((p) => meta(p).name)).toEqual(['sel-2', 'sel-4'])
    expect(second.revision).toBe(first.revision)
    const byName = await api.list('pods', { fieldSelector: 'metadata.name=sel-5,status.phase=Pending' })
    expect(byName.items.map((p) => meta(p).name)).toEqual(['sel-5'])
    const unsupported = await failure(api.list('pods', { fieldSelector: 'spec.image=x' }))
    expect([unsupported.reason, unsupported.message]).toEqual(['BadRequest', 'field label not supported: spec.image'])
  })

  it('deletes a collection by selector', async () => {
    const deleted = await api.deleteCollection(alice, 'pods', { namespace: 'default', labelSelector: 'tier=back' })
    expect(deleted.map((p) => meta(p).name)).toEqual(['sel-1', 'sel-3', 'sel-5'])
    expect((await api.list('pods', { labelSelector: 'tier=back' })).items).toEqual([])
  })

  it('reads and writes replicas through the scale subresource', async () => {
    await api.create(alice, deployment('scaled'))
    const scale = await api.getScale('deployments', 'default', 'scaled')
    expect(scale).toMatchObject({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      spec: { replicas: 1 },
      status: { replicas: 0, selector: 'app=scaled' },
    })
    const updated = await api.updateScale(alice, 'deploy', 'default', 'scaled', 4)
    expect(updated.spec).toEqual({ replicas: 4 })
    const object = await api.get('deploy', 'default', 'scaled')
    expect([spec(object).replicas, meta(object).generation]).toEqual([4, 2])
    const stale = await failure(
      api.updateScale(alice, 'deploy', 'default', 'scaled', 5, { resourceVersion: String(meta(scale).resourceVersion) }),
    )
    expect(stale.reason).toBe('Conflict')
    const negative = await failure(api.updateScale(alice, 'deploy', 'default', 'scaled', -1))
    expect(negative.message).toBe(
      'Scale.autoscaling "scaled" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    )
    const noScale = await failure(api.getScale('configmaps', 'default', 'counter'))
    expect(noScale.reason).toBe('NotFound')
  })

  it('writes nothing on a dry run', async () => {
    const head = (await t.store.head()).revision
    const dry = await api.create({ ...alice, dryRun: true }, deployment('dry'))
    expect(spec(dry).replicas).toBe(1)
    await api.delete({ ...alice, dryRun: true }, 'deploy', 'default', 'web')
    expect((await t.store.head()).revision).toBe(head)
  })

  it('loses no update when many writers read, modify and write with retries on Conflict', async () => {
    await api.create(alice, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'counter', namespace: 'default' }, data: { n: '0' } })
    const increment = async () => {
      for (;;) {
        const current = await api.get('cm', 'default', 'counter')
        const n = Number((current.data as JsonObject).n) + 1
        try {
          return await api.update(alice, { ...current, data: { n: String(n) } })
        } catch (error) {
          if (!(error instanceof StatusError && error.reason === 'Conflict')) throw error
        }
      }
    }
    await Promise.all(Array.from({ length: 20 }, increment))
    expect((await api.get('cm', 'default', 'counter')).data).toEqual({ n: '20' })
  })
})
