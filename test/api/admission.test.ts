import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import { StatusError } from '../../services/errors.js'
import type { JsonObject } from '../../services/json.js'
import type { KindDefinition } from '../../services/resources/kind.js'
import { KindRegistry, registry } from '../../services/resources/registry.js'
import { backend, openTestStore, type TestStore } from '../support/store.js'

let t: TestStore
let api: ResourceApi
beforeAll(async () => {
  t = await openTestStore()
  api = new ResourceApi({ store: t.store })
  await bootstrapNamespaces(api)
})
afterAll(() => t.cleanup())

const alice = { actor: 'alice', requestId: 'req-a' }
const meta = (o: JsonObject) => (o.metadata ?? {}) as JsonObject
const spec = (o: JsonObject) => (o.spec ?? {}) as JsonObject
const status = (o: JsonObject) => (o.status ?? {}) as JsonObject
const containers = (o: JsonObject) => spec(o).containers as JsonObject[]

async function namespace(name: string): Promise<string> {
  await api.create(alice, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
  return name
}
const container = (name: string, resources?: JsonObject): JsonObject => ({ name, image: 'nginx', ...(resources && { resources }) })
const pod = (name: string, ns: string, list: JsonObject[] = [container('nginx')], more: JsonObject = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns },
  spec: { containers: list, ...more },
})
const limitRange = (ns: string, limits: JsonObject[], name = 'limits'): JsonObject => ({
  apiVersion: 'v1',
  kind: 'LimitRange',
  metadata: { name, namespace: ns },
  spec: { limits },
})
const quota = (ns: string, name: string, hard: Record<string, string>, more: JsonObject = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name, namespace: ns },
  spec: { hard, ...more },
})
const claim = (name: string, ns: string, storage: string): JsonObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: ns },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
})
const used = async (ns: string, name: string) =>
  status((await t.store.get({ kind: 'ResourceQuota', namespace: ns, name }))!).used as Record<string, string> | undefined

async function failure(promise: Promise<unknown>): Promise<StatusError> {
  const error = await promise.then(
    () => undefined,
    (e) => e,
  )
  if (!(error instanceof StatusError)) throw new Error(`expected a StatusError, got ${String(error)}`)
  return error
}
const refused = async (promise: Promise<unknown>) => {
  const error = await failure(promise)
  return [error.reason, error.code, error.message]
}

describe(`NamespaceLifecycle admission (${backend})`, () => {
  it('refuses content in a terminating namespace, dry runs included, naming a generated object by its prefix', async () => {
    await namespace('closing')
    await api.delete(alice, 'namespace', undefined, 'closing')
    const message = 'unable to create new content in namespace closing because it is being terminated'
    expect(await refused(api.create(alice, pod('web', 'closing')))).toEqual(['Forbidden', 403, `pods "web" is forbidden: ${message}`])
    expect(await refused(api.create({ ...alice, dryRun: true }, pod('web', 'closing')))).toEqual([
      'Forbidden',
      403,
      `pods "web" is forbidden: ${message}`,
    ])
    const generated = await failure(api.create(alice, { ...pod('', 'closing'), metadata: { generateName: 'web-', namespace: 'closing' } }))
    expect(generated.message).toBe(`pods "web-" is forbidden: ${message}`)
    expect(generated.details.causes).toEqual([
      { reason: 'NamespaceTerminating', message: 'namespace closing is being terminated', field: 'metadata.namespace' },
    ])
  })

  it('answers a create in a missing namespace with NotFound, and keeps the system namespaces', async () => {
    expect(await refused(api.create(alice, pod('web', 'nowhere')))).toEqual(['NotFound', 404, 'namespaces "nowhere" not found'])
    for (const name of ['default', 'kube-system', 'kube-public']) {
      expect(await refused(api.delete(alice, 'namespace', undefined, name))).toEqual([
        'Forbidden',
        403,
        `namespaces "${name}" is forbidden: this namespace may not be deleted`,
      ])
    }
    expect(status(await api.get('namespace', undefined, 'default')).phase).toBe('Active')
  })
})

