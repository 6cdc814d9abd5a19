import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDeploymentController } from '../../services/controllers/deployment/deployment.controller.js'
import { computeHash } from '../../services/controllers/deployment/pod-template-hash.js'
import { createReplicaSetController } from '../../services/controllers/replica-set.controller.js'
import { isStatusError } from '../../services/errors.js'
import type { JsonObject } from '../../services/resources/json.js'
import { backend } from '../support/store.js'
import { deployment, isActive, isReady, markReady, pods, runKubelet, setImage, startHarness, type Harness } from './deployment-harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness([createDeploymentController(), createReplicaSetController('ReplicaSet')])
})
afterAll(() => h.close())

const meta = (o: JsonObject) => (o.metadata ?? {}) as JsonObject
const spec = (o: JsonObject) => (o.spec ?? {}) as JsonObject
const status = (o: JsonObject) => (o.status ?? {}) as JsonObject
const labels = (o: JsonObject) => (meta(o).labels ?? {}) as Record<string, string>
const condition = (d: JsonObject, type: string) => ((status(d).conditions ?? []) as JsonObject[]).find((c) => c.type === type)
const podImage = (pod: JsonObject) => ((spec(pod).containers as JsonObject[])[0]!).image
const replicaSets = async (app: string) => (await h.api.list('ReplicaSet', { namespace: 'default', labelSelector: `app=${app}` })).items
const get = (name: string) => h.api.get('Deployment', 'default', name)
const scalingEvents = async (name: string) =>
  (await h.api.list('Event', { namespace: 'default' })).items
    .filter((e) => e.reason === 'ScalingReplicaSet' && (e.involvedObject as JsonObject).name === name)
    .sort((a, b) => Number(meta(a).resourceVersion) - Number(meta(b).resourceVersion))
    .map((e) => e.message)

