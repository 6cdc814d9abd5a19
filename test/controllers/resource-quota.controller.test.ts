import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getObject } from '../../projections/cluster-state.js'
import { createResourceQuotaController } from '../../services/controllers/resource-quota.controller.js'
import type { JsonObject } from '../../services/json.js'
import { backend } from '../support/store.js'
import { pod, startCluster, user, type Cluster } from './cluster-harness.js'

let c: Cluster
beforeAll(async () => {
  c = await startCluster([createResourceQuotaController()])
  await c.api.create(user, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } })
})
afterAll(() => c.stop())

const quotaStatus = () => getObject(c.projection.state, 'ResourceQuota', 'team', 'compute')!.status as JsonObject
const resources = (cpu: string, memory: string, limitCpu?: string, limitMemory?: string) => ({
  requests: { cpu, memory },
  ...(limitCpu && { limits: { cpu: limitCpu, memory: limitMemory } }),
})

/** Every resource the quota controller counts, with a limit. */
const HARD = {
  pods: '10',
  'count/pods': '10',
  services: '5',
  'services.nodeports': '4',
  configmaps: '10',
  secrets: '10',
  persistentvolumeclaims: '3',
  'count/deployments.apps': '2',
  'requests.cpu': '4',
  'requests.memory': '4Gi',
  'limits.cpu': '8',
  'limits.memory': '8Gi',
  'requests.storage': '100Gi',
}

describe(`the resource quota controller (${backend})`, () => {
  it('copies hard from the spec and counts what the namespace uses, pods that finished left out', async () => {
    await c.api.create(user, pod('a', { app: 'a' }, { namespace: 'team', resources: resources('250m', '256Mi', '500m', '512Mi') }))
    // An init container larger than the app container sets the pod's request.
    await c.api.create(
      user,
      pod('b', { app: 'b' }, { namespace: 'team', resources: resources('250m', '256Mi'), initContainers: [{ name: 'init', image: 'busybox', resources: resources('1', '128Mi') }] }),
    )
    await c.api.create(user, pod('done', { app: 'd' }, { namespace: 'team', resources: resources('2', '2Gi') }))
    await c.api.patch(user, 'pod', 'team', 'done', { status: { phase: 'Succeeded' } }, 'merge', { subresource: 'status' })
    await c.api.create(user, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'team' } })
    await c.api.create(user, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'team' } })
    await c.api.create(user, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'team' }, spec: { type: 'NodePort', selector: { app: 'a' }, ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] } })
    await c.api.create(user, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'team' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } })
    await c.api.create(user, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'team' },
      spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
    })
    // Elsewhere: not counted.
    await c.api.create(user, pod('outside', { app: 'a' }, { resources: resources('3', '3Gi') }))
    // The quota comes last: its admission would refuse the pods above that state no limits.
    await c.api.create(user, {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'compute', namespace: 'team' },
      spec: {
        hard: HARD,
      },
    })
    await c.runner.settled()

    expect(quotaStatus().hard).toEqual(HARD)
    expect(quotaStatus().used).toEqual({
      pods: '2',
      'count/pods': '2',
      services: '1',
      'services.nodeports': '2',
      configmaps: '1',
      secrets: '1',
      persistentvolumeclaims: '1',
      'count/deployments.apps': '1',
      'requests.cpu': '1250m',
      'requests.memory': '512Mi',
      'limits.cpu': '500m',
      'limits.memory': '512Mi',
      'requests.storage': '10Gi',
    })
  })

  it('recounts when objects go and when the hard limits change', async () => {
    await c.api.delete(user, 'pod', 'team', 'b')
    await c.api.delete(user, 'cm', 'team', 'settings')
    await c.api.patch(user, 'resourcequota', 'team', 'compute', { spec: { hard: { pods: '20', 'requests.cpu': '4' } } }, 'merge')
    await c.runner.settled()
    expect(quotaStatus().used).toMatchObject({ pods: '1', configmaps: '0', 'requests.cpu': '250m', 'requests.memory': '256Mi' })
    expect(quotaStatus().hard).toMatchObject({ pods: '20' })
  })
})

describe(`the resource quota controller beside admission (${backend})`, () => {
  it('leaves admission\'s charges to the recount the admitted objects cause, and admits no more than the quota', async () => {
    await c.api.create(user, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'capped' } })
    await c.api.create(user, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace: 'capped' }, spec: { hard: { pods: '2' } } })
    await c.runner.settled()
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => c.api.create(user, pod(`p${i}`, { app: 'p' }, { namespace: 'capped' }))))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2)
    await c.runner.settled()
    expect(getObject(c.projection.state, 'ResourceQuota', 'capped', 'pods')!.status).toEqual({ hard: { pods: '2' }, used: { pods: '2' } })
    const charge = (await c.t.store.history({ kind: 'ResourceQuota', namespace: 'capped', name: 'pods' })).find((e) => e.meta.actor === 'system:admission:resourcequota')!
    const controller = createResourceQuotaController()
    expect([...controller.keysFor({ event: charge, previous: undefined }, c.projection.state)]).toEqual([])
  })
})