describe(`LimitRanger admission (${backend})`, () => {
  it('fills missing limits and requests from the Container defaults and records them in the stored Pod', async () => {
    const ns = await namespace('limited')
    await api.create(
      alice,
      limitRange(ns, [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }]),
    )
    const created = await api.create(alice, pod('nginx', ns))
    const stored = (await t.store.get({ kind: 'Pod', namespace: ns, name: 'nginx' }))!
    expect(stored).toEqual(created)
    expect(containers(stored)[0]!.resources).toEqual({
      limits: { cpu: '500m', memory: '256Mi' },
      requests: { cpu: '100m', memory: '128Mi' },
    })
    expect(meta(stored).annotations).toEqual({
      'kubernetes.io/limit-ranger':
        'LimitRanger plugin set: cpu, memory request for container nginx; cpu, memory limit for container nginx',
    })
    // The QoS class is derived after admission, as Kubernetes' PrepareForCreate does.
    expect(status(stored).qosClass).toBe('Burstable')
  })

  it('keeps what a container states, requests copied from its limits first, and covers init containers', async () => {
    const pinned = await api.create(
      alice,
      pod('pinned', 'limited', [container('app', { limits: { cpu: '1' } })], { initContainers: [container('setup')] }),
    )
    expect(containers(pinned)[0]!.resources).toEqual({ limits: { cpu: '1', memory: '256Mi' }, requests: { cpu: '1', memory: '128Mi' } })
    expect(meta(pinned).annotations).toEqual({
      'kubernetes.io/limit-ranger':
        'LimitRanger plugin set: memory request for container app; memory limit for container app; cpu, memory request for init container setup; cpu, memory limit for init container setup',
    })
  })

  it('leaves pod templates alone: only Pods are admitted', async () => {
    const deployment = await api.create(alice, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'limited' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container('nginx')] } },
      },
    })
    const template = (spec(deployment).template as JsonObject).spec as JsonObject
    expect((template.containers as JsonObject[])[0]!.resources).toEqual({})
    expect(meta(deployment).annotations).toBeUndefined()
  })

  it('refuses a Pod outside min, max and maxLimitRequestRatio with every violation in one Forbidden, writing nothing', async () => {
    const ns = await namespace('bounded')
    await api.create(
      alice,
      limitRange(ns, [{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1', memory: '1Gi' }, maxLimitRequestRatio: { cpu: '2' } }]),
    )
    const head = (await t.store.head()).revision
    const greedy = pod('greedy', ns, [container('app', { requests: { cpu: '50m' }, limits: { cpu: '2', memory: '2Gi' } })])
    expect(await refused(api.create(alice, greedy))).toEqual([
      'Forbidden',
      403,
      'pods "greedy" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum cpu usage per Container is 1, but limit is 2, ' +
        'maximum memory usage per Container is 1Gi, but limit is 2Gi, cpu max limit to request ratio per Container is 2, but provided ratio is 40.000000]',
    ])
    expect(await refused(api.create({ ...alice, dryRun: true }, greedy))).toEqual([
      'Forbidden',
      403,
      expect.stringContaining('maximum cpu usage per Container is 1, but limit is 2'),
    ])
    expect((await t.store.head()).revision).toBe(head)
    // Within bounds (defaults from max fill the rest): admitted.
    const modest = await api.create(alice, pod('modest', ns, [container('app', { requests: { cpu: '500m' } })]))
    expect(containers(modest)[0]!.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })
  })

  it('checks Pod-type limits against the sum of the containers', async () => {
    const ns = await namespace('pod-bounded')
    await api.create(alice, limitRange(ns, [{ type: 'Pod', max: { cpu: '1' } }]))
    const two = (cpu: string) => [container('a', { limits: { cpu } }), container('b', { limits: { cpu } })]
    expect((await failure(api.create(alice, pod('big', ns, two('600m'))))).message).toBe(
      'pods "big" is forbidden: maximum cpu usage per Pod is 1, but limit is 1200m',
    )
    expect((await failure(api.create(alice, pod('bare', ns)))).message).toBe(
      'pods "bare" is forbidden: maximum cpu usage per Pod is 1.  No limit is specified',
    )
    await api.create(alice, pod('fits', ns, two('500m')))
  })

  it('bounds the storage a PersistentVolumeClaim requests, on create and on update', async () => {
    const ns = await namespace('storage-bounded')
    await api.create(alice, limitRange(ns, [{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } }]))
    expect((await failure(api.create(alice, claim('huge', ns, '20Gi')))).message).toBe(
      'persistentvolumeclaims "huge" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
    )
    expect((await failure(api.create(alice, claim('tiny', ns, '500Mi')))).message).toBe(
      'persistentvolumeclaims "tiny" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
    )
    await api.create(alice, claim('data', ns, '5Gi'))
    const grow = await failure(api.patch(alice, 'pvc', ns, 'data', { spec: { resources: { requests: { storage: '11Gi' } } } }, 'merge'))
    expect(grow.message).toBe(
      'persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 11Gi',
    )
  })

  it('validates what the defaults produce, as Kubernetes validates after admission', async () => {
    const ns = await namespace('low-default')
    await api.create(alice, limitRange(ns, [{ type: 'Container', default: { cpu: '200m' } }]))
    const error = await failure(api.create(alice, pod('eager', ns, [container('app', { requests: { cpu: '1' } })])))
    expect(error.reason).toBe('Invalid')
    expect(error.message).toContain('spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit')
  })
})

