import type { JsonObject } from '../../../services/json.js'

/**
 * The smallest valid manifest of every kind revkube serves, as a user would write it. Tests copy
 * one and change a single thing (see `edited` in harness.ts).
 */

export const container = (name = 'app', image = 'nginx:1.25'): JsonObject => ({ name, image })

const podTemplate = (labels: JsonObject, spec: JsonObject = {}): JsonObject => ({
  metadata: { labels },
  spec: { containers: [container()], ...spec },
})

export const minimal: Record<string, JsonObject> = {
  Namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
  Node: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } },
  Pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [container()] } },
  Service: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  },
  Endpoints: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web' } },
  ReplicationController: {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'web' },
    spec: { template: podTemplate({ app: 'web' }) },
  },
  ConfigMap: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'fast' } },
  Secret: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 's3cr3t' } },
  ServiceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } },
  Event: {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.1' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
    reason: 'Started',
    message: 'Started container app',
  },
  ResourceQuota: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute' }, spec: { hard: { pods: '10' } } },
  LimitRange: {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'limits' },
    spec: { limits: [{ type: 'Container', max: { cpu: '2' } }] },
  },
  PersistentVolume: {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv-1' },
    spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } },
  },
  PersistentVolumeClaim: {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  },
  Deployment: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: podTemplate({ app: 'web' }) },
  },
  ReplicaSet: {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-7ff854f459' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: podTemplate({ app: 'web' }) },
  },
  DaemonSet: {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: podTemplate({ app: 'agent' }) },
  },
  StatefulSet: {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: podTemplate({ app: 'db' }) },
  },
  ControllerRevision: {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name: 'db-5d8f7c9b6d' },
    data: { spec: { template: {} } },
    revision: 1,
  },
  Job: {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [container('pi', 'perl:5.34')] } } },
  },
  CronJob: {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'report' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [container('report', 'busybox:1.36')] } } } },
    },
  },
  HorizontalPodAutoscaler: {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 },
  },
  Ingress: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web' },
    spec: {
      rules: [
        {
          host: 'web.example.com',
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] },
        },
      ],
    },
  },
  Role: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'pod-reader' },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
  },
  ClusterRole: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'system:node' },
    rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }],
  },
  RoleBinding: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'read-pods' },
    roleRef: { kind: 'Role', name: 'pod-reader' },
    subjects: [{ kind: 'User', name: 'jane' }],
  },
  ClusterRoleBinding: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'system:node' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node' },
    subjects: [{ kind: 'Group', name: 'system:nodes' }],
  },
  StorageClass: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'ebs.csi.aws.com' },
  Lease: {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'node-1' },
    spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 },
  },
  EndpointSlice: {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abcde' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.5'] }],
  },
  PriorityClass: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 },
  IPAddress: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IPAddress',
    metadata: { name: '10.96.0.10' },
    spec: { parentRef: { group: '', resource: 'services', namespace: 'kube-system', name: 'kube-dns' } },
  },
  ServiceNodePort: {
    apiVersion: 'internal.revkube.io/v1',
    kind: 'ServiceNodePort',
    metadata: { name: '30080' },
    spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'web' } },
  },
}
