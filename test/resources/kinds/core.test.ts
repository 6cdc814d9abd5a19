import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../../../services/json.js'
import { at, create, createErrors, DNS1123_LABEL, edited, QUANTITY, update, updateErrors } from './harness.js'
import { container, minimal } from './manifests.js'

const spec = (o: JsonObject) => o.spec as JsonObject
const containerOf = (o: JsonObject) => (spec(o).containers as JsonObject[])[0]!
const pod = (edit: (spec: JsonObject) => void) => edited(minimal.Pod!, (o) => edit(spec(o)))
const podWith = (fields: JsonObject) => pod((s) => (s.containers = [{ ...container(), ...fields }]))
const DIGEST = 'a'.repeat(64)

describe('Pod defaults', () => {
  it('fills the pod spec, the container and the status as Kubernetes does', () => {
    const created = create(minimal.Pod!)
    expect(spec(created)).toEqual({
      containers: [
        {
          name: 'app',
          image: 'nginx:1.25',
          imagePullPolicy: 'IfNotPresent',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          resources: {},
        },
      ],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      securityContext: {},
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      serviceAccountName: 'default',
      serviceAccount: 'default',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    })
    expect(created.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' })
  })

  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['docker.io/library/nginx', 'Always'],
    ['registry.local:5000/team/app', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['registry.local:5000/team/app:v2', 'IfNotPresent'],
    [`nginx@sha256:${DIGEST}`, 'IfNotPresent'],
    [`nginx:latest@sha256:${DIGEST}`, 'Always'],
    ['NGINX', 'IfNotPresent'], // not a reference Kubernetes can parse: no tag found
  ])('pulls %s with imagePullPolicy %s', (image, policy) => {
    expect(containerOf(create(podWith({ image }))).imagePullPolicy).toBe(policy)
  })

  it('keeps an imagePullPolicy the user chose', () => {
    expect(containerOf(create(podWith({ image: 'nginx', imagePullPolicy: 'Never' }))).imagePullPolicy).toBe('Never')
  })

  it('defaults port protocols and probe settings', () => {
    const created = create(podWith({ ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } } }))
    expect(containerOf(created).ports).toEqual([{ containerPort: 80, protocol: 'TCP' }])
    expect(containerOf(created).readinessProbe).toEqual({
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    })
  })

  it('requests what is limited, in canonical quantities rounded up to milli-units', () => {
    const created = create(podWith({ resources: { limits: { cpu: '1.5', memory: '1024Mi' }, requests: { cpu: '0.0001' } } }))
    expect(containerOf(created).resources).toEqual({ limits: { cpu: '1500m', memory: '1Gi' }, requests: { cpu: '1m', memory: '1Gi' } })
  })

  it('keeps a toleration that already covers not-ready nodes, and the service account asked for', () => {
    const created = create(
      pod((s) => {
        s.serviceAccountName = 'builder'
        s.tolerations = [{ operator: 'Exists' }]
      }),
    )
    expect(spec(created)).toMatchObject({ serviceAccountName: 'builder', serviceAccount: 'builder', tolerations: [{ operator: 'Exists' }] })
  })

  it.each([
    [{}, 'BestEffort'],
    [{ requests: { cpu: '100m' } }, 'Burstable'],
    [{ limits: { cpu: '1', memory: '1Gi' } }, 'Guaranteed'],
    [{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } }, 'Burstable'],
  ])('classifies resources %j as %s', (resources, qos) => {
    expect((create(podWith({ resources })).status as JsonObject).qosClass).toBe(qos)
  })
})

