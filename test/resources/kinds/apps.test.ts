import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../../../services/json.js'
import { at, create, createErrors, DNS1123_LABEL, edited, LABEL_VALUE, PERCENT, update, updateErrors } from './harness.js'
import { minimal } from './manifests.js'

const spec = (o: JsonObject) => o.spec as JsonObject
const deployment = (edit: (spec: JsonObject) => void) => edited(minimal.Deployment!, (o) => edit(spec(o)))
const strategy = (rollingUpdate: JsonObject, type = 'RollingUpdate') => deployment((s) => (s.strategy = { type, rollingUpdate }))

/** What every pod template gets; unlike a Pod, no service account, tolerations or service links. */
const templatePodSpec = {
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
}

describe('Deployment defaults', () => {
  it('sets replicas, a 25%/25% rolling update, history, deadline and the pod template', () => {
    const created = create(minimal.Deployment!)
    expect(spec(created)).toEqual({
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: { metadata: { labels: { app: 'web' } }, spec: templatePodSpec },
    })
    expect(created.status).toEqual({})
  })

  it.each<[JsonObject, JsonObject]>([
    [
      { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } },
      { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
    ],
    [{ rollingUpdate: { maxSurge: 2 } }, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 2 } }],
    [{ type: 'Recreate' }, { type: 'Recreate' }],
  ])('completes the strategy %j', (given, expected) => {
    expect(spec(create(deployment((s) => (s.strategy = given)))).strategy).toEqual(expected)
  })

  it('keeps explicit zeroes', () => {
    const created = create(deployment((s) => ((s.replicas = 0), (s.revisionHistoryLimit = 0))))
    expect(spec(created)).toMatchObject({ replicas: 0, revisionHistoryLimit: 0 })
  })
})

describe('Deployment validation', () => {
  const mismatch = (labels: string) =>
    `spec.template.metadata.labels: Invalid value: ${labels}: \`selector\` does not match template \`labels\``

  it.each<[string, JsonObject, string[]]>([
    ['no selector', deployment((s) => delete s.selector), ['spec.selector: Required value', mismatch('{"app":"web"}')]],
    [
      'an empty selector',
      deployment((s) => (s.selector = {})),
      ['spec.selector: Invalid value: {}: empty selector is invalid for deployment'],
    ],
    [
      'a selector the template does not match',
      deployment((s) => (s.selector = { matchLabels: { app: 'api' } })),
      [mismatch('{"app":"web"}')],
    ],
    ['a template without labels', deployment((s) => delete at(s, 'template').metadata), [mismatch('null')]],
    [
      'an unknown selector operator',
      deployment((s) => (s.selector = { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] })),
      [
        'spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator',
        'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"Equals","values":["web"]}]}: invalid label selector',
      ],
    ],
    [
      'In without values',
      deployment((s) => (s.selector = { matchExpressions: [{ key: 'app', operator: 'In' }] })),
      [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"In"}]}: invalid label selector',
      ],
    ],
    [
      'Exists with values',
      deployment((s) => (s.selector = { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['web'] }] })),
      [
        "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"Exists","values":["web"]}]}: invalid label selector',
      ],
    ],
    ['negative replicas', deployment((s) => (s.replicas = -1)), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    [
      'maxUnavailable 0 with maxSurge 0',
      strategy({ maxUnavailable: 0, maxSurge: 0 }),
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
    ],
    [
      'maxUnavailable 0% with maxSurge 0%',
      strategy({ maxUnavailable: '0%', maxSurge: '0%' }),
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0'],
    ],
    [
      'maxUnavailable above 100%',
      strategy({ maxUnavailable: '120%' }),
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "120%": must not be greater than 100%'],
    ],
    ['a percentage without %', strategy({ maxSurge: '25' }), [`spec.strategy.rollingUpdate.maxSurge: Invalid value: "25": ${PERCENT}`]],
    [
      'a word for a percentage',
      strategy({ maxUnavailable: 'half' }),
      [`spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "half": ${PERCENT}`],
    ],
    [
      'a negative maxSurge',
      strategy({ maxSurge: -1 }),
      ['spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'rollingUpdate with Recreate',
      strategy({ maxSurge: 1 }, 'Recreate'),
      ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    ],
    [
      'an unknown strategy',
      deployment((s) => (s.strategy = { type: 'BlueGreen' })),
      ['spec.strategy: Unsupported value: {"type":"BlueGreen"}: supported values: "Recreate", "RollingUpdate"'],
    ],
    [
      'pods that do not restart',
      deployment((s) => (at(s, 'template.spec').restartPolicy = 'Never')),
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    [
      'pods with a deadline',
      deployment((s) => (at(s, 'template.spec').activeDeadlineSeconds = 60)),
      ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in Deployment is not Supported'],
    ],
    [
      'a progress deadline within minReadySeconds',
      deployment((s) => ((s.minReadySeconds = 600), (s.progressDeadlineSeconds = 600))),
      ['spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds'],
    ],
    // Kubernetes reports template label errors at `spec.template.labels`, without `metadata`.
    [
      'a template label value with a space',
      deployment(
        (s) => ((s.selector = { matchLabels: { app: 'web' } }), (at(s, 'template.metadata').labels = { app: 'web', tier: 'front end' })),
      ),
      [`spec.template.labels: Invalid value: "front end": ${LABEL_VALUE}`],
    ],
    [
      'containers without names and images',
      deployment((s) => (at(s, 'template.spec').containers = [{}])),
      ['spec.template.spec.containers[0].name: Required value', 'spec.template.spec.containers[0].image: Required value'],
    ],
    [
      'an uppercase container name',
      deployment((s) => (at(s, 'template.spec').containers = [{ name: 'Web', image: 'nginx' }])),
      [`spec.template.spec.containers[0].name: Invalid value: "Web": ${DNS1123_LABEL}`],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it.each<[string, JsonObject]>([
    [
      'a selector of expressions the template satisfies',
      deployment((s) => (s.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] })),
    ],
    ['maxSurge above 100%', strategy({ maxSurge: '200%' })],
    ['a zero maxUnavailable with a surge', strategy({ maxUnavailable: 0, maxSurge: 1 })],
    [
      'an image with spaces, which only a Pod rejects',
      deployment((s) => (at(s, 'template.spec').containers = [{ name: 'app', image: ' nginx' }])),
    ],
  ])('accepts %s', (_, manifest) => {
    expect(() => create(manifest)).not.toThrow()
  })

  it('keeps its selector, and counts spec changes in generation', () => {
    const relabel = (o: JsonObject) => {
      spec(o).selector = { matchLabels: { app: 'web2' } }
      at(o, 'spec.template.metadata').labels = { app: 'web2' }
    }
    expect(updateErrors(minimal.Deployment!, relabel)).toEqual([
      'spec.selector: Invalid value: {"matchLabels":{"app":"web2"}}: field is immutable',
    ])
    expect((update(minimal.Deployment!, (o) => (spec(o).replicas = 3)).metadata as JsonObject).generation).toBe(2)
  })
})

