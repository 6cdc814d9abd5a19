import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyMergePatch } from '../../../services/resources/patch/merge-patch.js'
import { listStrategy } from '../../../services/resources/patch/strategic-merge-keys.js'
import { applyStrategicMergePatch } from '../../../services/resources/patch/strategic-merge-patch.js'
import { builtinKinds, registry } from '../../../services/resources/registry.js'
import { deepFreeze, frozen } from './deep-freeze.js'

const podTemplatePaths: [string, string][] = [
  ['Pod', 'spec'],
  ['ReplicationController', 'spec.template.spec'],
  ['Deployment', 'spec.template.spec'],
  ['ReplicaSet', 'spec.template.spec'],
  ['StatefulSet', 'spec.template.spec'],
  ['DaemonSet', 'spec.template.spec'],
  ['Job', 'spec.template.spec'],
  ['CronJob', 'spec.jobTemplate.spec.template.spec'],
]

/** Builds `{a: {b: value}}` from `a.b`. */
function nest(path: string, value: unknown): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>
}

/** The key a list at `path` of a `kind` merges by, or undefined when it does not merge by key. */
function keyOf(kind: string, path: string): string | undefined {
  const strategy = listStrategy(registry.get(kind)?.mergeKeys, path)
  return strategy.kind === 'merge' ? strategy.key : undefined
}

/** The kinds whose status has conditions with `patchMergeKey:"type"` in k8s.io/api. */
const withConditions = [
  'Namespace',
  'Node',
  'Pod',
  'Service',
  'ReplicationController',
  'PersistentVolumeClaim',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'HorizontalPodAutoscaler',
]

describe('merge keys', () => {
  it.each(podTemplatePaths)('cover the pod spec lists of a %s at %s', (kind, spec) => {
    for (const containers of ['containers', 'initContainers', 'ephemeralContainers']) {
      expect(keyOf(kind, `${spec}.${containers}`)).toBe('name')
      expect(keyOf(kind, `${spec}.${containers}.env`)).toBe('name')
      expect(keyOf(kind, `${spec}.${containers}.ports`)).toBe('containerPort')
      expect(keyOf(kind, `${spec}.${containers}.volumeMounts`)).toBe('mountPath')
      expect(keyOf(kind, `${spec}.${containers}.envFrom`)).toBeUndefined()
    }
    expect(keyOf(kind, `${spec}.volumes`)).toBe('name')
    expect(keyOf(kind, `${spec}.imagePullSecrets`)).toBe('name')
    expect(keyOf(kind, `${spec}.tolerations`)).toBeUndefined()
  })

  it('cover owner references, conditions, Service ports and merged finalizers', () => {
    expect(keyOf('ConfigMap', 'metadata.ownerReferences')).toBe('uid')
    expect(keyOf('Deployment', 'status.conditions')).toBe('type')
    expect(keyOf('Service', 'spec.ports')).toBe('port')
    expect(listStrategy(undefined, 'metadata.finalizers')).toEqual({ kind: 'set' })
    expect(listStrategy(registry.get('Deployment')?.mergeKeys, 'spec.template.metadata.finalizers')).toEqual({ kind: 'set' })
    expect(listStrategy(registry.get('Node')?.mergeKeys, 'spec.podCIDRs')).toEqual({ kind: 'set' })
  })

  it('name status conditions exactly for the kinds whose status has them', () => {
    const named = builtinKinds.filter((k) => k.mergeKeys?.lists?.['status.conditions'] === 'type').map((k) => k.kind)
    expect(named.sort()).toEqual([...withConditions].sort())
  })

  it.each(podTemplatePaths)('merges the containers of a %s by name', (kind, spec) => {
    const target = nest(`${spec}.containers`, [
      { name: 'a', image: 'a:1' },
      { name: 'b', image: 'b:1' },
    ])
    const patch = nest(`${spec}.containers`, [{ name: 'b', image: 'b:2' }])
    const expected = nest(`${spec}.containers`, [
      { name: 'a', image: 'a:1' },
      { name: 'b', image: 'b:2' },
    ])
    expect(applyStrategicMergePatch(frozen(target), frozen(patch), kind)).toEqual(expected)
  })

  it('applies a pod template path only to the kinds whose template sits there', () => {
    const target = nest('spec.template.spec.containers', [{ name: 'a' }])
    const patch = nest('spec.template.spec.containers', [{ name: 'b' }])
    expect(applyStrategicMergePatch(frozen(target), frozen(patch), 'CronJob')).toEqual(patch)
  })

  it('merges owner references by uid for every kind, and conditions by type for the kinds that have them', () => {
    const target = {
      metadata: {
        ownerReferences: [
          { uid: '1', name: 'rs-1' },
          { uid: '2', name: 'rs-2' },
        ],
      },
      status: {
        conditions: [
          { type: 'Available', status: 'False' },
          { type: 'Progressing', status: 'True' },
        ],
      },
    }
    const patch = {
      metadata: { ownerReferences: [{ uid: '2', controller: true }] },
      status: { conditions: [{ type: 'Available', status: 'True' }] },
    }
    for (const { kind } of builtinKinds) {
      expect(applyStrategicMergePatch(frozen(target), frozen(patch), kind)).toEqual({
        metadata: {
          ownerReferences: [
            { uid: '1', name: 'rs-1' },
            { uid: '2', name: 'rs-2', controller: true },
          ],
        },
        status: {
          conditions: withConditions.includes(kind)
            ? [
                { type: 'Available', status: 'True' },
                { type: 'Progressing', status: 'True' },
              ]
            : [{ type: 'Available', status: 'True' }],
        },
      })
    }
  })
})

