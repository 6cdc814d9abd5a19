import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDeploymentController } from '../../services/controllers/deployment/deployment.controller.js'
import { createReplicaSetController } from '../../services/controllers/replica-set.controller.js'
import { isStatusError } from '../../services/errors.js'
import type { JsonObject } from '../../services/json.js'
import { freshNamespace } from '../support/namespaces.js'
import { backend } from '../support/store.js'
import {
  deployment,
  isActive,
  isReady,
  pods,
  runKubelet,
  setImage,
  startHarness,
  startKubelet,
  type Harness,
} from './deployment-harness.js'

// The Deployment controller's decisions (each step of a rollout, the conditions, history,
// proportional scaling, collisions, adoption) are specified in deployment.reconcile.test.ts.
// These cases run it with the ReplicaSet controller and a stand-in kubelet, and check what only a
// whole rollout shows: its bounds hold at every revision of the log.

let h: Harness
beforeAll(async () => {
  h = await startHarness([createDeploymentController(), createReplicaSetController('ReplicaSet')])
})
afterAll(() => h.close())

const meta = (o: JsonObject) => (o.metadata ?? {}) as JsonObject
const spec = (o: JsonObject) => (o.spec ?? {}) as JsonObject
const status = (o: JsonObject) => (o.status ?? {}) as JsonObject
const labels = (o: JsonObject) => (meta(o).labels ?? {}) as Record<string, string>
const image = (pod: JsonObject) => (spec(pod).containers as JsonObject[])[0]!.image
const replicaSets = async (ns: string, app: string) =>
  (await h.api.list('ReplicaSet', { namespace: ns, labelSelector: `app=${app}` })).items

/** The active pods of `app` at every revision from `before` to `after`. */
async function* podsAtEveryRevision(ns: string, app: string, before: number, after: number): AsyncGenerator<[number, JsonObject[]]> {
  for (let at = before; at <= after; at++) {
    const live = (await h.t.store.list({ kind: 'Pod', namespace: ns, at })).items.filter((p) => labels(p).app === app && isActive(p))
    yield [at, live]
  }
}

/** A Deployment of `app` rolled out to its end, then the revision the log is at. */
async function rolledOut(ns: string, app: string, replicas: number, extra: JsonObject = {}): Promise<number> {
  await h.api.create(h.user, deployment(app, `${app}:1`, { replicas, namespace: ns, spec: extra }))
  await runKubelet(h, `app=${app}`, 50, ns)
  return (await h.t.store.head()).revision
}

