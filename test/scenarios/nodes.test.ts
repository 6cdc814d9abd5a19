import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JsonObject } from '../../services/json.js'
import { isReady, startTestCluster, type TestCluster } from '../support/cluster.js'
import { backend } from '../support/store.js'

let c: TestCluster
beforeAll(async () => {
  c = await startTestCluster(3)
})
afterAll(() => c.close())

const spec = (o: JsonObject) => (o.spec ?? {}) as JsonObject
const meta = (o: JsonObject) => o.metadata as JsonObject
const apply = (manifest: string) => c.gql('mutation($m: String!) { apply(manifest: $m) { kind } }', { m: manifest })
const pods = async (selector: string) => (await c.server.api.list('pods', { namespace: 'default', labelSelector: selector })).items
const deployment = (name: string, replicas: number, extra = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: app, image: busybox, resources: {requests: {cpu: 500m}}}]
${extra}
`

describe(`nodes and scheduling (${backend})`, () => {
  it('keeps pods that do not tolerate a NoSchedule taint off its node', async () => {
    await c.gql('mutation { taint(node: "sim-node-1", key: "dedicated", value: "db", effect: "NoSchedule") { metadata { name } } }')
    await apply(deployment('spread', 6))
    await c.until(async () => (await pods('app=spread')).filter(isReady).length === 6, '6 ready pods')
    const nodes = (await pods('app=spread')).map((p) => spec(p).nodeName)
    expect(nodes).not.toContain('sim-node-1')
    await c.gql('mutation { taint(node: "sim-node-1", key: "dedicated", effect: "NoSchedule", remove: true) { metadata { name } } }')
  })

  it("reports unschedulable pods with Kubernetes' message, and schedules them once a node fits", async () => {
    await apply(deployment('huge', 1).replace('cpu: 500m', 'cpu: "6"'))
    await c.until(async () => {
      const [pod] = await pods('app=huge')
      const conditions = ((pod?.status ?? {}) as JsonObject).conditions as JsonObject[] | undefined
      return conditions?.some((x) => x.type === 'PodScheduled' && x.status === 'False') ?? false
    }, 'the pod to be reported unschedulable')
    const [pod] = await pods('app=huge')
    const scheduled = (((pod!.status as JsonObject).conditions as JsonObject[]) ?? []).find((x) => x.type === 'PodScheduled')!
    expect(scheduled.reason).toBe('Unschedulable')
    // 6 CPUs is more than any node has at all, so preemption could not help.
    expect(scheduled.message).toBe(
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    )
    const events = (
      await c.server.api.list('events', {
        namespace: 'default',
        fieldSelector: `involvedObject.name=${meta(pod!).name},reason=FailedScheduling`,
      })
    ).items
    expect(events[0]).toMatchObject({ type: 'Warning', message: scheduled.message })

    await c.gql('mutation($o: JSON!) { create(object: $o) { kind } }', {
      o: {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'big-node' },
        status: { capacity: { cpu: '16', memory: '64Gi', pods: '110' }, allocatable: { cpu: '16', memory: '64Gi', pods: '110' } },
      },
    })
    await c.until(
      async () => (await pods('app=huge')).some((p) => spec(p).nodeName === 'big-node' && isReady(p)),
      'the pod to run on the new node',
    )
  })

  it("re-creates a failed node's pods elsewhere after their tolerationSeconds", async () => {
    await apply(deployment('survivors', 6))
    await c.until(async () => (await pods('app=survivors')).filter(isReady).length === 6, '6 ready pods')
    const before = await pods('app=survivors')
    const victim = String(spec(before[0]!).nodeName)
    const onVictim = before.filter((p) => spec(p).nodeName === victim).map((p) => meta(p).name)
    await c.gql('mutation($n: String!, $p: JSON!) { patch(kind: "node", name: $n, type: MERGE, patch: $p) { kind } }', {
      n: victim,
      p: { metadata: { annotations: { 'sim.revkube.io/down': 'true' } } },
    })
    await c.until(
      async () => {
        const node = await c.server.api.get('nodes', undefined, victim)
        return (((node.spec as JsonObject).taints as JsonObject[] | undefined) ?? []).some(
          (t) => t.key === 'node.kubernetes.io/unreachable',
        )
      },
      'the unreachable taint',
      120,
    )
    // Pods tolerate unreachable nodes for 300 s: they stay until then.
    await c.advance(200_000, 10_000)
    expect(
      (await pods('app=survivors'))
        .filter((p) => spec(p).nodeName === victim && !meta(p).deletionTimestamp)
        .map((p) => meta(p).name)
        .sort(),
    ).toEqual(onVictim.sort())
    await c.until(
      async () => {
        const live = (await pods('app=survivors')).filter((p) => !meta(p).deletionTimestamp)
        return live.length === 6 && live.every((p) => spec(p).nodeName !== victim && isReady(p))
      },
      'replacements on healthy nodes',
      300,
    )
  })
})
