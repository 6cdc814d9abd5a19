import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backend } from '../support/store.js'
import { startTestServer, type TestServer } from '../support/graphql.js'

// The test server runs no controllers: the ReplicaSets a Deployment controller would keep are
// written here by hand, and these tests check what the operator mutations write.
let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

async function ok(query: string, variables?: Record<string, unknown>) {
  const result = await t.gql(query, variables)
  expect(result.errors).toBeUndefined()
  return result.data!
}

async function failing(query: string, variables?: Record<string, unknown>) {
  const result = await t.gql(query, variables)
  expect(result.errors?.length).toBeGreaterThan(0)
  return result.errors![0]!
}

const template = (image: string, hash?: string) => ({
  metadata: { labels: { app: 'web', ...(hash && { 'pod-template-hash': hash }) } },
  spec: { containers: [{ name: 'app', image }] },
})

async function create(object: Record<string, unknown>) {
  return (await ok(`mutation($o: JSON!) { create(object: $o) { raw } }`, { o: object })).create.raw
}

describe(`GraphQL operator mutations (${backend})`, () => {
  it('lists rollout history from the ReplicaSets, oldest first, with change cause and template', async () => {
    const d = await create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template('nginx:1.26') },
    })
    const owner = [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]
    for (const [hash, image, revision, cause] of [
      ['4b6d7c8f5', 'nginx:1.26', '2', 'kubectl set image deployment/web app=nginx:1.26'],
      ['5c9f8d4b6', 'nginx:1.25', '1', undefined],
    ] as const) {
      await create({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `web-${hash}`,
          namespace: 'default',
          labels: { app: 'web', 'pod-template-hash': hash },
          annotations: { 'deployment.kubernetes.io/revision': revision, ...(cause && { 'kubernetes.io/change-cause': cause }) },
          ownerReferences: owner,
        },
        spec: { replicas: 0, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: template(image, hash) },
      })
    }
    const data = await ok(
      `{ rolloutHistory(name: "web") { revision changeCause template replicaSet { metadata { name } rolloutRevision images } } }`,
    )
    expect(data.rolloutHistory).toMatchObject([
      { revision: 1, changeCause: null, replicaSet: { metadata: { name: 'web-5c9f8d4b6' }, rolloutRevision: '1', images: ['nginx:1.25'] } },
      {
        revision: 2,
        changeCause: 'kubectl set image deployment/web app=nginx:1.26',
        replicaSet: { metadata: { name: 'web-4b6d7c8f5' }, rolloutRevision: '2' },
      },
    ])
    expect(data.rolloutHistory[0].template.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': '5c9f8d4b6' })
  })

  it('undoes a rollout by writing the previous template back, as the caller', async () => {
    const data = await ok(`mutation { rolloutUndo(name: "web") { images raw } }`)
    expect(data.rolloutUndo.images).toEqual(['nginx:1.25'])
    expect(data.rolloutUndo.raw.spec.template.metadata.labels).toEqual({ app: 'web' })
    const log = await ok(`{ log(kind: "Deployment", name: "web") { edges { node { actor verb reason } } } }`)
    expect(log.log.edges.at(-1).node).toEqual({ actor: 'tester', verb: 'rollout undo', reason: 'rollout undo to revision 1' })
    const missing = await failing(`mutation { rolloutUndo(name: "web", toRevision: 9) { images } }`)
    expect(missing.message).toBe('unable to find specified revision 9 in history')
    expect(missing.extensions?.code).toBe('NOT_FOUND')
    const gone = await failing(`mutation { rolloutUndo(namespace: "default", name: "nope") { images } }`)
    expect(gone.message).toBe('deployments.apps "nope" not found')
  })

  it('pauses, refuses to restart while paused, resumes and restarts', async () => {
    expect((await ok(`mutation { rolloutPause(name: "web") { paused } }`)).rolloutPause.paused).toBe(true)
    const refused = await failing(`mutation { rolloutRestart(name: "web") { paused } }`)
    expect(refused.message).toBe("can't restart paused deployment (run rollout resume first)")
    expect(refused.extensions?.code).toBe('BAD_REQUEST')
    expect((await failing(`mutation { rolloutUndo(name: "web", toRevision: 2) { paused } }`)).message).toBe(
      "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
    )
    expect((await ok(`mutation { rolloutResume(name: "web") { paused } }`)).rolloutResume.paused).toBe(false)
    const restarted = await ok(`mutation { rolloutRestart(name: "web") { raw } }`)
    expect(restarted.rolloutRestart.raw.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    )
  })

  it('cordons, uncordons and taints nodes', async () => {
    await create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } })
    expect((await ok(`mutation { cordon(node: "n1") { unschedulable } }`)).cordon.unschedulable).toBe(true)
    expect((await ok(`mutation { uncordon(node: "n1") { unschedulable } }`)).uncordon.unschedulable).toBe(false)
    const tainted = await ok(`mutation { taint(node: "n1", key: "dedicated", value: "gpu", effect: "NoSchedule") { taints } }`)
    expect(tainted.taint.taints).toEqual([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }])
    const twice = await failing(`mutation { taint(node: "n1", key: "dedicated", value: "cpu", effect: "NoSchedule") { taints } }`)
    expect(twice.message).toBe('Node n1 already has dedicated taint(s) with same effect(s) and --overwrite is false')
    expect(
      (await ok(`mutation { taint(node: "n1", key: "dedicated", effect: "NoSchedule", remove: true) { taints } }`)).taint.taints,
    ).toBeNull()
    expect((await failing(`mutation { cordon(node: "nope") { unschedulable } }`)).extensions?.code).toBe('NOT_FOUND')
  })

  it('drains a node: evicted pods, skipped pods and why', async () => {
    const rs = await create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'cache', namespace: 'default' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'cache' } },
        template: { metadata: { labels: { app: 'cache' } }, spec: { containers: [{ name: 'c', image: 'redis' }] } },
      },
    })
    const ref = (o: any) => [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true }]
    await create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'cache-1', namespace: 'default', ownerReferences: ref(rs) },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'redis' }] },
    })
    await create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'static-n1', namespace: 'kube-system', annotations: { 'kubernetes.io/config.mirror': 'x' } },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'etcd' }] },
    })
    const data = await ok(
      `mutation { drain(node: "n1") { node { unschedulable } evicted { metadata { name deletionTimestamp } } skipped { pod { metadata { name } } reason } warnings messages } }`,
    )
    expect(data.drain).toMatchObject({
      node: { unschedulable: true },
      evicted: [{ metadata: { name: 'cache-1' } }],
      skipped: [{ pod: { metadata: { name: 'static-n1' } }, reason: 'mirror pod' }],
      warnings: [],
      messages: ['node/n1 cordoned', 'evicting pod default/cache-1', 'pod/cache-1 evicted', 'node/n1 drained'],
    })
    expect(data.drain.evicted[0].metadata.deletionTimestamp).not.toBeNull()
    await create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bare', namespace: 'default' },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] },
    })
    const refused = await failing(`mutation { drain(node: "n1") { warnings } }`)
    expect(refused.message).toBe('cannot delete Pods declare no controller (use --force to override): default/bare')
    const forced = await ok(`mutation { drain(node: "n1", force: true) { evicted { metadata { name } } warnings } }`)
    expect(forced.drain.warnings).toEqual(['deleting Pods that declare no controller: default/bare'])
  })
})
