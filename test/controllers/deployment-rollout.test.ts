import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDeploymentController } from '../../services/controllers/deployment/deployment.controller.js'
import { createReplicaSetController } from '../../services/controllers/replica-set.controller.js'
import type { JsonObject } from '../../services/resources/json.js'
import { backend } from '../support/store.js'
import { deployment, isActive, isReady, pods, runKubelet, setImage, startHarness, startKubelet, type Harness } from './deployment-harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness([createDeploymentController(), createReplicaSetController('ReplicaSet')])
})
afterAll(() => h.close())

const meta = (o: JsonObject) => (o.metadata ?? {}) as JsonObject
const spec = (o: JsonObject) => (o.spec ?? {}) as JsonObject
const status = (o: JsonObject) => (o.status ?? {}) as JsonObject
const image = (pod: JsonObject) => ((spec(pod).containers as JsonObject[])[0]!).image

describe(`Deployment rollouts with the ReplicaSet controller (${backend})`, () => {
  it('turns a Deployment of 3 into a ReplicaSet <name>-<hash> of 3 pods', async () => {
    await h.api.create(h.user, deployment('web', 'nginx:1.25'))
    await runKubelet(h)
    const replicaSets = (await h.api.list('ReplicaSet', { namespace: 'default' })).items
    expect(replicaSets).toHaveLength(1)
    const rs = replicaSets[0]!
    const hash = (meta(rs).labels as Record<string, string>)['pod-template-hash']!
    expect(hash).toMatch(/^[4-9bcdf]{1,10}$/)
    expect(meta(rs).name).toBe(`web-${hash}`)
    expect(meta(rs).annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    })
    const all = await pods(h, 'default', 'app=web')
    expect(all).toHaveLength(3)
    for (const pod of all) {
      expect(meta(pod).name).toMatch(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`))
      expect(meta(pod).generateName).toBe(`web-${hash}-`)
      expect(meta(pod).labels).toEqual({ app: 'web', 'pod-template-hash': hash })
      expect((meta(pod).ownerReferences as JsonObject[])[0]).toMatchObject({ kind: 'ReplicaSet', name: `web-${hash}`, controller: true, blockOwnerDeletion: true })
    }
    const d = await h.api.get('Deployment', 'default', 'web')
    expect(meta(d).annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '1' })
    expect(status(d)).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: meta(d).generation })
    expect(status(rs)).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3 })
  })

  it('rolls out an image change within maxSurge and maxUnavailable at every revision of the log', async () => {
    const before = (await h.t.store.head()).revision
    await setImage(h, 'web', 'nginx:1.26')
    await runKubelet(h)
    const after = (await h.t.store.head()).revision
    // replicas 3 and 25%/25%: maxSurge rounds up to 1, maxUnavailable down to 0.
    let sawSurge = false
    for (let at = before; at <= after; at++) {
      const live = (await h.t.store.list({ kind: 'Pod', namespace: 'default', at })).items.filter((p) => (meta(p).labels as JsonObject)?.app === 'web' && isActive(p))
      expect(live.length, `pods at revision ${at}`).toBeLessThanOrEqual(4)
      expect(live.filter(isReady).length, `ready pods at revision ${at}`).toBeGreaterThanOrEqual(3)
      if (live.length === 4) sawSurge = true
    }
    expect(sawSurge).toBe(true)
    const now = await pods(h, 'default', 'app=web')
    expect(now.map(image)).toEqual(['nginx:1.26', 'nginx:1.26', 'nginx:1.26'])
    const replicaSets = (await h.api.list('ReplicaSet', { namespace: 'default' })).items
    expect(replicaSets.map((rs) => [meta(rs).annotations && (meta(rs).annotations as JsonObject)['deployment.kubernetes.io/revision'], spec(rs).replicas]).sort()).toEqual([
      ['1', 0],
      ['2', 3],
    ])
    const d = await h.api.get('Deployment', 'default', 'web')
    expect(status(d)).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 })
    expect((meta(d).annotations as JsonObject)['deployment.kubernetes.io/revision']).toBe('2')
  })

  it('keeps within replicas ± maxSurge/maxUnavailable while a kubelet readies pods concurrently', async () => {
    // 10 replicas at 25%/25%: at most 13 pods, at least 8 ready.
    await h.api.create(h.user, deployment('busy', 'app:1', { replicas: 10 }))
    await runKubelet(h, 'app=busy')
    const before = (await h.t.store.head()).revision
    const stop = startKubelet(h, 'app=busy')
    await setImage(h, 'busy', 'app:2')
    for (let i = 0; i < 100; i++) {
      await h.settled()
      const now = await pods(h, 'default', 'app=busy')
      if (now.length === 10 && now.every((p) => image(p) === 'app:2' && isReady(p))) break
    }
    await stop()
    await runKubelet(h, 'app=busy')
    const after = (await h.t.store.head()).revision
    for (let at = before; at <= after; at++) {
      const live = (await h.t.store.list({ kind: 'Pod', namespace: 'default', at })).items.filter((p) => (meta(p).labels as JsonObject)?.app === 'busy' && isActive(p))
      expect(live.length, `pods at revision ${at}`).toBeLessThanOrEqual(13)
      expect(live.filter(isReady).length, `ready pods at revision ${at}`).toBeGreaterThanOrEqual(8)
    }
    expect((await pods(h, 'default', 'app=busy')).map(image)).toEqual(Array(10).fill('app:2'))
  })
})