describe(`Deployment strategies, conditions and history (${backend})`, () => {
  it('Recreate deletes every old pod before it creates a new one', async () => {
    await h.api.create(h.user, deployment('batch', 'job:1', { replicas: 3, spec: { strategy: { type: 'Recreate' } } }))
    await runKubelet(h, 'app=batch')
    const before = (await h.t.store.head()).revision
    await setImage(h, 'batch', 'job:2')
    await runKubelet(h, 'app=batch')
    const after = (await h.t.store.head()).revision
    for (let at = before; at <= after; at++) {
      const live = (await h.t.store.list({ kind: 'Pod', namespace: 'default', at })).items.filter((p) => labels(p).app === 'batch' && isActive(p))
      expect(new Set(live.map(podImage)).size, `images at revision ${at}`).toBeLessThanOrEqual(1)
    }
    expect((await pods(h, 'default', 'app=batch')).map(podImage)).toEqual(['job:2', 'job:2', 'job:2'])
    const [oldRS, newRS] = (await replicaSets('batch')).sort((a, b) => spec(a).replicas as number - (spec(b).replicas as number))
    expect(await scalingEvents('batch')).toEqual([
      `Scaled up replica set ${String(meta(oldRS!).name)} from 0 to 3`,
      `Scaled down replica set ${String(meta(oldRS!).name)} from 3 to 0`,
      `Scaled up replica set ${String(meta(newRS!).name)} from 0 to 3`,
    ])
  })

  it('writes the conditions and counters Kubernetes writes once a rollout completes', async () => {
    const d = await get('batch')
    const rs = (await replicaSets('batch')).find((r) => spec(r).replicas === 3)!
    expect(status(d)).toMatchObject({ observedGeneration: meta(d).generation, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 })
    expect(status(d).unavailableReplicas).toBeUndefined()
    expect(condition(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' })
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${String(meta(rs).name)}" has successfully progressed.` })
  })

  it('reports ProgressDeadlineExceeded once progressDeadlineSeconds pass without progress', async () => {
    await h.api.create(h.user, deployment('stuck', 'app:1', { replicas: 2, spec: { progressDeadlineSeconds: 60 } }))
    await h.settled()
    const rs = (await replicaSets('stuck'))[0]!
    expect(condition(await get('stuck'), 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${String(meta(rs).name)}" is progressing.` })
    expect(condition(await get('stuck'), 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' })
    await h.advance(60_000)
    expect(condition(await get('stuck'), 'Progressing')?.reason).toBe('ReplicaSetUpdated')
    await h.advance(1_500)
    expect(condition(await get('stuck'), 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${String(meta(rs).name)}" has timed out progressing.` })
    await runKubelet(h, 'app=stuck')
    expect(condition(await get('stuck'), 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' })
  })

  it('counts pods available only after minReadySeconds, and passes it to the ReplicaSet', async () => {
    await h.api.create(h.user, deployment('careful', 'app:1', { replicas: 2, spec: { minReadySeconds: 10 } }))
    await runKubelet(h, 'app=careful')
    expect(spec((await replicaSets('careful'))[0]!).minReadySeconds).toBe(10)
    expect(status(await get('careful'))).toMatchObject({ readyReplicas: 2 })
    expect(status(await get('careful')).availableReplicas).toBeUndefined()
    await h.advance(10_000)
    expect(status(await get('careful'))).toMatchObject({ readyReplicas: 2, availableReplicas: 2 })
    expect(condition(await get('careful'), 'Available')?.status).toBe('True')
  })

  it('keeps revisionHistoryLimit old ReplicaSets', async () => {
    await h.api.create(h.user, deployment('short', 'app:1', { replicas: 1, spec: { revisionHistoryLimit: 1 } }))
    await runKubelet(h, 'app=short')
    for (const image of ['app:2', 'app:3', 'app:4']) {
      await setImage(h, 'short', image)
      await runKubelet(h, 'app=short')
    }
    const rss = await replicaSets('short')
    expect(rss.map((rs) => (meta(rs).annotations as JsonObject)['deployment.kubernetes.io/revision']).sort()).toEqual(['3', '4'])
  })

  it('shares a resize mid-rollout in proportion to the ReplicaSets\' sizes', async () => {
    const spec10 = { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }
    await h.api.create(h.user, deployment('wide', 'app:1', { replicas: 10, spec: spec10 }))
    await runKubelet(h, 'app=wide')
    await setImage(h, 'wide', 'app:2')
    await h.settled() // the new pods never become ready: the rollout stops at 8 old and 5 new
    const sizes = async () => Object.fromEntries((await replicaSets('wide')).map((rs) => [String((((spec(rs).template as JsonObject).spec as JsonObject).containers as JsonObject[])[0]!.image), spec(rs).replicas]))
    expect(await sizes()).toEqual({ 'app:1': 8, 'app:2': 5 })
    await h.api.scale(h.user, 'deploy', 'default', 'wide', 15)
    await h.settled()
    expect(await sizes()).toEqual({ 'app:1': 11, 'app:2': 7 })
  })

  it('bumps collisionCount when the hash names a ReplicaSet that is not its own', async () => {
    const defaulted = await h.api.create({ ...h.user, dryRun: true }, deployment('coll', 'app:1', { replicas: 1 }))
    const template = spec(defaulted).template
    const squatter = `coll-${computeHash(template)}`
    await h.api.create(h.user, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: squatter, namespace: 'default' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'squatter' } }, template: { metadata: { labels: { app: 'squatter' } }, spec: { containers: [{ name: 'x', image: 'x' }] } } },
    })
    await h.api.create(h.user, deployment('coll', 'app:1', { replicas: 1 }))
    await runKubelet(h, 'app=coll')
    const d = await get('coll')
    expect(status(d).collisionCount).toBe(1)
    expect((await replicaSets('coll')).map((rs) => meta(rs).name)).toEqual([`coll-${computeHash(template, 1)}`])
    expect(status(d)).toMatchObject({ replicas: 1, availableReplicas: 1 })
  })

  it('adopts an orphan ReplicaSet of its template and releases one whose labels stop matching', async () => {
    const template = { metadata: { labels: { app: 'heir' } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } }
    await h.api.create(h.user, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'heir-manual', namespace: 'default', labels: { app: 'heir' } }, spec: { replicas: 1, selector: { matchLabels: { app: 'heir' } }, template } })
    await runKubelet(h, 'app=heir')
    const d = await h.api.create(h.user, deployment('heir', 'app:1', { replicas: 2 }))
    await runKubelet(h, 'app=heir')
    const adopted = await h.api.get('rs', 'default', 'heir-manual')
    expect(meta(adopted).ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'heir', uid: meta(d).uid, controller: true, blockOwnerDeletion: true }])
    expect(spec(adopted).replicas).toBe(2)
    expect((await replicaSets('heir')).map((rs) => meta(rs).name)).toEqual(['heir-manual'])

    await h.api.patch(h.user, 'rs', 'default', 'heir-manual', { metadata: { labels: { app: 'gone' } } }, 'merge')
    await runKubelet(h, 'app=heir')
    // Kubernetes omits the emptied list; the strategic merge patch leaves it empty here.
    expect(meta(await h.api.get('rs', 'default', 'heir-manual')).ownerReferences ?? []).toEqual([])
    const [replacement] = await replicaSets('heir')
    expect(meta(replacement!).name).toMatch(/^heir-[4-9bcdf]+$/)
    expect(spec(replacement!).replicas).toBe(2)
  })

  it('never gets a Deployment whose selector does not match its template: the API refuses it', async () => {
    const bad = deployment('mismatch', 'app:1')
    ;(spec(bad).selector as JsonObject).matchLabels = { app: 'other' }
    const error = await h.api.create(h.user, bad).catch((e: unknown) => e)
    expect(isStatusError(error, 'Invalid')).toBe(true)
    expect((error as Error).message).toContain('spec.template.metadata.labels: Invalid value: {"app":"mismatch"}: `selector` does not match template `labels`')
  })

  it('rolls a ready pod count that never drops below replicas − maxUnavailable, with maxUnavailable 1 and no surge', async () => {
    const strategy = { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } }
    await h.api.create(h.user, deployment('tight', 'app:1', { replicas: 4, spec: strategy }))
    await runKubelet(h, 'app=tight')
    const before = (await h.t.store.head()).revision
    await setImage(h, 'tight', 'app:2')
    await runKubelet(h, 'app=tight')
    const after = (await h.t.store.head()).revision
    for (let at = before; at <= after; at++) {
      const live = (await h.t.store.list({ kind: 'Pod', namespace: 'default', at })).items.filter((p) => labels(p).app === 'tight' && isActive(p))
      expect(live.length, `pods at revision ${at}`).toBeLessThanOrEqual(4)
      expect(live.filter(isReady).length, `ready pods at revision ${at}`).toBeGreaterThanOrEqual(3)
    }
    expect((await pods(h, 'default', 'app=tight')).map(podImage)).toEqual(['app:2', 'app:2', 'app:2', 'app:2'])
  })

  it('counts a pod that goes unready as unavailable, and stays Available within maxUnavailable', async () => {
    const [first] = await pods(h, 'default', 'app=tight')
    await markReady(h, first!, false)
    await h.settled()
    const d = await get('tight')
    expect(status(d)).toMatchObject({ readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 })
    expect(condition(d, 'Available')?.status).toBe('True')
  })
})