describe(`ServiceAccount admission (${backend})`, () => {
  it('runs a pod as `default`, which a new namespace may not have yet', async () => {
    const ns = await namespace('fresh')
    const created = await api.create(alice, pod('web', ns))
    expect(spec(created)).toMatchObject({ serviceAccountName: 'default', serviceAccount: 'default' })
  })

  it('refuses a pod naming a ServiceAccount that does not exist, but not a mirror pod', async () => {
    const robot = pod('robot', 'fresh', undefined, { serviceAccountName: 'robot' })
    expect(await refused(api.create(alice, robot))).toEqual([
      'Forbidden',
      403,
      'pods "robot" is forbidden: error looking up service account fresh/robot: serviceaccount "robot" not found',
    ])
    expect(await refused(api.create({ ...alice, dryRun: true }, robot))).toEqual([
      'Forbidden',
      403,
      expect.stringContaining('error looking up service account fresh/robot'),
    ])
    const mirror = { ...robot, metadata: { name: 'static-web', namespace: 'fresh', annotations: { 'kubernetes.io/config.mirror': 'abc' } } }
    expect(spec(await api.create(alice, mirror)).serviceAccountName).toBe('robot')
  })

  it('admits a pod whose ServiceAccount exists, with its imagePullSecrets when the pod names none', async () => {
    await api.create(alice, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'robot', namespace: 'fresh' },
      imagePullSecrets: [{ name: 'registry' }],
    })
    const created = await api.create(alice, pod('robot', 'fresh', undefined, { serviceAccountName: 'robot' }))
    expect(spec(created).imagePullSecrets).toEqual([{ name: 'registry' }])
    const own = await api.create(
      alice,
      pod('robot-2', 'fresh', undefined, { serviceAccountName: 'robot', imagePullSecrets: [{ name: 'mine' }] }),
    )
    expect(spec(own).imagePullSecrets).toEqual([{ name: 'mine' }])
  })
})

