import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDeploymentController } from '../../services/controllers/deployment/deployment.controller.js'
import { rolloutHistory, rolloutPause, rolloutRestart, rolloutResume, rolloutUndo } from '../../services/operations/rollout.js'
import { createReplicaSetController } from '../../services/controllers/replica-set.controller.js'
import { isStatusError } from '../../services/errors.js'
import type { JsonObject } from '../../services/json.js'
import { freshNamespace } from '../support/namespaces.js'
import { backend } from '../support/store.js'
import { deployment, pods, runKubelet, setImage, startHarness, type Harness } from './deployment-harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness([createDeploymentController(), createReplicaSetController('ReplicaSet')])
})
afterAll(() => h.close())

const meta = (o: JsonObject) => (o.metadata ?? {}) as JsonObject
const spec = (o: JsonObject) => (o.spec ?? {}) as JsonObject
const annotations = (o: JsonObject) => (meta(o).annotations ?? {}) as Record<string, string>
const image = (o: JsonObject) => ((((o.spec as JsonObject).template as JsonObject).spec as JsonObject).containers as JsonObject[])[0]!.image
const podImage = (pod: JsonObject) => (spec(pod).containers as JsonObject[])[0]!.image
const replicaSets = async (ns: string, app: string) =>
  (await h.api.list('ReplicaSet', { namespace: ns, labelSelector: `app=${app}` })).items

/**
 * A namespace of its own with Deployment `api` rolled out twice: revision 1 runs app:1, revision 2
 * (the current one) app:2, recorded as `kubectl set image --record` records it.
 */
async function twoRevisions(): Promise<string> {
  const ns = await freshNamespace(h.api)
  await h.api.create(h.user, deployment('api', 'app:1', { replicas: 2, namespace: ns }))
  await runKubelet(h, 'app=api', 50, ns)
  // As `kubectl set image --record`: the change cause and the image in one write.
  const change = {
    metadata: { annotations: { 'kubernetes.io/change-cause': 'kubectl set image deployment/api app=app:2' } },
    spec: { template: { spec: { containers: [{ name: 'app', image: 'app:2' }] } } },
  }
  await h.api.patch(h.user, 'deploy', ns, 'api', change, 'strategic')
  await runKubelet(h, 'app=api', 50, ns)
  return ns
}

const podImages = async (ns: string) => (await pods(h, ns, 'app=api')).map(podImage)

async function rejects(promise: Promise<unknown>, reason: string, message: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isStatusError(error) && error.reason).toBe(reason)
  expect((error as Error).message).toBe(message)
}