describe('Pod validation', () => {
  it.each<[string, JsonObject, string[]]>([
    ['no containers', pod((s) => (s.containers = [])), ['spec.containers: Required value']],
    ['a container without a name', podWith({ name: '' }), ['spec.containers[0].name: Required value']],
    ['an uppercase container name', podWith({ name: 'App' }), [`spec.containers[0].name: Invalid value: "App": ${DNS1123_LABEL}`]],
    ['a container without an image', podWith({ image: '' }), ['spec.containers[0].image: Required value']],
    [
      ' an image with spaces',
      podWith({ image: ' nginx' }),
      ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace'],
    ],
    [
      'two containers with one name',
      pod((s) => (s.containers = [container('app'), container('app')])),
      ['spec.containers[1].name: Duplicate value: "app"'],
    ],
    [
      'an init container named like a container',
      pod((s) => (s.initContainers = [container('app', 'busybox')])),
      ['spec.initContainers[0].name: Duplicate value: "app"'],
    ],
    ['container port 0', podWith({ ports: [{ containerPort: 0 }] }), ['spec.containers[0].ports[0].containerPort: Required value']],
    [
      'container port 65536',
      podWith({ ports: [{ containerPort: 65536 }] }),
      ['spec.containers[0].ports[0].containerPort: Invalid value: 65536: must be between 1 and 65535, inclusive'],
    ],
    [
      'host port 70000',
      podWith({ ports: [{ containerPort: 80, hostPort: 70000 }] }),
      ['spec.containers[0].ports[0].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ],
    [
      'two ports of one name',
      podWith({
        ports: [
          { name: 'http', containerPort: 80 },
          { name: 'http', containerPort: 8080 },
        ],
      }),
      ['spec.containers[0].ports[1].name: Duplicate value: "http"'],
    ],
    [
      'a port protocol Kubernetes lacks',
      podWith({ ports: [{ containerPort: 80, protocol: 'HTTP' }] }),
      ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    ],
    [
      'a port name that is no IANA service name',
      podWith({ ports: [{ name: 'HTTP', containerPort: 80 }] }),
      [
        'spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain at least one letter (a-z)',
      ],
    ],
    [
      'an unknown restart policy',
      pod((s) => (s.restartPolicy = 'Sometimes')),
      ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    ],
    [
      'an unknown pull policy',
      podWith({ imagePullPolicy: 'Sometimes' }),
      ['spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"'],
    ],
    [
      'an environment variable starting with a digit',
      podWith({ env: [{ name: '1X', value: 'y' }] }),
      [
        "spec.containers[0].env[0].name: Invalid value: \"1X\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
      ],
    ],
    [
      'a mount of a volume the pod lacks',
      podWith({ volumeMounts: [{ name: 'data', mountPath: '/data' }] }),
      ['spec.containers[0].volumeMounts[0].name: Not found: "data"'],
    ],
    [
      'a liveness probe without a handler',
      podWith({ livenessProbe: { periodSeconds: 5 } }),
      ['spec.containers[0].livenessProbe: Required value: must specify a handler type'],
    ],
    [
      'a negative deadline',
      pod((s) => (s.activeDeadlineSeconds = 0)),
      ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive'],
    ],
    [
      'tolerationSeconds for a NoSchedule toleration',
      pod((s) => (s.tolerations = [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 60 }])),
      ['spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set'],
    ],
    [
      'an Exists toleration with a value',
      pod((s) => (s.tolerations = [{ key: 'gpu', operator: 'Exists', value: 'yes' }])),
      [
        'spec.tolerations[0].operator: Invalid value: {"key":"gpu","operator":"Exists","value":"yes"}: value must be empty when `operator` is \'Exists\'',
      ],
    ],
    [
      'an Equal toleration without a key',
      pod((s) => (s.tolerations = [{ operator: 'Equal', value: 'yes' }])),
      [
        'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      ],
    ],
    [
      'an unknown toleration operator',
      pod((s) => (s.tolerations = [{ key: 'gpu', operator: 'In' }])),
      ['spec.tolerations[0].operator: Unsupported value: "In": supported values: "Equal", "Exists"'],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it('accepts the same port name in two containers', () => {
    const ports = [{ name: 'http', containerPort: 80 }]
    expect(() =>
      create(
        pod(
          (s) =>
            (s.containers = [
              { ...container('a'), ports },
              { ...container('b'), ports },
            ]),
        ),
      ),
    ).not.toThrow()
  })

  it.each(['500m', '1Gi', '1.5', '2', '128974848', '129e6', '0'])('accepts the resource quantity %j', (cpu) => {
    expect(() => create(podWith({ resources: { requests: { cpu } } }))).not.toThrow()
  })

  it.each<[unknown, string]>([
    ['1.5.5', `Invalid value: "1.5.5": ${QUANTITY}`],
    ['abc', `Invalid value: "abc": ${QUANTITY}`],
    ['', `Invalid value: "": ${QUANTITY}`],
    ['-1', 'Invalid value: "-1": must be greater than or equal to 0'],
    ['-500m', 'Invalid value: "-500m": must be greater than or equal to 0'],
  ])('rejects the resource quantity %j', (cpu, message) => {
    expect(createErrors(podWith({ resources: { requests: { cpu } } }))).toEqual([`spec.containers[0].resources.requests[cpu]: ${message}`])
  })

  it('rejects a request above its limit, naming both in canonical form', () => {
    const errors = createErrors(podWith({ resources: { requests: { cpu: '1.5' }, limits: { cpu: '1' } } }))
    expect(errors).toEqual(['spec.containers[0].resources.requests: Invalid value: "1500m": must be less than or equal to cpu limit of 1'])
  })

  it('rejects resources containers cannot ask for (in the limits, and the requests a Pod copies from them)', () => {
    expect(createErrors(podWith({ resources: { limits: { gpu: '1' } } }))).toEqual([
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
    ])
    expect(() => create(podWith({ resources: { limits: { 'nvidia.com/gpu': '1' } } }))).not.toThrow()
  })

  it('forbids changing a pod spec beyond images and a few fields', () => {
    expect(updateErrors(minimal.Pod!, (o) => (spec(o).restartPolicy = 'Never'))[0]).toMatch(
      /^spec: Forbidden: pod updates may not change fields other than/,
    )
    expect(containerOf(update(minimal.Pod!, (o) => (containerOf(o).image = 'nginx:1.26'))).image).toBe('nginx:1.26')
  })
})

describe('Service', () => {
  const service = (edit: (spec: JsonObject) => void) => edited(minimal.Service!, (o) => edit(spec(o)))

  it('defaults the type, affinity, traffic policy, port protocol and target port', () => {
    const created = create(minimal.Service!)
    expect(spec(created)).toEqual({
      selector: { app: 'web' },
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    })
    expect(created.status).toEqual({ loadBalancer: {} })
  })

  it('keeps a named target port and defaults what NodePort, LoadBalancer and ClientIP affinity add', () => {
    const created = create(
      service((s) => {
        s.type = 'LoadBalancer'
        s.sessionAffinity = 'ClientIP'
        s.ports = [{ port: 80, targetPort: 'http' }]
      }),
    )
    expect(spec(created)).toMatchObject({
      ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }],
      externalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: true,
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
    })
  })

  it.each<[string, JsonObject, string[]]>([
    ['no ports', service((s) => delete s.ports), ['spec.ports: Required value']],
    [
      'port 0',
      service((s) => (s.ports = [{ port: 0 }])),
      [
        'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
        'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
      ],
    ],
    [
      'port 65536',
      service((s) => (s.ports = [{ port: 65536, targetPort: 8080 }])),
      ['spec.ports[0].port: Invalid value: 65536: must be between 1 and 65535, inclusive'],
    ],
    [
      'an unnamed port among several',
      service((s) => (s.ports = [{ name: 'http', port: 80 }, { port: 443 }])),
      ['spec.ports[1].name: Required value'],
    ],
    [
      'two ports of one name',
      service(
        (s) =>
          (s.ports = [
            { name: 'http', port: 80 },
            { name: 'http', port: 8080 },
          ]),
      ),
      ['spec.ports[1].name: Duplicate value: "http"'],
    ],
    [
      'a port name with capitals',
      service((s) => (s.ports = [{ name: 'HTTP', port: 80 }])),
      [`spec.ports[0].name: Invalid value: "HTTP": ${DNS1123_LABEL}`],
    ],
    [
      'a target port name that is no IANA service name',
      service((s) => (s.ports = [{ port: 80, targetPort: 'web--port' }])),
      ['spec.ports[0].targetPort: Invalid value: "web--port": must not contain consecutive hyphens'],
    ],
    [
      'an unknown protocol',
      service((s) => (s.ports = [{ port: 80, protocol: 'HTTP' }])),
      ['spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    ],
    [
      'a node port on a ClusterIP service',
      service((s) => (s.ports = [{ port: 80, nodePort: 30080 }])),
      ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    ],
    [
      'an unknown type',
      service((s) => (s.type = 'Internal')),
      ['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    ],
    ['an ExternalName service without a name', service((s) => (s.type = 'ExternalName')), ['spec.externalName: Required value']],
    [
      'a selector with a bad label value',
      service((s) => (s.selector = { app: 'web site' })),
      [expect.stringMatching(/^spec\.selector: Invalid value: "web site": a valid label must be/) as unknown as string],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it.each<[string, JsonObject]>([
    ['a headless service without ports', service((s) => ((s.clusterIP = 'None'), delete s.ports))],
    [
      'an ExternalName service without ports',
      service((s) => ((s.type = 'ExternalName'), (s.externalName = 'db.example.com.'), delete s.ports)),
    ],
    ['a service without a selector', service((s) => delete s.selector)],
  ])('accepts %s', (_, manifest) => {
    expect(() => create(manifest)).not.toThrow()
  })

  it('treats an empty type and a zero target port like absent ones, as Go decodes them', () => {
    const created = create(service((s) => ((s.type = ''), (s.ports = [{ port: 443, targetPort: 0 }]))))
    expect(spec(created)).toMatchObject({ type: 'ClusterIP', ports: [{ port: 443, targetPort: 443, protocol: 'TCP' }] })
  })

  it('keeps an allocated clusterIP', () => {
    const withIp = service((s) => (s.clusterIP = '10.0.0.10'))
    expect(updateErrors(withIp, (o) => (spec(o).clusterIP = '10.0.0.11'))).toEqual([
      'spec.clusterIP: Invalid value: "10.0.0.11": field is immutable',
    ])
  })
})

describe('Secret', () => {
  const secret = (fields: JsonObject) => ({ ...minimal.Secret!, stringData: undefined, ...fields })

  it('defaults the type to Opaque and folds stringData into base64 data, over data', () => {
    const created = create(secret({ data: { user: 'YWRtaW4=', password: 'b2xk' }, stringData: { password: 's3cr3t' } }))
    expect(created.type).toBe('Opaque')
    expect(created.data).toEqual({ user: 'YWRtaW4=', password: Buffer.from('s3cr3t').toString('base64') })
    expect(created.stringData).toBeUndefined()
  })

  it.each<[string, JsonObject, string[]]>([
    [
      'a key with a space',
      secret({ stringData: { 'my key': 'v' } }),
      [
        "data[my key]: Invalid value: \"my key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      ],
    ],
    ['the key ..', secret({ stringData: { '..': 'v' } }), ['data[..]: Invalid value: "..": must not be \'..\'']],
    [
      'data that is not base64',
      secret({ data: { token: 'not base64!' } }),
      ['data[token]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3'],
    ],
    [
      'base64 without its padding',
      secret({ data: { token: 'YWRtaW4' } }),
      ['data[token]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 4'],
    ],
    [
      'a TLS secret without its key',
      secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y2VydA==' } }),
      ['data[tls.key]: Required value'],
    ],
    [
      'a basic-auth secret without credentials',
      secret({ type: 'kubernetes.io/basic-auth', data: {} }),
      ['data[username]: Required value', 'data[password]: Required value'],
    ],
    [
      'a service account token without its account',
      secret({ type: 'kubernetes.io/service-account-token' }),
      ['metadata.annotations[kubernetes.io/service-account.name]: Required value'],
    ],
    [
      'more than 1 MiB of data',
      secret({ stringData: { blob: 'x'.repeat(1024 * 1024 + 1) } }),
      ['data: Too long: may not be more than 1048576 bytes'],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it('accepts exactly 1 MiB of data', () => {
    expect(() => create(secret({ stringData: { blob: 'x'.repeat(1024 * 1024) } }))).not.toThrow()
  })

  it('keeps its type, and its data once immutable', () => {
    expect(updateErrors(minimal.Secret!, (o) => (o.type = 'kubernetes.io/tls'))).toContain(
      'type: Invalid value: "kubernetes.io/tls": field is immutable',
    )
    const sealed = { ...minimal.Secret!, immutable: true }
    expect(updateErrors(sealed, (o) => (o.data = { password: 'bmV3' }))).toEqual([
      'data: Forbidden: field is immutable when `immutable` is set',
    ])
    expect(updateErrors(sealed, (o) => (o.immutable = false))).toEqual(['immutable: Forbidden: field is immutable when `immutable` is set'])
  })
})

describe('ConfigMap', () => {
  const configMap = (fields: JsonObject) => ({ ...minimal.ConfigMap!, ...fields })

  it('keeps data and binaryData as given', () => {
    expect(create(configMap({ binaryData: { logo: 'iVBORw==' } }))).toMatchObject({
      data: { mode: 'fast' },
      binaryData: { logo: 'iVBORw==' },
    })
  })

  it.each<[string, JsonObject, string[]]>([
    [
      'a key starting with ..',
      configMap({ data: { '..data': 'x' } }),
      ['data[..data]: Invalid value: "..data": must not start with \'..\''],
    ],
    [
      'a key in both maps',
      configMap({ binaryData: { mode: 'ZmFzdA==' } }),
      ['data[mode]: Invalid value: "mode": duplicate of key present in binaryData'],
    ],
    [
      'a key of 254 bytes',
      configMap({ data: { ['k'.repeat(254)]: 'x' } }),
      [`data[${'k'.repeat(254)}]: Invalid value: "${'k'.repeat(254)}": must be no more than 253 bytes`],
    ],
    // Upstream reports the size for the whole object, with an empty path.
    [
      'more than 1 MiB of values',
      configMap({ data: { a: 'x'.repeat(600000), b: 'y'.repeat(600000) } }),
      [': Too long: may not be more than 1048576 bytes'],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it('freezes data and binaryData once immutable', () => {
    const sealed = configMap({ immutable: true })
    expect(updateErrors(sealed, (o) => (o.data = { mode: 'slow' }))).toEqual([
      'data: Forbidden: field is immutable when `immutable` is set',
    ])
  })
})

describe('Namespace', () => {
  it('starts Active with the kubernetes finalizer', () => {
    const created = create(minimal.Namespace!)
    expect(spec(created)).toEqual({ finalizers: ['kubernetes'] })
    expect(created.status).toEqual({ phase: 'Active' })
  })

  it('checks its spec finalizers', () => {
    const manifest = edited(minimal.Namespace!, (o) => (o.spec = { finalizers: ['cleanup', 'example.com/cleanup'] }))
    expect(createErrors(manifest)).toEqual([
      'spec.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
    ])
  })

  it('is cluster-scoped: a namespace of its own is forbidden', () => {
    const manifest = edited(minimal.Namespace!, (o) => ((o.metadata as JsonObject).namespace = 'default'))
    expect(create(manifest).metadata).not.toHaveProperty('namespace')
  })
})

describe('ReplicationController', () => {
  it('takes its selector and labels from the template, and defaults replicas and the pod spec', () => {
    const created = create(minimal.ReplicationController!)
    expect(created.metadata).toMatchObject({ labels: { app: 'web' } })
    expect(spec(created)).toMatchObject({ replicas: 1, selector: { app: 'web' } })
    expect(at(created, 'spec.template.spec')).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' })
    expect(created.status).toEqual({ replicas: 0 })
  })

  it.each<[string, (s: JsonObject) => void, string[]]>([
    ['no template', (s) => delete s.template, ['spec.selector: Required value', 'spec.template: Required value']],
    [
      'a selector the template does not match',
      (s) => (s.selector = { app: 'api' }),
      ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'],
    ],
    [
      'pods that do not restart',
      (s) => (at(s, 'template.spec').restartPolicy = 'OnFailure'),
      ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    ],
  ])('rejects %s', (_, edit, expected) => {
    expect(createErrors(edited(minimal.ReplicationController!, (o) => edit(spec(o))))).toEqual(expected)
  })
})

describe('PersistentVolume and PersistentVolumeClaim', () => {
  it('default the reclaim policy and volume mode, and start Pending', () => {
    const volume = create(minimal.PersistentVolume!)
    expect(spec(volume)).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' })
    expect(volume.status).toEqual({ phase: 'Pending' })
    const claim = create(minimal.PersistentVolumeClaim!)
    expect(spec(claim)).toMatchObject({ volumeMode: 'Filesystem' })
    expect(claim.status).toEqual({ phase: 'Pending' })
  })

  it.each<[string, JsonObject, string[]]>([
    [
      'a volume of no type',
      edited(minimal.PersistentVolume!, (o) => delete spec(o).hostPath),
      ['spec: Required value: must specify a volume type'],
    ],
    [
      'a volume without capacity',
      edited(minimal.PersistentVolume!, (o) => delete spec(o).capacity),
      ['spec.capacity: Required value', 'spec.capacity: Unsupported value: null: supported values: "storage"'],
    ],
    [
      'an unknown access mode',
      edited(minimal.PersistentVolume!, (o) => (spec(o).accessModes = ['ReadWriteSometimes'])),
      [
        'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      ],
    ],
    [
      'a claim without access modes',
      edited(minimal.PersistentVolumeClaim!, (o) => delete spec(o).accessModes),
      ['spec.accessModes: Required value: at least 1 access mode is required'],
    ],
    [
      'a claim without a size',
      edited(minimal.PersistentVolumeClaim!, (o) => delete spec(o).resources),
      ['spec.resources[storage]: Required value'],
    ],
    [
      'a claim of size 0',
      edited(minimal.PersistentVolumeClaim!, (o) => (spec(o).resources = { requests: { storage: '0' } })),
      ['spec.resources[storage]: Invalid value: "0": must be greater than zero'],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })
})

describe('LimitRange, ResourceQuota, Endpoints, Event, Node, ServiceAccount', () => {
  it('defaults a container limit range: the default limit from max, the default request from the default limit', () => {
    const created = create(minimal.LimitRange!)
    expect(spec(created)).toEqual({
      limits: [{ type: 'Container', max: { cpu: '2' }, default: { cpu: '2' }, defaultRequest: { cpu: '2' } }],
    })
  })

  it.each<[string, JsonObject, string[]]>([
    [
      'an unknown limit type',
      edited(minimal.LimitRange!, (o) => (spec(o).limits = [{ type: 'Namespace', max: { cpu: '2' } }])),
      ['spec.limits[0].type: Invalid value: "Namespace": must be a standard limit type or fully qualified'],
    ],
    [
      'a pod default',
      edited(minimal.LimitRange!, (o) => (spec(o).limits = [{ type: 'Pod', default: { cpu: '1' } }])),
      ["spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"],
    ],
    [
      'a minimum above the maximum',
      edited(minimal.LimitRange!, (o) => (spec(o).limits = [{ type: 'Pod', min: { cpu: '3' }, max: { cpu: '2' } }])),
      ['spec.limits[0].min[cpu]: Invalid value: "3": min value 3 is greater than max value 2'],
    ],
    [
      'a negative quota',
      edited(minimal.ResourceQuota!, (o) => (spec(o).hard = { pods: '-1' })),
      ['spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0'],
    ],
    [
      'a quota on something quota does not count',
      edited(minimal.ResourceQuota!, (o) => (spec(o).hard = { gpus: '1' })),
      ['spec.hard[gpus]: Invalid value: "gpus": must be a standard resource for quota'],
    ],
    [
      'an event about an object in another namespace',
      edited(minimal.Event!, (o) => ((o.involvedObject as JsonObject).namespace = 'other')),
      ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it('accepts a v1 event of any type, and one about a cluster-scoped object in default', () => {
    expect(() => create({ ...minimal.Event!, type: 'Audit' })).not.toThrow()
    expect(() => create({ ...minimal.Event!, involvedObject: { kind: 'Node', name: 'node-1' } })).not.toThrow()
  })

  it('accepts quotas on object counts and on qualified resources', () => {
    expect(() =>
      create(edited(minimal.ResourceQuota!, (o) => (spec(o).hard = { 'count/deployments.apps': '5', 'requests.nvidia.com/gpu': '2' }))),
    ).not.toThrow()
  })

  it('defaults Endpoints ports to TCP', () => {
    const created = create({ ...minimal.Endpoints!, subsets: [{ addresses: [{ ip: '10.0.0.5' }], ports: [{ port: 80 }] }] })
    expect(created.subsets).toEqual([{ addresses: [{ ip: '10.0.0.5' }], ports: [{ port: 80, protocol: 'TCP' }] }])
  })

  it('keeps the status a Node registers with, allocatable defaulting to capacity', () => {
    const created = create({ ...minimal.Node!, status: { capacity: { cpu: '4', pods: '110' } } })
    expect(created.status).toEqual({ capacity: { cpu: '4', pods: '110' }, allocatable: { cpu: '4', pods: '110' } })
  })

  it('creates a ServiceAccount as given', () => {
    expect(create(minimal.ServiceAccount!)).toMatchObject({ apiVersion: 'v1', kind: 'ServiceAccount' })
  })
})
