import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JsonObject } from '../../services/json.js'
import { isReady, startTestCluster, type TestCluster } from '../support/cluster.js'
import { backend } from '../support/store.js'

let c: TestCluster
beforeAll(async () => {
  c = await startTestCluster(2)
})
afterAll(() => c.close())

const meta = (o: JsonObject) => o.metadata as JsonObject
const status = (o: JsonObject) => (o.status ?? {}) as JsonObject
const apply = (manifest: string) => c.gql('mutation($m: String!) { apply(manifest: $m) { kind } }', { m: manifest })
const list = async (kind: string, namespace: string, labelSelector?: string) =>
  (await c.server.api.list(kind, { namespace, ...(labelSelector && { labelSelector }) })).items
const deployment = (name: string, namespace: string, replicas = 2, annotations = '{}') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}, annotations: ${annotations}}
    spec: {containers: [{name: app, image: busybox, resources: {requests: {cpu: 100m}}}]}
`

describe(`deletion and batch workloads (${backend})`, () => {
  it('deletes a namespace and everything in it, and nothing else', async () => {
    await apply(
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: doomed}\n---\n${deployment('web', 'doomed')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: doomed}\n`,
    )
    await apply(deployment('keep', 'default', 1))
    await c.until(async () => (await list('pods', 'doomed')).filter(isReady).length === 2, 'the doomed pods')
    await c.gql('mutation { delete(kind: "namespace", name: "doomed") { ... on Namespace { phase } } }')
    await c.until(async () => !(await c.server.store.get({ kind: 'Namespace', namespace: '', name: 'doomed' })), 'the namespace to go', 120)
    for (const kind of ['pods', 'replicasets', 'deployments', 'configmaps']) expect(await list(kind, 'doomed')).toEqual([])
    expect((await list('deployments', 'default')).map((d) => meta(d).name)).toContain('keep')
  })

  it('deletes dependents in the background, in the foreground, or orphans them, as asked', async () => {
    for (const name of ['bg', 'fg', 'orphan']) await apply(deployment(name, 'default'))
    await c.until(async () => (await list('pods', 'default', 'app in (bg,fg,orphan)')).filter(isReady).length === 6, 'six pods')

    await c.gql('mutation { delete(kind: "deploy", name: "bg", propagationPolicy: Background) { kind } }')
    await c.until(
      async () => (await list('replicasets', 'default', 'app=bg')).length === 0 && (await list('pods', 'default', 'app=bg')).length === 0,
      'bg dependents to go',
    )

    const marked = await c.gql(
      'mutation { delete(kind: "deploy", name: "fg", propagationPolicy: Foreground) { metadata { finalizers deletionTimestamp } } }',
    )
    expect(marked.delete.metadata.finalizers).toEqual(['foregroundDeletion'])
    await c.until(
      async () => !(await c.server.store.get({ kind: 'Deployment', namespace: 'default', name: 'fg' })),
      'fg to go after its dependents',
      120,
    )
    expect(await list('replicasets', 'default', 'app=fg')).toEqual([])
    // In the foreground, the owner outlives every dependent that blocks it.
    const fgEvents = (await c.server.store.events({ kind: 'Deployment', name: 'fg', limit: 1000 })).filter((e) => e.type === 'Deleted')
    const rsDeleted = (await c.server.store.events({ kind: 'ReplicaSet', namespace: 'default', limit: 100_000 })).filter(
      (e) => e.type === 'Deleted' && String(e.name).startsWith('fg-'),
    )
    expect(rsDeleted.every((e) => e.revision < fgEvents[0]!.revision)).toBe(true)

    await c.gql('mutation { delete(kind: "deploy", name: "orphan", propagationPolicy: Orphan) { kind } }')
    await c.until(
      async () => !(await c.server.store.get({ kind: 'Deployment', namespace: 'default', name: 'orphan' })),
      'the orphaning owner to go',
    )
    const orphaned = await list('replicasets', 'default', 'app=orphan')
    // Its ReplicaSet stays, with no owner, and keeps its pods.
    expect(orphaned.map((rs) => [String(meta(rs).name).replace(/-[4-9bcdf]+$/, '-<hash>'), meta(rs).ownerReferences ?? []])).toEqual([
      ['orphan-<hash>', []],
    ])
    expect((await list('pods', 'default', 'app=orphan')).length).toBe(2)
  })

  it('runs a Job to completion', async () => {
    await apply(`
apiVersion: batch/v1
kind: Job
metadata: {name: batch, namespace: default}
spec:
  completions: 3
  parallelism: 2
  template:
    metadata: {annotations: {sim.revkube.io/run-seconds: "5"}}
    spec: {restartPolicy: Never, containers: [{name: work, image: busybox}]}
`)
    await c.until(
      async () => {
        const job = await c.server.api.get('jobs', 'default', 'batch')
        return ((status(job).conditions as JsonObject[] | undefined) ?? []).some((x) => x.type === 'Complete' && x.status === 'True')
      },
      'the job to complete',
      120,
    )
    const job = await c.server.api.get('jobs', 'default', 'batch')
    expect(status(job)).toMatchObject({ succeeded: 3 })
    expect((await list('pods', 'default', 'batch.kubernetes.io/job-name=batch')).map((p) => status(p).phase)).toEqual([
      'Succeeded',
      'Succeeded',
      'Succeeded',
    ])
  })

  it('autoscales a Deployment up under load and back down after the stabilization window', async () => {
    await apply(deployment('busy', 'default', 2, '{sim.revkube.io/cpu-millis: "90"}'))
    await apply(`
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: busy, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: busy}
  minReplicas: 1
  maxReplicas: 10
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
`)
    // 90m of 100m requested is 90% against a 50% target: ceil(2 × 1.8) = 4.
    await c.until(
      async () =>
        (await c.server.api.get('deploy', 'default', 'busy')).spec !== undefined &&
        ((await c.server.api.get('deploy', 'default', 'busy')).spec as JsonObject).replicas === 4,
      'a scale-up to 4',
      120,
    )
    const events = (await list('events', 'default')).filter((e) => e.reason === 'SuccessfulRescale')
    expect(events[0]!.message).toBe('New size: 4; reason: cpu resource utilization (percentage of request) above target')

    // The load drops: pods now use 10m (10%). Scale-down waits out the 300 s stabilization window.
    await c.gql('mutation($p: JSON!) { patch(kind: "deploy", name: "busy", type: MERGE, patch: $p) { kind } }', {
      p: { spec: { template: { metadata: { annotations: { 'sim.revkube.io/cpu-millis': '10' } } } } },
    })
    await c.advance(120_000, 15_000)
    expect(((await c.server.api.get('deploy', 'default', 'busy')).spec as JsonObject).replicas).toBe(4)
    await c.until(
      async () => ((await c.server.api.get('deploy', 'default', 'busy')).spec as JsonObject).replicas === 1,
      'a scale-down to 1',
      600,
    )
  })
})
