import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../../../services/json.js'
import { create, createErrors, DNS1035_LABEL, edited, NAME_PART, update, updateErrors } from './harness.js'
import { minimal } from './manifests.js'

const spec = (o: JsonObject) => o.spec as JsonObject
const hpa = (edit: (spec: JsonObject) => void) => edited(minimal.HorizontalPodAutoscaler!, (o) => edit(spec(o)))
const cpu80 = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }

describe('HorizontalPodAutoscaler', () => {
  it('defaults one replica at least and a CPU target of 80%', () => {
    const created = create(minimal.HorizontalPodAutoscaler!)
    expect(spec(created)).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      maxReplicas: 5,
      minReplicas: 1,
      metrics: [cpu80],
    })
    expect(created.status).toEqual({ currentReplicas: 0, desiredReplicas: 0 })
  })

  it('stores an autoscaling/v1 CPU target as the v2 metric', () => {
    const v1 = {
      ...minimal.HorizontalPodAutoscaler!,
      apiVersion: 'autoscaling/v1',
      spec: { ...spec(minimal.HorizontalPodAutoscaler!), targetCPUUtilizationPercentage: 50 },
    }
    const created = create(v1)
    expect(created.apiVersion).toBe('autoscaling/v2')
    expect(spec(created).metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
    ])
    expect(spec(created)).not.toHaveProperty('targetCPUUtilizationPercentage')
  })

  it('completes a behavior with the default scaling rules of each direction', () => {
    const created = create(hpa((s) => (s.behavior = { scaleDown: { stabilizationWindowSeconds: 60 } })))
    expect(spec(created).behavior).toEqual({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    })
  })

  it.each<[string, JsonObject, string[]]>([
    [
      'no maxReplicas',
      hpa((s) => delete s.maxReplicas),
      [
        'spec.maxReplicas: Invalid value: 0: must be greater than 0',
        'spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`',
      ],
    ],
    ['minReplicas 0', hpa((s) => (s.minReplicas = 0)), ['spec.minReplicas: Invalid value: 0: must be greater than or equal to 1']],
    [
      'maxReplicas below minReplicas',
      hpa((s) => (s.minReplicas = 6)),
      ['spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`'],
    ],
    [
      'a target without kind and name',
      hpa((s) => (s.scaleTargetRef = {})),
      ['spec.scaleTargetRef.kind: Required value', 'spec.scaleTargetRef.name: Required value'],
    ],
    [
      'a target name with a slash',
      hpa((s) => (s.scaleTargetRef = { kind: 'Deployment', name: 'a/b' })),
      ['spec.scaleTargetRef.name: Invalid value: "a/b": may not contain \'/\''],
    ],
    [
      'an unknown metric type',
      hpa((s) => (s.metrics = [{ type: 'Memory' }])),
      [
        'spec.metrics[0].type: Unsupported value: "Memory": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
        'spec.metrics[0].type: Unsupported value: "Memory": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
      ],
    ],
    [
      'a Resource metric without its source',
      hpa((s) => (s.metrics = [{ type: 'Resource' }])),
      ['spec.metrics[0].resource: Required value: must populate information for the given metric source'],
    ],
    [
      'a metric with two sources',
      hpa((s) => (s.metrics = [{ ...cpu80, pods: { metric: { name: 'qps' } } }])),
      ['spec.metrics[0].pods: Forbidden: must populate the given metric source only'],
    ],
    [
      'a scaling policy period above 30 minutes',
      hpa((s) => (s.behavior = { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 3600 }] } })),
      ['spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 3600: must be less than or equal to 1800'],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })
})