describe(`rollout history, undo, pause, resume and restart (${backend})`, () => {
  it('lists revisions with their change cause and pod template', async () => {
    const ns = await twoRevisions()
    const history = await rolloutHistory(h.api, ns, 'api')
    expect(history.map((r) => [r.revision, r.changeCause])).toEqual([
      [1, undefined],
      [2, 'kubectl set image deployment/api app=app:2'],
    ])
    expect(history.map((r) => ((r.template.spec as JsonObject).containers as JsonObject[])[0]!.image)).toEqual(['app:1', 'app:2'])
    expect((meta(history[1]!.template).labels as JsonObject)['pod-template-hash']).toBe(
      (meta(history[1]!.replicaSet).labels as JsonObject)['pod-template-hash'],
    )
  })

  it('undoes to the previous template, which the controller rolls out again as a new revision', async () => {
    const ns = await twoRevisions()
    const undone = await rolloutUndo(h.api, h.user, ns, 'api')
    expect(undone.message).toBe('deployment.apps/api rolled back')
    expect(image(undone.deployment)).toBe('app:1')
    expect((spec(undone.deployment).template as JsonObject).metadata).toEqual({ labels: { app: 'api' } })
    // The Deployment keeps its own revision annotation; the change cause is revision 1's (none).
    expect(annotations(undone.deployment)['kubernetes.io/change-cause']).toBeUndefined()
    await runKubelet(h, 'app=api', 50, ns)
    expect(await podImages(ns)).toEqual(['app:1', 'app:1'])
    const rss = await replicaSets(ns, 'api')
    expect(rss).toHaveLength(2)
    const reused = rss.find((rs) => image(rs) === 'app:1')!
    expect(annotations(reused)).toMatchObject({
      'deployment.kubernetes.io/revision': '3',
      'deployment.kubernetes.io/revision-history': '1',
    })
    expect(annotations(await h.api.get('deploy', ns, 'api'))['deployment.kubernetes.io/revision']).toBe('3')
    expect((await rolloutHistory(h.api, ns, 'api')).map((r) => r.revision)).toEqual([2, 3])
    const [undoEvent] = (await h.t.store.history({ kind: 'Deployment', namespace: ns, name: 'api' })).filter(
      (e) => e.meta.verb === 'rollout undo',
    )
    expect(undoEvent!.meta).toMatchObject({ actor: 'alice', reason: 'rollout undo to revision 1' })
  })

  it('undoes to a named revision, and refuses unknown revisions as kubectl does', async () => {
    const ns = await twoRevisions()
    expect((await rolloutUndo(h.api, h.user, ns, 'api', 2)).message).toBe(
      'deployment.apps/api skipped rollback (current template already matches revision 2)',
    )
    await rejects(rolloutUndo(h.api, h.user, ns, 'api', 7), 'NotFound', 'unable to find specified revision 7 in history')
    await h.api.create(h.user, deployment('fresh', 'app:1', { replicas: 1, namespace: ns }))
    await runKubelet(h, 'app=fresh', 50, ns)
    await rejects(rolloutUndo(h.api, h.user, ns, 'fresh'), 'NotFound', 'no rollout history found for deployment "fresh"')
    expect(image((await rolloutUndo(h.api, h.user, ns, 'api', 1)).deployment)).toBe('app:1')
    await runKubelet(h, 'app=api', 50, ns)
    expect(await podImages(ns)).toEqual(['app:1', 'app:1'])
  })

  it('stops a rollout while paused, scales anyway, and goes on once resumed', async () => {
    const ns = await twoRevisions()
    expect((await rolloutPause(h.api, h.user, ns, 'api')).message).toBe('deployment.apps/api paused')
    expect((await rolloutPause(h.api, h.user, ns, 'api')).message).toBe('deployment.apps/api already paused')
    await runKubelet(h, 'app=api', 50, ns)
    const paused = await h.api.get('deploy', ns, 'api')
    expect((paused.status as JsonObject).conditions).toContainEqual(
      expect.objectContaining({ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }),
    )
    await setImage(h, 'api', 'app:3', ns)
    await h.api.scale(h.user, 'deploy', ns, 'api', 3)
    await runKubelet(h, 'app=api', 50, ns)
    expect(await replicaSets(ns, 'api')).toHaveLength(2)
    expect(await podImages(ns)).toEqual(['app:2', 'app:2', 'app:2'])
    await rejects(
      rolloutUndo(h.api, h.user, ns, 'api', 1),
      'BadRequest',
      "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
    )
    await rejects(rolloutRestart(h.api, h.user, ns, 'api'), 'BadRequest', "can't restart paused deployment (run rollout resume first)")

    const resumed = await rolloutResume(h.api, h.user, ns, 'api')
    expect(resumed.message).toBe('deployment.apps/api resumed')
    expect(spec(resumed.deployment).paused).toBeUndefined()
    await runKubelet(h, 'app=api', 50, ns)
    expect(await podImages(ns)).toEqual(['app:3', 'app:3', 'app:3'])
    expect((await rolloutHistory(h.api, ns, 'api')).map((r) => r.revision)).toEqual([1, 2, 3])
    expect((await rolloutResume(h.api, h.user, ns, 'api')).message).toBe('deployment.apps/api already resumed')
  })

  it('restarts by stamping the pod template, which replaces every pod', async () => {
    const ns = await twoRevisions()
    const before = (await pods(h, ns, 'app=api')).map((p) => meta(p).name)
    const restarted = await rolloutRestart(h.api, h.user, ns, 'api')
    expect(restarted.message).toBe('deployment.apps/api restarted')
    const stamp = ((spec(restarted.deployment).template as JsonObject).metadata as JsonObject).annotations as Record<string, string>
    expect(stamp['kubectl.kubernetes.io/restartedAt']).toBe(
      h.clock
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
    )
    await runKubelet(h, 'app=api', 50, ns)
    const after = await pods(h, ns, 'app=api')
    expect(after).toHaveLength(2)
    expect(after.some((p) => before.includes(meta(p).name))).toBe(false)
    expect(after.every((p) => annotations(p)['kubectl.kubernetes.io/restartedAt'] === stamp['kubectl.kubernetes.io/restartedAt'])).toBe(
      true,
    )
  })
})
