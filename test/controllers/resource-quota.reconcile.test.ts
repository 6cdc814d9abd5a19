import { describe, it } from 'vitest'
import { createResourceQuotaController } from '../../services/controllers/resource-quota.controller.js'
import type { JsonObject } from '../../services/json.js'
import { ReconcilerSpecification, secondsFromNow, statusWritten } from '../support/given.js'

const given = ReconcilerSpecification.for(createResourceQuotaController())

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

const quota = (hard: Record<string, string>, status: JsonObject = {}) => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name: 'compute', namespace: 'team' },
  spec: { hard },
  status,
})
const resources = (cpu: string, memory: string, limitCpu?: string, limitMemory?: string) => ({
  requests: { cpu, memory },
  ...(limitCpu && { limits: { cpu: limitCpu, memory: limitMemory } }),
})

function pod(
  name: string,
  o: { resources?: JsonObject; init?: JsonObject; phase?: string; namespace?: string; deleting?: boolean } = {},
): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'team',
      ...(o.deleting && { deletionTimestamp: secondsFromNow(30), deletionGracePeriodSeconds: 30 }),
    },
    spec: {
      containers: [{ name: 'app', image: 'nginx', ...(o.resources && { resources: o.resources }) }],
      ...(o.init && { initContainers: [{ name: 'init', image: 'busybox', resources: o.init }] }),
    },
    status: { phase: o.phase ?? 'Running' },
  }
}

const namespaceContent = [
  pod('a', { resources: resources('250m', '256Mi', '500m', '512Mi') }),
  // An init container larger than the app container sets the pod's request.
  pod('b', { resources: resources('250m', '256Mi'), init: resources('1', '128Mi') }),
  pod('done', { resources: resources('2', '2Gi'), phase: 'Succeeded' }),
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'team' } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'team' } },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'team' },
    spec: {
      type: 'NodePort',
      selector: { app: 'a' },
      ports: [
        { name: 'http', port: 80, nodePort: 30080 },
        { name: 'https', port: 443, nodePort: 30443 },
      ],
    },
  },
  {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'team' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'team' },
    spec: {
      selector: { matchLabels: { app: 'a' } },
      template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    },
  },
  // Elsewhere: not counted.
  pod('outside', { resources: resources('3', '3Gi'), namespace: 'default' }),
]

const USED = {
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
}

describe('the resource quota controller decides', () => {
  it('to copy hard from the spec and count what the namespace uses, pods that finished left out', () => {
    given(quota(HARD), namespaceContent)
      .when('team/compute')
      .then(statusWritten('ResourceQuota', 'team/compute', { hard: HARD, used: USED }))
  })

  it('to write nothing when the status already says so', () => {
    given(quota(HARD, { hard: HARD, used: USED }), namespaceContent)
      .when('team/compute')
      .thenNothing()
  })

  it('to recount when objects go and when the hard limits change, in canonical quantities', () => {
    const hard = { pods: '20', 'requests.cpu': '4000m', configmaps: '10' }
    given(
      quota(hard, { hard: HARD, used: USED }),
      namespaceContent.filter((o) => !['b', 'settings'].includes(String((o.metadata as JsonObject).name))),
    )
      .when('team/compute')
      .then(
        statusWritten('ResourceQuota', 'team/compute', {
          hard: { pods: '20', 'requests.cpu': '4', configmaps: '10' },
          used: { pods: '1', 'requests.cpu': '250m', configmaps: '0' },
        }),
      )
  })

  it('to count a pod being deleted (deletionTimestamp now + 30 s) until its grace period has passed again after it, as QuotaV1Pod does', () => {
    const counting = quota({ pods: '10' })
    given(counting, pod('going', { deleting: true }))
      .when('team/compute', secondsFromNow(60))
      .then(statusWritten('ResourceQuota', 'team/compute', { used: { pods: '1' } }))
    given(counting, pod('going', { deleting: true }))
      .when('team/compute', secondsFromNow(61))
      .then(statusWritten('ResourceQuota', 'team/compute', { used: { pods: '0' } }))
  })

  it('to leave a quota being deleted alone', () => {
    given(
      {
        ...quota({ pods: '1' }),
        metadata: { name: 'compute', namespace: 'team', deletionTimestamp: secondsFromNow(0), finalizers: ['example.com/hold'] },
      },
      pod('a'),
    )
      .when('team/compute')
      .thenNothing()
  })
})