describe(`Deployment rollouts with the ReplicaSet controller (${backend})`, () => {
  it('turns a Deployment of 3 into a ReplicaSet <name>-<hash> of 3 pods, and reports them all available', async () => {
    const ns = await freshNamespace(h.api)
    await rolledOut(ns, 'web', 3)
    const [rs, ...others] = await replicaSets(ns, 'web')
    expect(others).toEqual([])
    const hash = labels(rs!)['pod-template-hash']!
    expect(meta(rs!).name).toBe(`web-${hash}`)
    const all = await pods(h, ns, 'app=web')
    expect(
      all.map((p) => [meta(p).generateName, labels(p)['pod-template-hash'], (meta(p).ownerReferences as JsonObject[])[0]!.name]),
    ).toEqual(Array(3).fill([`web-${hash}-`, hash, `web-${hash}`]))
    const d = await h.api.get('Deployment', ns, 'web')
    expect(status(d)).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      observedGeneration: meta(d).generation,
    })
    expect(status(rs!)).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3 })
  })

  it('rolls out an image change within maxSurge and maxUnavailable at every revision of the log', async () => {
    const ns = await freshNamespace(h.api)
    const before = await rolledOut(ns, 'web', 3)
    await setImage(h, 'web', 'web:2', ns)
    await runKubelet(h, 'app=web', 50, ns)
    const after = (await h.t.store.head()).revision
    // replicas 3 and 25%/25%: maxSurge rounds up to 1, maxUnavailable down to 0.
    let sawSurge = false
    for await (const [at, live] of podsAtEveryRevision(ns, 'web', before, after)) {
      expect(live.length, `pods at revision ${at}`).toBeLessThanOrEqual(4)
      expect(live.filter(isReady).length, `ready pods at revision ${at}`).toBeGreaterThanOrEqual(3)
      if (live.length === 4) sawSurge = true
    }
    expect(sawSurge).toBe(true)
    expect((await pods(h, ns, 'app=web')).map(image)).toEqual(['web:2', 'web:2', 'web:2'])
    const rss = (await replicaSets(ns, 'web')).map((rs) => [
      (meta(rs).annotations as JsonObject)['deployment.kubernetes.io/revision'],
      spec(rs).replicas,
    ])
    expect(rss.sort()).toEqual([
      ['1', 0],
      ['2', 3],
    ])
    const d = await h.api.get('Deployment', ns, 'web')
    expect(status(d)).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 })
    expect((meta(d).annotations as JsonObject)['deployment.kubernetes.io/revision']).toBe('2')
  })

  it('keeps within replicas ± maxSurge/maxUnavailable while a kubelet readies pods concurrently', async () => {
    // 10 replicas at 25%/25%: at most 13 pods, at least 8 ready.
    const ns = await freshNamespace(h.api)
    const before = await rolledOut(ns, 'busy', 10)
    const stop = startKubelet(h, 'app=busy', ns)
    await setImage(h, 'busy', 'busy:2', ns)
    for (let i = 0; i < 100; i++) {
      await h.settled()
      const now = await pods(h, ns, 'app=busy')
      if (now.length === 10 && now.every((p) => image(p) === 'busy:2' && isReady(p))) break
    }
    await stop()
    await runKubelet(h, 'app=busy', 50, ns)
    const after = (await h.t.store.head()).revision
    for await (const [at, live] of podsAtEveryRevision(ns, 'busy', before, after)) {
      expect(live.length, `pods at revision ${at}`).toBeLessThanOrEqual(13)
      expect(live.filter(isReady).length, `ready pods at revision ${at}`).toBeGreaterThanOrEqual(8)
    }
    expect((await pods(h, ns, 'app=busy')).map(image)).toEqual(Array(10).fill('busy:2'))
  })

  it('keeps ready pods at or above replicas − maxUnavailable at every revision, with maxUnavailable 1 and no surge', async () => {
    const ns = await freshNamespace(h.api)
    const before = await rolledOut(ns, 'tight', 4, {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
    })
    await setImage(h, 'tight', 'tight:2', ns)
    await runKubelet(h, 'app=tight', 50, ns)
    const after = (await h.t.store.head()).revision
    for await (const [at, live] of podsAtEveryRevision(ns, 'tight', before, after)) {
      expect(live.length, `pods at revision ${at}`).toBeLessThanOrEqual(4)
      expect(live.filter(isReady).length, `ready pods at revision ${at}`).toBeGreaterThanOrEqual(3)
    }
    expect((await pods(h, ns, 'app=tight')).map(image)).toEqual(Array(4).fill('tight:2'))
  })

  it('Recreate deletes every old pod before it creates a new one, at every revision of the log', async () => {
    const ns = await freshNamespace(h.api)
    const before = await rolledOut(ns, 'batch', 3, { strategy: { type: 'Recreate' } })
    await setImage(h, 'batch', 'batch:2', ns)
    await runKubelet(h, 'app=batch', 50, ns)
    const after = (await h.t.store.head()).revision
    for await (const [at, live] of podsAtEveryRevision(ns, 'batch', before, after)) {
      expect(new Set(live.map(image)).size, `images at revision ${at}`).toBeLessThanOrEqual(1)
    }
    expect((await pods(h, ns, 'app=batch')).map(image)).toEqual(['batch:2', 'batch:2', 'batch:2'])
    const [oldRS, newRS] = (await replicaSets(ns, 'batch')).sort((a, b) => (spec(a).replicas as number) - (spec(b).replicas as number))
    const scaling = (await h.api.list('Event', { namespace: ns })).items
      .filter((e) => e.reason === 'ScalingReplicaSet')
      .sort((a, b) => Number(meta(a).resourceVersion) - Number(meta(b).resourceVersion))
      .map((e) => e.message)
    expect(scaling).toEqual([
      `Scaled up replica set ${String(meta(oldRS!).name)} from 0 to 3`,
      `Scaled down replica set ${String(meta(oldRS!).name)} from 3 to 0`,
      `Scaled up replica set ${String(meta(newRS!).name)} from 0 to 3`,
    ])
  })

  it('never gets a Deployment whose selector does not match its template: the API refuses it', async () => {
    const bad = deployment('mismatch', 'app:1')
    ;(spec(bad).selector as JsonObject).matchLabels = { app: 'other' }
    const error = await h.api.create(h.user, bad).catch((e: unknown) => e)
    expect(isStatusError(error, 'Invalid')).toBe(true)
    expect((error as Error).message).toContain(
      'spec.template.metadata.labels: Invalid value: {"app":"mismatch"}: `selector` does not match template `labels`',
    )
  })
})