describe('ReplicaSet', () => {
  const replicaSet = (edit: (spec: JsonObject) => void) => edited(minimal.ReplicaSet!, (o) => edit(spec(o)))

  it('defaults replicas and the pod template, and starts with no replicas', () => {
    const created = create(minimal.ReplicaSet!)
    expect(spec(created)).toEqual({
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: templatePodSpec },
    })
    expect(created.status).toEqual({ replicas: 0 })
  })

  it.each<[string, JsonObject, string[]]>([
    // Upstream's message says "deployment" for ReplicaSets too.
    [
      'an empty selector',
      replicaSet((s) => (s.selector = {})),
      ['spec.selector: Invalid value: {}: empty selector is invalid for deployment'],
    ],
    [
      'negative minReadySeconds',
      replicaSet((s) => (s.minReadySeconds = -5)),
      ['spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0'],
    ],
    [
      'pods with a deadline',
      replicaSet((s) => (at(s, 'template.spec').activeDeadlineSeconds = 60)),
      ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported'],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it('keeps its selector', () => {
    const errors = updateErrors(
      minimal.ReplicaSet!,
      (o) => (spec(o).selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }),
    )
    expect(errors).toEqual([
      'spec.selector: Invalid value: {"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"DoesNotExist"}]}: field is immutable',
    ])
  })
})

