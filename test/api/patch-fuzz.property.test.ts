import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi, type PatchType } from '../../services/api/resource-api.js'
import { StatusError } from '../../services/errors.js'
import { jsonSize } from '../../services/resources/json-size.js'
import { applyJsonPatch } from '../../services/resources/patch/json-patch.js'
import { applyMergePatch } from '../../services/resources/patch/merge-patch.js'
import { applyStrategicMergePatch } from '../../services/resources/patch/strategic-merge-patch.js'
import { openTestStore, type TestStore } from '../support/store.js'

/**
 * Any JSON thrown at the patch functions, as a merge, strategic merge or JSON patch, ends in a
 * result or in a StatusError with a 4xx code — never in another exception (which the API would
 * answer with a 500 and log) — and a result through the API is never larger than the object limit.
 */

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'fuzz', labels: { app: 'web' }, finalizers: ['example.com/keep'] },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'app:1',
        args: ['--port', '8080'],
        env: [
          { name: 'DB_PASSWORD', value: 'hunter2' },
          { name: 'MODE', value: 'prod' },
        ],
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
      },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
  },
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'fuzz' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'api' } },
    template: {
      metadata: { labels: { app: 'api' } },
      spec: { containers: [{ name: 'api', image: 'api:1', env: [{ name: 'TOKEN', value: 's3cret' }] }] },
    },
  },
}

const fieldNames = ['metadata', 'spec', 'template', 'containers', 'initContainers', 'env', 'name', 'value', 'image']
const moreFieldNames = ['labels', 'annotations', 'finalizers', 'replicas', 'selector', 'matchLabels', 'ports', 'args']
const directiveNames = [
  '$patch',
  '$retainKeys',
  '$setElementOrder/containers',
  '$setElementOrder/env',
  '$setElementOrder/finalizers',
  '$deleteFromPrimitiveList/finalizers',
  '$deleteFromPrimitiveList/args',
  '$setElementOrder',
  '$deleteFromPrimitiveList',
]
const key = fc.oneof(
  fc.constantFrom(...fieldNames, ...moreFieldNames, 'containerPort', 'volumes', 'status', 'app'),
  fc.constantFrom(...directiveNames),
  fc.string({ maxLength: 6 }),
)
const scalar = fc.oneof(
  fc.constantFrom('replace', 'delete', 'merge', 'bogus', 'app', 'api', 'web', 'DB_PASSWORD'),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
)
/** JSON shaped like what a patch holds: the kinds' field names and the directives as keys. */
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  ),
}))
/** A value placed where it matters: under spec, the pod template, a container, metadata. */
const placed = fc.oneof(
  value.map((v) => ({ spec: { containers: v } })),
  value.map((v) => ({ spec: { containers: [{ name: 'app', env: v }] } })),
  value.map((v) => ({ spec: { template: { spec: { containers: v } } } })),
  value.map((v) => ({ metadata: v })),
  value.map((v) => ({ spec: v })),
)
const mapPatch = fc.oneof(fc.jsonValue(), value, placed)

const pointers = [
  '',
  '/',
  '/metadata',
  '/metadata/annotations',
  '/metadata/annotations/a',
  '/metadata/labels/app',
  '/metadata/finalizers/-',
  '/spec/containers/0',
  '/spec/containers/-',
  '/spec/containers/0/env',
  '/spec/containers/0/env/0/value',
  '/spec/template/spec/containers/0',
  '/spec/replicas',
]
const pointer = fc.oneof(fc.constantFrom(...pointers), fc.string({ maxLength: 12 }))
const operation = fc.record(
  {
    op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'), scalar),
    path: fc.oneof(pointer, scalar),
    from: pointer,
    value,
  },
  { requiredKeys: ['op'] },
)
const jsonPatch = fc.oneof(fc.array(operation, { maxLength: 8 }), fc.jsonValue(), value)

/** A StatusError a client can act on, or the thrown value itself so a failure shows it. */
function expectClientError(error: unknown): void {
  if (!(error instanceof StatusError)) throw error
  expect(error.code, error.message).toBeGreaterThanOrEqual(400)
  expect(error.code, error.message).toBeLessThan(500)
}

function outcome(attempt: () => unknown): unknown {
  try {
    return attempt()
  } catch (error) {
    expectClientError(error)
    return undefined
  }
}

describe('patch functions: any JSON gives a result or a client error', () => {
  it.each([pod, deployment])('strategic merge and merge patches of a $kind', (object) => {
    fc.assert(
      fc.property(mapPatch, (patch) => {
        const strategic = outcome(() => applyStrategicMergePatch(object, patch, object.kind))
        if (strategic !== undefined) expect(jsonSize(strategic)).toBeLessThanOrEqual(jsonSize(object) + jsonSize(patch))
        const merged = outcome(() => applyMergePatch(object, patch))
        expect(jsonSize(merged)).toBeLessThanOrEqual(jsonSize(object) + jsonSize(patch))
      }),
      { numRuns: 1500 },
    )
  })

  it.each([pod, deployment])('JSON patches of a $kind, copies within their budget', (object) => {
    const maxCopyBytes = 2048
    fc.assert(
      fc.property(jsonPatch, (patch) => {
        const result = outcome(() => applyJsonPatch(object, patch, { maxCopyBytes }))
        if (result !== undefined) expect(jsonSize(result)).toBeLessThanOrEqual(jsonSize(object) + jsonSize(patch) + maxCopyBytes)
      }),
      { numRuns: 1500 },
    )
  })
})

describe('patch through the API: any JSON gives an object within the limit or a client error', () => {
  const objectBytes = 4096
  let t: TestStore
  let api: ResourceApi
  beforeAll(async () => {
    t = await openTestStore()
    api = new ResourceApi({ store: t.store, objectBytes })
    await bootstrapNamespaces(api)
    await api.create({ actor: 'fuzz' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fuzz' } })
    for (const object of [pod, deployment]) await api.create({ actor: 'fuzz' }, structuredClone(object))
  })
  afterAll(() => t?.cleanup())

  const cases: [PatchType, fc.Arbitrary<unknown>][] = [
    ['strategic', mapPatch],
    ['merge', mapPatch],
    ['json', jsonPatch],
  ]
  it.each(cases)('a %s patch, dry run', async (type, patches) => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(pod, deployment), patches, async (object, patch) => {
        const ctx = { actor: 'fuzz', dryRun: true }
        const result = await api.patch(ctx, object.kind, 'fuzz', object.metadata.name, patch, type).catch((error) => {
          expectClientError(error)
          return undefined
        })
        if (result !== undefined) expect(jsonSize(result)).toBeLessThanOrEqual(objectBytes)
      }),
      { numRuns: 300 },
    )
  })
})