describe('applyStrategicMergePatch for a kind it has no schema for', () => {
  const widget = {
    metadata: { ownerReferences: [{ uid: '1', name: 'a' }], finalizers: ['x'] },
    spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } }, labels: { keep: 'me', drop: 'me' } },
  }

  it('replaces lists, even where a built-in kind would merge them', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'b', image: 'new' }] } } } }
    expect(applyStrategicMergePatch(frozen(widget), frozen(patch), 'Widget')).toEqual({
      ...widget,
      spec: { ...widget.spec, template: { spec: { containers: [{ name: 'b', image: 'new' }] } } },
    })
  })

  it('still merges ObjectMeta lists, which every kind shares (new items first, as in Kubernetes)', () => {
    const patch = { metadata: { ownerReferences: [{ uid: '2', name: 'b' }], finalizers: ['y'] } }
    expect(applyStrategicMergePatch(frozen(widget), frozen(patch), 'Widget')).toMatchObject({
      metadata: {
        ownerReferences: [
          { uid: '2', name: 'b' },
          { uid: '1', name: 'a' },
        ],
        finalizers: ['y', 'x'],
      },
    })
  })

  it('honours the directives', () => {
    const patch = { spec: { labels: { $retainKeys: ['keep'] }, template: { $patch: 'delete' } } }
    expect(applyStrategicMergePatch(frozen(widget), frozen(patch), 'Widget')).toEqual({
      ...widget,
      spec: { template: {}, labels: { keep: 'me' } },
    })
  })

  /** JSON without nulls and without `$` keys, so no member is a deletion or a directive. */
  const key = fc.constantFrom('a', 'b', 'c', 'spec', 'items')
  const { json } = fc.letrec<{ json: unknown }>((tie) => ({
    json: fc.oneof(
      { depthSize: 'small' },
      fc.string({ maxLength: 2 }),
      fc.integer(),
      fc.array(tie('json'), { maxLength: 3 }),
      fc.dictionary(key, tie('json'), { maxKeys: 3 }),
    ),
  }))
  const object = fc.dictionary(key, json, { maxKeys: 4 })

  it('behaves exactly like a JSON merge patch when the patch has no directives', () => {
    fc.assert(
      fc.property(object, object, (target, patch) => {
        deepFreeze([target, patch])
        expect(applyStrategicMergePatch(target, patch, 'Widget')).toEqual(applyMergePatch(target, patch))
      }),
    )
  })

  it('never modifies its inputs, for any kind', () => {
    fc.assert(
      fc.property(object, object, fc.constantFrom('Pod', 'Deployment', 'Widget'), (target, patch, kind) => {
        deepFreeze([target, patch])
        applyStrategicMergePatch(target, patch, kind)
      }),
    )
  })
})

describe('applyStrategicMergePatch on random container lists', () => {
  type Container = { name: string; image?: string; $patch?: 'delete' }
  const name: fc.Arbitrary<string> = fc.constantFrom('a', 'b', 'c', 'd')
  const containers = fc.uniqueArray(fc.record({ name, image: fc.constantFrom('1', '2') }), {
    selector: (c) => c.name,
    maxLength: 4,
  })
  const patchItems = fc.uniqueArray(
    fc.oneof(
      fc.record({ name, image: fc.constantFrom('3', '4') }),
      fc.record({ name }),
      fc.record({ name, $patch: fc.constant('delete' as const) }),
    ),
    { selector: (c) => c.name, maxLength: 4 },
  )

  it('keeps one container per name, with the patch applied to it', () => {
    fc.assert(
      fc.property(containers, patchItems, (current, patch: Container[]) => {
        const target = deepFreeze({ spec: { containers: current } })
        const result = applyStrategicMergePatch(target, deepFreeze({ spec: { containers: patch } }), 'Pod')
        const merged = (result as { spec: { containers: Container[] } }).spec.containers
        const deleted = new Set(patch.filter((c) => c.$patch === 'delete').map((c) => c.name))
        const expected = new Map(current.filter((c) => !deleted.has(c.name)).map((c) => [c.name, c as Container]))
        for (const item of patch) {
          if (item.$patch !== 'delete') expected.set(item.name, { ...expected.get(item.name), ...item })
        }
        expect(merged.map((c) => c.name).sort()).toEqual([...expected.keys()].sort())
        for (const container of merged) expect(container).toEqual(expected.get(container.name))
      }),
    )
  })
})
