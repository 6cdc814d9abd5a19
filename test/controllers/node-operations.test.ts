import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { timestamp } from '../../services/api/context.js'
import { isStatusError } from '../../services/errors.js'
import type { JsonObject } from '../../services/json.js'
import { cordon, drain, taint, uncordon } from '../../services/operations/node-operations.js'
import { backend } from '../support/store.js'
import { startHarness, type Harness } from './deployment-harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness([])
})
afterAll(() => h.close())

const meta = (o: JsonObject) => (o.metadata ?? {}) as JsonObject
const spec = (o: JsonObject) => (o.spec ?? {}) as JsonObject
const names = (pods: JsonObject[]) => pods.map((p) => `${String(meta(p).namespace)}/${String(meta(p).name)}`)

async function node(name: string) {
  return h.api.create(h.user, { apiVersion: 'v1', kind: 'Node', metadata: { name } })
}

async function pod(
  name: string,
  nodeName: string,
  extra: { owner?: JsonObject; annotations?: Record<string, string>; emptyDir?: boolean; namespace?: string } = {},
) {
  return h.api.create(h.user, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: extra.namespace ?? 'default',
      ...(extra.annotations && { annotations: extra.annotations }),
      ...(extra.owner && {
        ownerReferences: [
          {
            apiVersion: String(extra.owner.apiVersion),
            kind: String(extra.owner.kind),
            name: String(meta(extra.owner).name),
            uid: String(meta(extra.owner).uid),
            controller: true,
          },
        ],
      }),
    },
    spec: {
      nodeName,
      containers: [{ name: 'app', image: 'nginx' }],
      ...(extra.emptyDir && { volumes: [{ name: 'scratch', emptyDir: {} }] }),
    },
  })
}

async function failure(promise: Promise<unknown>): Promise<{ reason: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isStatusError(error)) throw new Error(`expected a StatusError, got ${String(error)}`)
  return { reason: error.reason, message: error.message }
}