describe(`ResourceQuota admission (${backend})`, () => {
  it("charges status.used at once and refuses the pod past the limit with Kubernetes' message", async () => {
    const ns = await namespace('counted')
    await api.create(alice, quota(ns, 'pods', { pods: '2' }))
    await api.create(alice, pod('p1', ns))
    expect(await used(ns, 'pods')).toEqual({ pods: '1' })
    await api.create(alice, pod('p2', ns))
    expect(await used(ns, 'pods')).toEqual({ pods: '2' })
    expect(await refused(api.create(alice, pod('p3', ns)))).toEqual([
      'Forbidden',
      403,
      'pods "p3" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2',
    ])
    const charges = (await t.store.history({ kind: 'ResourceQuota', namespace: ns, name: 'pods' })).filter(
      (e) => e.type === 'StatusUpdated',
    )
    expect(charges.map((e) => [e.meta.actor, e.meta.correlationId, e.meta.reason])).toEqual([
      ['system:admission:resourcequota', 'req-a', 'charge for create of pods "p1"'],
      ['system:admission:resourcequota', 'req-a', 'charge for create of pods "p2"'],
    ])
  })

  it('evaluates dry runs without charging', async () => {
    const ns = await namespace('dry')
    await api.create(alice, quota(ns, 'pods', { pods: '1' }))
    await api.create({ ...alice, dryRun: true }, pod('p1', ns))
    expect(await used(ns, 'pods')).toBeUndefined()
    await api.create(alice, pod('p1', ns))
    expect((await failure(api.create({ ...alice, dryRun: true }, pod('p2', ns)))).message).toBe(
      'pods "p2" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=1, limited: pods=1',
    )
    expect(await used(ns, 'pods')).toEqual({ pods: '1' })
  })

  it('admits no more than the limit when many creates race for it, charging them in batches', async () => {
    const ns = await namespace('race')
    await api.create(alice, quota(ns, 'pods', { pods: '20' }))
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => api.create({ actor: `user-${i}` }, pod(`p${i}`, ns))))
    const admitted = results.filter((r) => r.status === 'fulfilled')
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as StatusError] : []))
    expect(admitted).toHaveLength(20)
    expect(rejected.map((e) => e.message)).toEqual(
      Array(10).fill(
        expect.stringMatching(/^pods "p\d+" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=20, limited: pods=20$/),
      ),
    )
    expect((await api.list('pods', { namespace: ns })).items).toHaveLength(20)
    expect(await used(ns, 'pods')).toEqual({ pods: '20' })
    const charges = (await t.store.history({ kind: 'ResourceQuota', namespace: ns, name: 'pods' })).filter(
      (e) => e.type === 'StatusUpdated',
    )
    expect(charges.length).toBeLessThan(20)
  })

  it('requires every container to state the requests and limits a quota tracks', async () => {
    const ns = await namespace('compute')
    await api.create(alice, quota(ns, 'compute', { 'requests.cpu': '1', 'limits.cpu': '2', 'limits.memory': '1Gi' }))
    const partial = pod('partial', ns, [container('b'), container('a', { requests: { cpu: '100m' } })])
    expect((await failure(api.create(alice, partial))).message).toBe(
      'pods "partial" is forbidden: failed quota: compute: must specify limits.cpu for: a,b; limits.memory for: a,b; requests.cpu for: b',
    )
  })

  it('sums compute resources and names only the exceeded ones', async () => {
    const full = (name: string) =>
      pod(name, 'compute', [container('app', { requests: { cpu: '600m' }, limits: { cpu: '600m', memory: '256Mi' } })])
    await api.create(alice, full('first'))
    expect(await used('compute', 'compute')).toEqual({ 'requests.cpu': '600m', 'limits.cpu': '600m', 'limits.memory': '256Mi' })
    expect((await failure(api.create(alice, full('second')))).message).toBe(
      'pods "second" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1',
    )
  })

  it('lets LimitRange defaults satisfy a compute quota, as upstream orders the plugins', async () => {
    const ns = await namespace('defaulted')
    await api.create(
      alice,
      limitRange(ns, [{ type: 'Container', default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '250m', memory: '64Mi' } }]),
    )
    await api.create(alice, quota(ns, 'compute', { cpu: '1', memory: '1Gi', 'limits.cpu': '1', 'limits.memory': '1Gi' }))
    await api.create(alice, pod('a', ns))
    expect(await used(ns, 'compute')).toEqual({ cpu: '250m', memory: '64Mi', 'limits.cpu': '500m', 'limits.memory': '128Mi' })
  })

  it('counts the namespace itself when the quota controller has not, leaving terminal pods out', async () => {
    const ns = await namespace('uncounted')
    await api.create(alice, pod('done', ns))
    await api.patch(alice, 'pod', ns, 'done', { status: { phase: 'Succeeded' } }, 'merge', { subresource: 'status' })
    await api.create(alice, pod('running', ns))
    await api.create(alice, quota(ns, 'pods', { pods: '2' }))
    await api.create(alice, pod('third', ns))
    expect(await used(ns, 'pods')).toEqual({ pods: '2' })
    expect((await failure(api.create(alice, pod('fourth', ns)))).message).toContain(
      'exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2',
    )
  })

  it('applies scoped quotas only to the pods their scopes select', async () => {
    const ns = await namespace('scoped')
    await api.create(alice, quota(ns, 'best-effort', { pods: '1' }, { scopes: ['BestEffort'] }))
    await api.create(alice, pod('free-1', ns))
    expect((await failure(api.create(alice, pod('free-2', ns)))).message).toBe(
      'pods "free-2" is forbidden: exceeded quota: best-effort, requested: pods=1, used: pods=1, limited: pods=1',
    )
    await api.create(alice, pod('sized', ns, [container('app', { requests: { cpu: '100m' } })]))
    expect(await used(ns, 'best-effort')).toEqual({ pods: '1' })
  })

  it('counts objects by resource, node ports on update, and claimed storage', async () => {
    const ns = await namespace('objects')
    await api.create(
      alice,
      quota(ns, 'objects', { 'count/deployments.apps': '1', 'services.nodeports': '1', 'requests.storage': '10Gi', configmaps: '1' }),
    )
    const deployment = (name: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns },
      spec: {
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [container('app')] } },
      },
    })
    await api.create(alice, deployment('a'))
    expect((await failure(api.create(alice, deployment('b')))).message).toBe(
      'deployments.apps "b" is forbidden: exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
    )
    await api.create(alice, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: {
        selector: { app: 'a' },
        ports: [
          { name: 'http', port: 80 },
          { name: 'https', port: 443 },
        ],
      },
    })
    expect((await failure(api.patch(alice, 'svc', ns, 'web', { spec: { type: 'NodePort' } }, 'merge'))).message).toBe(
      'services "web" is forbidden: exceeded quota: objects, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1',
    )
    await api.create(alice, claim('data', ns, '8Gi'))
    expect(
      (await failure(api.patch(alice, 'pvc', ns, 'data', { spec: { resources: { requests: { storage: '12Gi' } } } }, 'merge'))).message,
    ).toBe(
      'persistentvolumeclaims "data" is forbidden: exceeded quota: objects, requested: requests.storage=4Gi, used: requests.storage=8Gi, limited: requests.storage=10Gi',
    )
    expect(await used(ns, 'objects')).toEqual({
      'count/deployments.apps': '1',
      'services.nodeports': '0',
      'requests.storage': '8Gi',
      configmaps: '0',
    })
  })

  it('gives a charge back when the write is not stored after all', async () => {
    // A Service whose requested address is out of range is refused after admission charged it.
    await api.patch(alice, 'quota', 'objects', 'objects', { spec: { hard: { services: '5' } } }, 'merge')
    const far = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'far', namespace: 'objects' },
      spec: { clusterIP: '10.0.0.5', ports: [{ port: 80 }] },
    }
    expect((await failure(api.create(alice, far))).reason).toBe('Invalid')
    expect((await used('objects', 'objects'))!.services).toBe('1')
    // An existing object is never charged again (its create fails AlreadyExists).
    expect(
      (
        await failure(
          api.create(alice, {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'web', namespace: 'objects' },
            spec: { ports: [{ port: 80 }] },
          }),
        )
      ).reason,
    ).toBe('AlreadyExists')
    expect((await used('objects', 'objects'))!.services).toBe('1')
  })
})

