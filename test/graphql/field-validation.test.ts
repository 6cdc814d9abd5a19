import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decode } from '../../services/resources/schema/decode.js'
import { kindShape } from '../../services/resources/schema/shapes.js'
import { backend } from '../support/store.js'
import { startTestServer, type TestServer } from '../support/graphql.js'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

const deployment = (name: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...podSpec } },
    ...spec,
  },
})

const CREATE = `mutation($o: JSON!, $v: FieldValidation) { create(object: $o, fieldValidation: $v) { raw } }`
const CREATE_DEFAULT = `mutation($o: JSON!) { create(object: $o) { raw } }`

async function stored(kind: string, name: string) {
  const result = await t.gql(`query($k: String!, $n: String!) { object(kind: $k, namespace: "default", name: $n) { raw } }`, {
    k: kind,
    n: name,
  })
  expect(result.errors).toBeUndefined()
  return result.data!.object?.raw as Record<string, any> | undefined
}

/** The one error of an operation, which must have stored nothing named `name`. */
async function refused(kind: string, name: string, query: string, variables: Record<string, unknown>) {
  const result = await t.gql(query, variables)
  expect(result.errors).toHaveLength(1)
  expect(await stored(kind, name)).toBeUndefined()
  return result.errors![0]!
}

describe(`every write is decoded against its kind's schema (${backend})`, () => {
  it('drops an unknown field with a warning by default (WARN), as Kubernetes does', async () => {
    const result = await t.gql(CREATE_DEFAULT, { o: deployment('warned', { replica: 3 }) })
    expect(result.errors).toBeUndefined()
    expect(result.extensions?.warnings).toEqual(['unknown field "spec.replica"'])
    expect(result.data!.create.raw.spec).not.toHaveProperty('replica')
    expect((await stored('Deployment', 'warned'))!.spec).not.toHaveProperty('replica')
  })

  it('drops an unknown field silently with IGNORE', async () => {
    const result = await t.gql(CREATE, { o: deployment('ignored', { replica: 3 }), v: 'IGNORE' })
    expect(result.errors).toBeUndefined()
    expect(result.extensions?.warnings).toBeUndefined()
    expect((await stored('Deployment', 'ignored'))!.spec).not.toHaveProperty('replica')
  })

  it('refuses unknown fields with STRICT, naming each as Kubernetes does', async () => {
    const one = await refused('Deployment', 'strict', CREATE, { o: deployment('strict', { replica: 3 }), v: 'STRICT' })
    expect(one.message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"',
    )
    expect(one.extensions).toMatchObject({ code: 'BAD_REQUEST', reason: 'BadRequest', status: 400 })
    const two = await refused('Deployment', 'strict', CREATE, {
      o: deployment('strict', { replica: 3 }, { containers: [{ name: 'app', image: 'nginx', imagePullPolicyy: 'Always' }] }),
      v: 'STRICT',
    })
    expect(two.message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy", unknown field "spec.replica"',
    )
  })

  it('decodes apply, replace and the result of a patch the same way', async () => {
    const manifest = (replicas: number) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied, namespace: default}\ndata: {mode: fast}\nbinaryDat: {}\n# ${replicas}\n`
    const applied = await t.gql(`mutation($m: String!) { apply(manifest: $m) { raw } }`, { m: manifest(1) })
    expect(applied.errors).toBeUndefined()
    expect(applied.extensions?.warnings).toEqual(['unknown field "binaryDat"'])
    const strictApply = await t.gql(
      `mutation($m: String!) { applyEach(manifest: $m, fieldValidation: STRICT) { action error { reason message } } }`,
      { m: manifest(2) },
    )
    expect(strictApply.data!.applyEach[0]).toEqual({
      action: 'failed',
      error: {
        reason: 'BadRequest',
        message: 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "binaryDat"',
      },
    })

    const current = (await stored('ConfigMap', 'applied'))!
    const replaced = await t.gql(`mutation($o: JSON!) { replace(object: $o, fieldValidation: STRICT) { raw } }`, {
      o: { ...current, immutablee: true },
    })
    expect(replaced.errors![0]!.message).toContain('strict decoding error: unknown field "immutablee"')

    const PATCH = `mutation($p: JSON!, $t: PatchType, $v: FieldValidation) { patch(kind: "ConfigMap", namespace: "default", name: "applied", patch: $p, type: $t, fieldValidation: $v) { raw } }`
    const strictPatch = await t.gql(PATCH, { p: { dat: { a: 'b' } }, t: 'MERGE', v: 'STRICT' })
    expect(strictPatch.errors![0]!.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dat"',
    )
    const wrongType = await t.gql(PATCH, { p: [{ op: 'add', path: '/data/n', value: 1 }], t: 'JSON' })
    expect(wrongType.errors![0]!.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
    )
    const warned = await t.gql(PATCH, { p: { dat: { a: 'b' }, data: { extra: 'yes' } } })
    expect(warned.extensions?.warnings).toEqual(['unknown field "dat"'])
    expect((await stored('ConfigMap', 'applied'))!).toMatchObject({ data: { mode: 'fast', extra: 'yes' } })
    expect((await stored('ConfigMap', 'applied'))!).not.toHaveProperty('dat')
  })

  it("refuses wrong types and out-of-range integers with Kubernetes' decode errors, whatever fieldValidation says", async () => {
    const cases: Array<[string, Record<string, any>, string]> = [
      [
        'ConfigMap',
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad', namespace: 'default' }, data: { a: 1 } },
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
      ],
      [
        'Deployment',
        deployment('bad', { paused: 'yes' }),
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool',
      ],
      [
        'Secret',
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bad', namespace: 'default' }, immutable: 'notabool' },
        'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal string into Go struct field Secret.immutable of type bool',
      ],
      [
        'Deployment',
        deployment(
          'bad',
          {},
          {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
              },
            },
          },
        ),
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal array into Go struct field NodeAffinity.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution of type v1.NodeSelector',
      ],
      [
        'Deployment',
        deployment('bad', { replicas: 2147483648 }),
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32',
      ],
      [
        'Deployment',
        deployment('bad', { replicas: 1e300 }),
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 1e300 into Go struct field DeploymentSpec.spec.replicas of type int32',
      ],
      [
        'Deployment',
        deployment('bad', { replicas: 1.5 }),
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32',
      ],
    ]
    for (const [kind, object, message] of cases) {
      for (const v of ['IGNORE', 'WARN', 'STRICT']) {
        const error = await refused(kind, 'bad', CREATE, { o: object, v })
        expect({ v, message: error.message }).toEqual({ v, message })
        expect(error.extensions).toMatchObject({ code: 'BAD_REQUEST', reason: 'BadRequest', status: 400 })
      }
    }
    // Nor through an update or a patch of an object that exists.
    expect((await t.gql(CREATE, { o: deployment('typed') })).errors).toBeUndefined()
    const patch = await t.gql(
      `mutation { patch(kind: "deploy", namespace: "default", name: "typed", patch: {spec: {replicas: 2147483648}}, type: MERGE) { raw } }`,
    )
    expect(patch.errors![0]!.message).toContain(
      'cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32',
    )
    const replace = await t.gql(`mutation($o: JSON!) { replace(object: $o) { raw } }`, { o: deployment('typed', { replicas: 1e300 }) })
    expect(replace.errors![0]!.message).toContain('cannot unmarshal number 1e300')
    expect((await stored('Deployment', 'typed'))!.spec.replicas).toBe(1)
  })

  it('keeps every typed read working: nothing out of range was stored', async () => {
    const result = await t.gql(
      `{ objects(kind: "deployments", namespace: "default") { edges { node { metadata { name } ... on Deployment { replicas images } } } } }`,
    )
    expect(result.errors).toBeUndefined()
    const names = result.data!.objects.edges.map((e: any) => e.node.metadata.name).sort()
    expect(names).toEqual(['ignored', 'typed', 'warned'])
    expect(result.data!.objects.edges.every((e: any) => e.node.replicas === 1)).toBe(true)
  })

  it('never stores an unknown field', async () => {
    for (const kind of ['Deployment', 'ConfigMap']) {
      const result = await t.gql(`query($k: String!) { objects(kind: $k, namespace: "default") { edges { node { raw } } } }`, { k: kind })
      const objects = result.data!.objects.edges.map((e: any) => e.node.raw)
      expect(objects.length).toBeGreaterThan(0)
      for (const object of objects)
        expect(decode(kindShape(object.apiVersion.includes('/') ? 'apps' : '', 'v1', kind)!, object).unknownFields).toEqual([])
    }
  })
})