describe(`cordon, uncordon, drain and taint (${backend})`, () => {
  it('cordons and uncordons, saying so as kubectl does', async () => {
    await node('n1')
    const cordoned = await cordon(h.api, h.user, 'n1')
    expect([spec(cordoned.node).unschedulable, cordoned.message]).toEqual([true, 'node/n1 cordoned'])
    expect((await cordon(h.api, h.user, 'n1')).message).toBe('node/n1 already cordoned')
    const uncordoned = await uncordon(h.api, h.user, 'n1')
    expect([spec(uncordoned.node).unschedulable, uncordoned.message]).toEqual([undefined, 'node/n1 uncordoned'])
    expect((await uncordon(h.api, h.user, 'n1')).message).toBe('node/n1 already uncordoned')
    const [, cordonEvent] = await h.t.store.history({ kind: 'Node', namespace: '', name: 'n1' })
    expect(cordonEvent!.meta).toMatchObject({ actor: 'alice', verb: 'cordon' })
    expect(await failure(cordon(h.api, h.user, 'nope'))).toEqual({ reason: 'NotFound', message: 'nodes "nope" not found' })
  })

  it('drains: cordons, evicts controlled pods, leaves DaemonSet and mirror pods with a reason', async () => {
    await node('n2')
    const rs = await h.api.create(h.user, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
      },
    })
    const ds = await h.api.create(h.user, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'kube-system' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent' }] } },
      },
    })
    await pod('web-1', 'n2', { owner: rs })
    await pod('agent-1', 'n2', { owner: ds, namespace: 'kube-system' })
    await pod('static-n2', 'n2', { annotations: { 'kubernetes.io/config.mirror': 'abc' }, namespace: 'kube-system' })
    await pod('elsewhere', 'n1', { owner: rs })

    const result = await drain(h.api, h.user, 'n2')
    expect(spec(result.node).unschedulable).toBe(true)
    expect(names(result.evicted)).toEqual(['default/web-1'])
    // A pod bound to a node: marked for deletion its grace period (30 s) from now, for its kubelet to finish.
    expect(meta(result.evicted[0]!).deletionTimestamp).toBe(timestamp(new Date(h.clock.now().getTime() + 30_000)))
    expect(result.skipped.map((s) => [names([s.pod])[0], s.reason])).toEqual([
      ['kube-system/agent-1', 'ignoring DaemonSet-managed Pods'],
      ['kube-system/static-n2', 'mirror pod'],
    ])
    expect(result.warnings).toEqual(['ignoring DaemonSet-managed Pods: kube-system/agent-1'])
    expect(result.messages).toEqual([
      'node/n2 cordoned',
      'Warning: ignoring DaemonSet-managed Pods: kube-system/agent-1',
      'evicting pod default/web-1',
      'pod/web-1 evicted',
      'node/n2 drained',
    ])
    expect(meta(await h.api.get('pod', 'default', 'elsewhere')).deletionTimestamp).toBeUndefined()
    const deleted = (await h.t.store.history({ kind: 'Pod', namespace: 'default', name: 'web-1' })).at(-1)!
    expect(deleted.meta).toMatchObject({ actor: 'alice', verb: 'drain', reason: 'drain node n2' })
  })

  it('refuses to drain pods no controller owns, or with local data, unless told to, as kubectl does', async () => {
    await node('n3')
    await pod('bare', 'n3')
    const keeper = await h.api.create(h.user, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'keeper', namespace: 'default' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'keeper' } },
        template: { metadata: { labels: { app: 'keeper' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
      },
    })
    await pod('cache', 'n3', { emptyDir: true, owner: keeper })
    expect(await failure(drain(h.api, h.user, 'n3'))).toEqual({
      reason: 'BadRequest',
      message:
        '[cannot delete Pods declare no controller (use --force to override): default/bare, cannot delete Pods with local storage (use --delete-emptydir-data to override): default/cache]',
    })
    expect(spec(await h.api.get('node', undefined, 'n3')).unschedulable).toBe(true)
    expect(meta(await h.api.get('pod', 'default', 'bare')).deletionTimestamp).toBeUndefined()
    expect(await failure(drain(h.api, h.user, 'n3', { ignoreDaemonSets: false, deleteEmptyDirData: true }))).toMatchObject({
      message: 'cannot delete Pods declare no controller (use --force to override): default/bare',
    })

    const forced = await drain(h.api, h.user, 'n3', { force: true, deleteEmptyDirData: true, gracePeriodSeconds: 0 })
    expect(names(forced.evicted).sort()).toEqual(['default/bare', 'default/cache'])
    expect(forced.warnings).toEqual([
      'deleting Pods that declare no controller: default/bare',
      'deleting Pods with local storage: default/cache',
    ])
    // Grace period 0: gone at once.
    expect(await failure(h.api.get('pod', 'default', 'bare'))).toMatchObject({ reason: 'NotFound' })
  })

  it('refuses DaemonSet pods when not told to ignore them', async () => {
    await node('n5')
    const ds = await h.api.create(h.user, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent-5', namespace: 'kube-system' },
      spec: {
        selector: { matchLabels: { app: 'agent-5' } },
        template: { metadata: { labels: { app: 'agent-5' } }, spec: { containers: [{ name: 'agent', image: 'agent' }] } },
      },
    })
    await pod('agent-5-pod', 'n5', { owner: ds, namespace: 'kube-system' })
    expect(await failure(drain(h.api, h.user, 'n5', { ignoreDaemonSets: false }))).toEqual({
      reason: 'BadRequest',
      message: 'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/agent-5-pod',
    })
  })

  it("taints and untaints, newest taint first, with kubectl's words and refusals", async () => {
    await node('n4')
    expect((await taint(h.api, h.user, 'n4', 'dedicated', 'gpu', 'NoSchedule')).message).toBe('node/n4 tainted')
    const second = await taint(h.api, h.user, 'n4', 'maintenance', undefined, 'NoExecute')
    expect(spec(second.node).taints).toEqual([
      { key: 'maintenance', effect: 'NoExecute' },
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
    ])
    expect(await failure(taint(h.api, h.user, 'n4', 'dedicated', 'cpu', 'NoSchedule'))).toEqual({
      reason: 'BadRequest',
      message: 'Node n4 already has dedicated taint(s) with same effect(s) and --overwrite is false',
    })
    const overwritten = await taint(h.api, h.user, 'n4', 'dedicated', 'cpu', 'NoSchedule', { overwrite: true })
    expect(overwritten.message).toBe('node/n4 modified')
    expect(spec(overwritten.node).taints).toEqual([
      { key: 'dedicated', value: 'cpu', effect: 'NoSchedule' },
      { key: 'maintenance', effect: 'NoExecute' },
    ])
    expect((await taint(h.api, h.user, 'n4', 'dedicated', undefined, 'NoSchedule-')).message).toBe('node/n4 untainted')
    expect(await failure(taint(h.api, h.user, 'n4', 'dedicated', undefined, 'NoSchedule-'))).toEqual({
      reason: 'NotFound',
      message: 'taint "dedicated:NoSchedule" not found',
    })
    const cleared = await taint(h.api, h.user, 'n4', 'maintenance', undefined, '', { remove: true })
    expect(spec(cleared.node).taints).toBeUndefined()
    expect(await failure(taint(h.api, h.user, 'n4', 'x', undefined, 'Sometimes'))).toEqual({
      reason: 'BadRequest',
      message: 'invalid taint effect: Sometimes, unsupported taint effect',
    })
    expect((await failure(taint(h.api, h.user, 'n4', 'bad key!', 'v', 'NoSchedule'))).message).toMatch(
      /^invalid taint spec: bad key!=v:NoSchedule, name part must consist of alphanumeric characters/,
    )
  })
})
