import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import { StatusError } from '../../services/errors.js'
import type { JsonObject } from '../../services/json.js'
import { backend, openTestStore, type TestStore } from '../support/store.js'

let t: TestStore
let api: ResourceApi
const ctx = { actor: 'mallory' }
let head: number
beforeAll(async () => {
  t = await openTestStore()
  api = new ResourceApi({ store: t.store })
  await bootstrapNamespaces(api)
  head = (await t.store.head()).revision
})
afterAll(async () => {
  // Nothing any of these requests sent was written.
  expect((await t.store.head()).revision).toBe(head)
  await t.cleanup()
})

/** The first error an apply of `input` reports (thrown, or the first failed document). */
async function applyError(input: string | Uint8Array): Promise<StatusError> {
  try {
    const results = await api.apply(ctx, input)
    const failed = results.find((r) => r.action === 'failed')
    if (failed && failed.action === 'failed') return failed.error
  } catch (error) {
    if (error instanceof StatusError) return error
    throw error
  }
  throw new Error('the manifest was accepted')
}

const nested = (depth: number): JsonObject => {
  let value: JsonObject = { leaf: true }
  for (let i = 0; i < depth; i++) value = { child: value }
  return value
}

describe(`malformed manifests are refused with a named problem and nothing written (${backend})`, () => {
  const cases: Array<[string, string | Uint8Array, string, RegExp]> = [
    [
      'a wrong type',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: three\n',
      'BadRequest',
      /cannot unmarshal string into Go struct field DeploymentSpec\.spec\.replicas of type int32/,
    ],
    [
      'an unknown kind',
      'apiVersion: v1\nkind: Widget\nmetadata: {name: w}\n',
      'BadRequest',
      /no matches for kind "Widget" in version "v1"/,
    ],
    [
      'an unknown apiVersion',
      'apiVersion: apps/v7\nkind: Deployment\nmetadata: {name: w}\n',
      'BadRequest',
      /no matches for kind "Deployment" in version "apps\/v7"/,
    ],
    ['a missing kind', 'apiVersion: v1\nmetadata: {name: w}\n', 'BadRequest', /kind/i],
    ['a missing name', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: default}\n', 'BadRequest', /metadata.name is required/],
    [
      'a missing required field',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n',
      'Invalid',
      /spec.containers: Required value/,
    ],
    ['invalid YAML', 'apiVersion: v1\nkind: [ConfigMap\n', 'BadRequest', /line \d+/],
    ['invalid UTF-8', new Uint8Array([0x6b, 0x69, 0x6e, 0x64, 0x3a, 0x20, 0xff, 0xfe]), 'BadRequest', /UTF-8/],
    [
      'a YAML alias bomb',
      [
        'a: &a ["x","x","x","x","x","x","x","x","x"]',
        ...Array.from(
          { length: 8 },
          (_, i) =>
            `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
        ),
      ].join('\n'),
      'BadRequest',
      /alias/i,
    ],
    [
      'an oversized manifest',
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  blob: "${'x'.repeat(3.5 * 1024 * 1024)}"\n`,
      'RequestEntityTooLarge',
      /large|limit/i,
    ],
    [
      'deeply nested JSON',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'deep' }, data: nested(500) }),
      'BadRequest',
      /deep|nest/i,
    ],
  ]
  for (const [what, input, reason, message] of cases) {
    it(`refuses ${what}`, async () => {
      const error = await applyError(input)
      expect(error.reason).toBe(reason)
      expect(error.message).toMatch(message)
    })
  }

  it('refuses an object over 1.5 MiB that fits in a request', async () => {
    const error = await api
      .create(ctx, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'fat' },
        data: { blob: 'x'.repeat(1_000_000), more: 'y'.repeat(600_000) },
      })
      .then(
        () => undefined,
        (e: StatusError) => e,
      )
    expect(error?.reason).toMatch(/Invalid|RequestEntityTooLarge/)
  })

  it('refuses a deeply nested object sent directly', async () => {
    const error = await api.create(ctx, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'deep' }, data: nested(1000) }).then(
      () => undefined,
      (e: StatusError) => e,
    )
    expect([error?.reason, error?.message]).toEqual(['BadRequest', 'the object nests deeper than 100 levels'])
  })
})