describe('DaemonSet', () => {
  const daemonSet = (edit: (spec: JsonObject) => void) => edited(minimal.DaemonSet!, (o) => edit(spec(o)))
  const rolling = (rollingUpdate: JsonObject) => daemonSet((s) => (s.updateStrategy = { type: 'RollingUpdate', rollingUpdate }))

  it('defaults a rolling update of one pod at a time, history and the pod template', () => {
    const created = create(minimal.DaemonSet!)
    expect(spec(created)).toEqual({
      selector: { matchLabels: { app: 'agent' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
      template: { metadata: { labels: { app: 'agent' } }, spec: templatePodSpec },
    })
    expect(created.status).toEqual({ currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 })
  })

  it.each<[string, JsonObject, string[]]>([
    // An absent selector is not Required here: it selects nothing, so the template does not match it.
    [
      'no selector',
      daemonSet((s) => delete s.selector),
      ['spec.template.metadata.labels: Invalid value: {"app":"agent"}: `selector` does not match template `labels`'],
    ],
    [
      'an empty selector',
      daemonSet((s) => (s.selector = {})),
      ['spec.selector: Invalid value: {}: empty selector is invalid for daemonset'],
    ],
    [
      'both maxSurge and maxUnavailable',
      rolling({ maxUnavailable: 1, maxSurge: 1 }),
      ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero'],
    ],
    [
      'neither maxSurge nor maxUnavailable',
      rolling({ maxUnavailable: '0%', maxSurge: 0 }),
      ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'],
    ],
    [
      'maxSurge above 100%',
      rolling({ maxUnavailable: 0, maxSurge: '101%' }),
      ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: "101%": must not be greater than 100%'],
    ],
    [
      'an unknown update strategy',
      daemonSet((s) => (s.updateStrategy = { type: 'Sometimes' })),
      ['spec.updateStrategy: Unsupported value: {"type":"Sometimes"}: supported values: "RollingUpdate", "OnDelete"'],
    ],
    [
      'pods with a deadline',
      daemonSet((s) => (at(s, 'template.spec').activeDeadlineSeconds = 60)),
      ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported'],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it('accepts OnDelete, and a surge instead of unavailability', () => {
    expect(spec(create(daemonSet((s) => (s.updateStrategy = { type: 'OnDelete' })))).updateStrategy).toEqual({ type: 'OnDelete' })
    expect(() => create(rolling({ maxUnavailable: 0, maxSurge: '10%' }))).not.toThrow()
  })
})

describe('StatefulSet', () => {
  const statefulSet = (edit: (spec: JsonObject) => void) => edited(minimal.StatefulSet!, (o) => edit(spec(o)))

  it('defaults ordered pod management, a rolling update from partition 0, claim retention, replicas and history', () => {
    const created = create(minimal.StatefulSet!)
    expect(spec(created)).toEqual({
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      replicas: 1,
      revisionHistoryLimit: 10,
      template: { metadata: { labels: { app: 'db' } }, spec: templatePodSpec },
    })
    expect(created.status).toEqual({ replicas: 0, availableReplicas: 0 })
  })

  it('adds no rollingUpdate to a strategy the user typed', () => {
    expect(spec(create(statefulSet((s) => (s.updateStrategy = { type: 'RollingUpdate' })))).updateStrategy).toEqual({
      type: 'RollingUpdate',
    })
  })

  it.each<[string, JsonObject, string[]]>([
    [
      'an unknown pod management policy',
      statefulSet((s) => (s.podManagementPolicy = 'Random')),
      ["spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"],
    ],
    [
      'rollingUpdate with OnDelete',
      statefulSet((s) => (s.updateStrategy = { type: 'OnDelete', rollingUpdate: { partition: 1 } })),
      ['spec.updateStrategy.rollingUpdate: Invalid value: {"partition":1}: only allowed for updateStrategy \'RollingUpdate\''],
    ],
    [
      'a negative partition',
      statefulSet((s) => (s.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: -1 } })),
      ['spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'an empty selector',
      statefulSet((s) => (s.selector = {})),
      ['spec.selector: Invalid value: {}: empty selector is invalid for statefulset'],
    ],
    [
      'an unknown retention policy',
      statefulSet((s) => (s.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Keep' })),
      ['spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"'],
    ],
    [
      'pods that do not restart',
      statefulSet((s) => (at(s, 'template.spec').restartPolicy = 'OnFailure')),
      ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it("does not validate the template's pod spec, as Kubernetes does not (its pods would fail to create)", () => {
    expect(() => create(statefulSet((s) => (at(s, 'template.spec').containers = [{ name: 'DB' }])))).not.toThrow()
  })

  it('allows updates of replicas and template only, and keeps its selector', () => {
    const forbidden =
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
    expect(spec(update(minimal.StatefulSet!, (o) => (spec(o).replicas = 3))).replicas).toBe(3)
    expect(updateErrors(minimal.StatefulSet!, (o) => (spec(o).serviceName = 'db-headless'))).toEqual([forbidden])
    expect(updateErrors(minimal.StatefulSet!, (o) => (spec(o).selector = { matchLabels: { app: 'db', tier: 'x' } }))).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"db"}: `selector` does not match template `labels`',
      forbidden,
      'spec.selector: Invalid value: {"matchLabels":{"app":"db","tier":"x"}}: field is immutable',
    ])
  })
})

describe('ControllerRevision', () => {
  it('stores its data and revision', () => {
    expect(create(minimal.ControllerRevision!)).toMatchObject({ data: { spec: { template: {} } }, revision: 1 })
  })

  it.each<[string, JsonObject, string[]]>([
    ['no data', edited(minimal.ControllerRevision!, (o) => delete o.data), ['data: Required value: data is mandatory']],
    [
      'a negative revision',
      edited(minimal.ControllerRevision!, (o) => (o.revision = -1)),
      ['revision: Invalid value: -1: must be greater than or equal to 0'],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it('keeps its data', () => {
    expect(updateErrors(minimal.ControllerRevision!, (o) => (o.data = { spec: {} }))).toEqual([
      'data: Invalid value: {"spec":{}}: field is immutable',
    ])
  })
})
