/**
 * `npm run bench -- decode`: decoding a write against its kind's schema (services/resources/schema),
 * which runs on every create, update, patch and apply, controllers' included. Operations per second
 * for a typical Deployment and a Pod as a kubelet writes it, beside `JSON.parse(JSON.stringify(o))`
 * of the same object (the cost of one deep copy) in the same run.
 */
import type { JsonObject } from '../services/json.js'
import { decode } from '../services/resources/schema/decode.js'
import { kindShape, type StructShape } from '../services/resources/schema/shapes.js'
import { fmt, machine, ratio, table } from './lib.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1)

const container = (name: string, image: string): JsonObject => ({
  name,
  image,
  imagePullPolicy: 'IfNotPresent',
  ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
  env: [
    { name: 'GET_HOSTS_FROM', value: 'dns' },
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
  ],
  resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { cpu: 1, memory: '256Mi' } },
  readinessProbe: {
    httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' },
    periodSeconds: 10,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
  },
  volumeMounts: [{ name: 'config', mountPath: '/etc/app', readOnly: true }],
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
})

const metadata = (name: string, extra: JsonObject = {}): JsonObject => ({
  name,
  namespace: 'default',
  uid: '6f1c2a4e-3b7d-4c1e-9a55-0d2b8e9f1a37',
  resourceVersion: '1234',
  generation: 3,
  creationTimestamp: '2026-11-26T14:02:00Z',
  labels: { app: 'guestbook', tier: 'frontend' },
  annotations: { 'deployment.kubernetes.io/revision': '3', 'kubernetes.io/change-cause': 'image bump' },
  ...extra,
})

const podSpec = (): JsonObject => ({
  containers: [container('php-redis', 'us-docker.pkg.dev/google-samples/containers/gb-frontend:v5')],
  volumes: [{ name: 'config', configMap: { name: 'frontend-config', defaultMode: 420 } }],
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 30,
  dnsPolicy: 'ClusterFirst',
  schedulerName: 'default-scheduler',
  securityContext: {},
  tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
})

const condition = (type: string, reason: string, message: string): JsonObject => ({
  type,
  status: 'True',
  lastUpdateTime: '2026-11-26T14:02:10Z',
  lastTransitionTime: '2026-11-26T14:02:00Z',
  reason,
  message,
})

const deployment: JsonObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: metadata('frontend'),
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'guestbook', tier: 'frontend' } },
    template: { metadata: { labels: { app: 'guestbook', tier: 'frontend' } }, spec: podSpec() },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  },
  status: {
    observedGeneration: 3,
    replicas: 3,
    updatedReplicas: 3,
    readyReplicas: 3,
    availableReplicas: 3,
    conditions: [
      condition('Available', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
      condition('Progressing', 'NewReplicaSetAvailable', 'ReplicaSet "frontend-7d9c" has successfully progressed.'),
    ],
  },
}

const pod: JsonObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: metadata('frontend-7d9c-x2k4p', {
    generateName: 'frontend-7d9c-',
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'frontend-7d9c',
        uid: '0b5e3c1a-9f2d-4e7b-8c6a-1d3f5e7a9b2c',
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  }),
  spec: { ...podSpec(), nodeName: 'sim-node-1' },
  status: {
    phase: 'Running',
    conditions: [
      { type: 'Ready', status: 'True', lastTransitionTime: '2026-11-26T14:02:05Z' },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-26T14:02:00Z' },
    ],
    hostIP: '10.0.0.11',
    hostIPs: [{ ip: '10.0.0.11' }],
    podIP: '10.244.1.7',
    podIPs: [{ ip: '10.244.1.7' }],
    startTime: '2026-11-26T14:02:00Z',
    qosClass: 'Burstable',
    containerStatuses: [
      {
        name: 'php-redis',
        ready: true,
        started: true,
        restartCount: 0,
        image: 'us-docker.pkg.dev/google-samples/containers/gb-frontend:v5',
        imageID: 'sha256:4ec2b0b1f8e1a0a3b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8',
        containerID: 'containerd://9f8e7d6c5b4a',
        state: { running: { startedAt: '2026-11-26T14:02:03Z' } },
      },
    ],
  },
}

/** Calls per second of `fn`, the best of three runs of SECONDS/3 each. */
function opsPerSecond(fn: () => unknown): number {
  for (let i = 0; i < 2000; i++) fn() // warm up
  let best = 0
  for (let round = 0; round < 3; round++) {
    let n = 0
    const started = performance.now()
    const stopAt = started + (SECONDS * 1000) / 3
    while (performance.now() < stopAt) {
      for (let i = 0; i < 100; i++) fn()
      n += 100
    }
    best = Math.max(best, n / ((performance.now() - started) / 1000))
  }
  return best
}

export async function run(): Promise<void> {
  console.log(`\ndecode benchmark — ${machine()}`)
  const rows = [['object', 'JSON bytes', 'decode ops/s', 'with 1 unknown field', 'JSON copy ops/s (baseline)', 'decode vs copy']]
  for (const [name, object, shape] of [
    ['Deployment', deployment, kindShape('apps', 'v1', 'Deployment')],
    ['Pod', pod, kindShape('', 'v1', 'Pod')],
  ] as Array<[string, JsonObject, StructShape]>) {
    if (decode(shape, object).unknownFields.length > 0) throw new Error(`the ${name} has unknown fields`)
    const typo = structuredClone(object)
    ;(typo.spec as JsonObject).replica = 3
    const decodes = opsPerSecond(() => decode(shape, object))
    const withTypo = opsPerSecond(() => decode(shape, typo))
    const copies = opsPerSecond(() => JSON.parse(JSON.stringify(object)))
    rows.push([name, fmt(JSON.stringify(object).length), fmt(decodes), fmt(withTypo), fmt(copies), ratio(decodes, copies)])
  }
  table(rows)
}