describe(`a kind's own admission (${backend})`, () => {
  it("refuses a create or update its definition's admit check gives a reason for, with 403 Forbidden", async () => {
    // A ConfigMap that, like a default PriorityClass, may be marked default at most once per namespace.
    const configMap = registry.get('ConfigMap')!
    const marked = (o: JsonObject) => meta(o).labels !== undefined && (meta(o).labels as JsonObject).default === 'true'
    const strict: KindDefinition = {
      ...configMap,
      admit: async ({ object }, cluster) => {
        if (!marked(object)) return undefined
        const other = (await cluster.list('ConfigMap', String(meta(object).namespace))).find(
          (o) => marked(o) && meta(o).name !== meta(object).name,
        )
        return other ? `ConfigMap ${String(meta(other).name)} is already marked as default. Only one default can exist` : undefined
      },
    }
    const kinds = new KindRegistry(registry.kinds.map((k) => (k === configMap ? strict : k)))
    const own = new ResourceApi({ store: t.store, registry: kinds })
    const ns = await namespace('defaults')
    const map = (name: string, labels: JsonObject = {}): JsonObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: ns, labels },
    })
    await own.create(alice, map('a', { default: 'true' }))
    await own.create(alice, map('b'))
    const message = 'configmaps "c" is forbidden: ConfigMap a is already marked as default. Only one default can exist'
    expect(await refused(own.create(alice, map('c', { default: 'true' })))).toEqual(['Forbidden', 403, message])
    expect((await failure(own.patch(alice, 'cm', ns, 'b', { metadata: { labels: { default: 'true' } } }, 'merge'))).message).toBe(
      message.replace('"c"', '"b"'),
    )
    await own.patch(alice, 'cm', ns, 'a', { data: { still: 'default' } }, 'merge')
    await own.delete(alice, 'cm', ns, 'a')
    await own.patch(alice, 'cm', ns, 'b', { metadata: { labels: { default: 'true' } } }, 'merge')
    // The built-in registry's ConfigMap has no such check.
    await api.create(alice, map('c', { default: 'true' }))
  })
})