describe('Ingress', () => {
  const backend = { service: { name: 'web', port: { number: 80 } } }
  const path = (fields: JsonObject) =>
    edited(minimal.Ingress!, (o) => (spec(o).rules = [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend, ...fields }] } }]))
  const at = 'spec.rules[0].http.paths[0]'

  it('is stored as given', () => {
    expect(spec(create(minimal.Ingress!))).toEqual(spec(minimal.Ingress!))
  })

  it.each<[string, JsonObject, string[]]>([
    [
      'neither rules nor a default backend',
      edited(minimal.Ingress!, (o) => (o.spec = {})),
      ['spec.rules: Invalid value: null: either `defaultBackend` or `rules` must be specified'],
    ],
    ['a path without a type', path({ pathType: undefined }), [`${at}.pathType: Required value: pathType must be specified`]],
    [
      'an unknown path type',
      path({ pathType: 'Regex' }),
      [`${at}.pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"`],
    ],
    ['a relative path', path({ path: 'api' }), [`${at}.path: Invalid value: "api": must be an absolute path`]],
    ['a path that climbs', path({ path: '/a/../b' }), [`${at}.path: Invalid value: "/a/../b": must not contain '/../'`]],
    ['a path ending in /.', path({ pathType: 'Exact', path: '/a/.' }), [`${at}.path: Invalid value: "/a/.": cannot end with '/.'`]],
    [
      'a path without a backend',
      path({ backend: undefined }),
      [`${at}.backend: Invalid value: "": resource or service backend is required`],
    ],
    [
      'a service name that is no DNS-1035 label',
      path({ backend: { service: { name: '1web', port: { number: 80 } } } }),
      [`${at}.backend.service.name: Invalid value: "1web": ${DNS1035_LABEL}`],
    ],
    [
      'a service without a port',
      path({ backend: { service: { name: 'web' } } }),
      [`${at}.backend: Required value: port name or number is required`],
    ],
    [
      'a port with a name and a number',
      path({ backend: { service: { name: 'web', port: { name: 'http', number: 80 } } } }),
      [`${at}.backend: Invalid value: "": cannot set both port name & port number`],
    ],
    [
      'port 0x10000',
      path({ backend: { service: { name: 'web', port: { number: 65536 } } } }),
      [`${at}.backend.service.port.number: Invalid value: 65536: must be between 1 and 65535, inclusive`],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it('accepts only a default backend, and any path of ImplementationSpecific type', () => {
    expect(() => create(edited(minimal.Ingress!, (o) => (o.spec = { defaultBackend: backend })))).not.toThrow()
    expect(() => create(path({ pathType: 'ImplementationSpecific', path: '' }))).not.toThrow()
  })
})

describe('RBAC', () => {
  const role = (rules: unknown[]) => ({ ...minimal.Role!, rules })
  const clusterRole = (rules: unknown[]) => ({ ...minimal.ClusterRole!, rules })
  const roleBinding = (fields: JsonObject) => ({ ...minimal.RoleBinding!, ...fields })
  const clusterRoleBinding = (fields: JsonObject) => ({ ...minimal.ClusterRoleBinding!, ...fields })

  it('defaults the API group of a roleRef and of User and Group subjects, not of service accounts', () => {
    const created = create(
      roleBinding({
        subjects: [
          { kind: 'User', name: 'jane' },
          { kind: 'Group', name: 'devs' },
          { kind: 'ServiceAccount', name: 'builder' },
        ],
      }),
    )
    expect(created.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' })
    expect(created.subjects).toEqual([
      { kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'ServiceAccount', name: 'builder' },
    ])
  })

  it.each<[string, JsonObject, string[]]>([
    [
      'a rule without verbs',
      role([{ apiGroups: [''], resources: ['pods'] }]),
      ['rules[0].verbs: Required value: verbs must contain at least one value'],
    ],
    [
      'a rule without groups or resources',
      role([{ verbs: ['get'] }]),
      [
        'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
        'rules[0].resources: Required value: resource rules must supply at least one resource',
      ],
    ],
    [
      'a Role rule on URLs',
      role([{ nonResourceURLs: ['/healthz'], verbs: ['get'] }]),
      ['rules[0].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs'],
    ],
    [
      'a rule on URLs and resource names',
      clusterRole([{ nonResourceURLs: ['/metrics'], resourceNames: ['x'], verbs: ['get'] }]),
      ['rules[0].nonResourceURLs: Invalid value: ["/metrics"]: rules cannot apply to both regular resources and non-resource URLs'],
    ],
    [
      'a ClusterRoleBinding to a Role',
      clusterRoleBinding({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'x' } }),
      ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"'],
    ],
    [
      'a roleRef in another API group',
      roleBinding({ roleRef: { apiGroup: 'example.com', kind: 'Role', name: 'x' } }),
      ['roleRef.apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"'],
    ],
    ['a roleRef without a name', roleBinding({ roleRef: { kind: 'Role' } }), ['roleRef.name: Required value']],
    [
      'a service account subject without a namespace in a ClusterRoleBinding',
      clusterRoleBinding({ subjects: [{ kind: 'ServiceAccount', name: 'builder' }] }),
      ['subjects[0].namespace: Required value'],
    ],
    [
      'a service account subject in an API group',
      roleBinding({ subjects: [{ kind: 'ServiceAccount', name: 'builder', apiGroup: 'rbac.authorization.k8s.io' }] }),
      ['subjects[0].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: ""'],
    ],
    [
      'an unknown subject kind',
      roleBinding({ subjects: [{ kind: 'Robot', name: 'r2' }] }),
      ['subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"'],
    ],
    ['a subject without a name', roleBinding({ subjects: [{ kind: 'User' }] }), ['subjects[0].name: Required value']],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it('keeps the roleRef of a binding', () => {
    expect(updateErrors(minimal.RoleBinding!, (o) => ((o.roleRef as JsonObject).name = 'pod-writer'))).toEqual([
      'roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"pod-writer"}: cannot change roleRef',
    ])
    const subjects = [{ kind: 'User', name: 'john', apiGroup: 'rbac.authorization.k8s.io' }]
    expect(update(minimal.RoleBinding!, (o) => (o.subjects = subjects)).subjects).toEqual(subjects)
  })
})

describe('StorageClass', () => {
  it('defaults the reclaim policy and binding mode', () => {
    expect(create(minimal.StorageClass!)).toMatchObject({
      provisioner: 'ebs.csi.aws.com',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
    })
  })

  it.each<[string, JsonObject, string[]]>([
    ['no provisioner', { ...minimal.StorageClass!, provisioner: undefined }, ['provisioner: Required value']],
    [
      'a provisioner that is no qualified name',
      { ...minimal.StorageClass!, provisioner: 'ebs csi' },
      [`provisioner: Invalid value: "ebs csi": ${NAME_PART}`],
    ],
    [
      'an unknown reclaim policy',
      { ...minimal.StorageClass!, reclaimPolicy: 'Recycle' },
      ['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"'],
    ],
    [
      'an unknown binding mode',
      { ...minimal.StorageClass!, volumeBindingMode: 'Later' },
      ['volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"'],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it('keeps what it provisions', () => {
    expect(updateErrors(minimal.StorageClass!, (o) => (o.provisioner = 'pd.csi.storage.gke.io'))).toEqual([
      'provisioner: Forbidden: updates to provisioner are forbidden.',
    ])
    expect(updateErrors(minimal.StorageClass!, (o) => (o.parameters = { type: 'gp3' }))).toEqual([
      'parameters: Forbidden: updates to parameters are forbidden.',
    ])
    expect(updateErrors(minimal.StorageClass!, (o) => (o.reclaimPolicy = 'Retain'))).toEqual([
      'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
    ])
    expect(updateErrors(minimal.StorageClass!, (o) => (o.volumeBindingMode = 'WaitForFirstConsumer'))).toEqual([
      'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
    ])
    expect(update(minimal.StorageClass!, (o) => (o.allowVolumeExpansion = true)).allowVolumeExpansion).toBe(true)
  })
})

describe('Lease and EndpointSlice', () => {
  it.each<[string, JsonObject, string[]]>([
    [
      'a lease of 0 seconds',
      edited(minimal.Lease!, (o) => (spec(o).leaseDurationSeconds = 0)),
      ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'],
    ],
    [
      'negative lease transitions',
      edited(minimal.Lease!, (o) => (spec(o).leaseTransitions = -1)),
      ['spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0'],
    ],
    ['a slice without an address type', { ...minimal.EndpointSlice!, addressType: undefined }, ['addressType: Required value']],
    [
      'an unknown address type',
      { ...minimal.EndpointSlice!, addressType: 'IPv5' },
      ['addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"'],
    ],
    [
      'an endpoint without addresses',
      { ...minimal.EndpointSlice!, endpoints: [{ addresses: [] }] },
      ['endpoints[0].addresses: Required value: must contain at least 1 address'],
    ],
    [
      'more than 1000 endpoints',
      { ...minimal.EndpointSlice!, endpoints: Array.from({ length: 1001 }, () => ({ addresses: [] })) },
      ['endpoints: Too many: 1001: must have at most 1000 items'],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it('keeps the address type of a slice', () => {
    expect(updateErrors(minimal.EndpointSlice!, (o) => (o.addressType = 'IPv6'))).toEqual([
      'addressType: Invalid value: "IPv6": field is immutable',
    ])
  })
})
