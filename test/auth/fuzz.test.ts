import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'

/**
 * The request surface under fuzzing: GraphQL documents, manifests and selectors built from hostile
 * strings (SQL, shell, path, markup and JSON injection, control characters, Unicode). Whatever comes
 * in, the answer is data or a client error — never an unexpected one — nobody writes without
 * authorization, and what is stored is what the API returned.
 */
let s: SecureServer

beforeAll(async () => {
  s = await startSecureServer({ viewer: [] })
  await s.bind('viewer', 'ClusterRole', 'view')
})

afterAll(async () => s?.close())

const hostile = fc.oneof(
  fc.constantFrom(
    "'; drop table events; --",
    '" or 1=1 --',
    '$(rm -rf /)',
    '`id`',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '{"$sealed": {"key": "x"}}',
    '\u0000\u0001\u001f',
    '\\',
    '%00',
    'a'.repeat(300),
    'ä-ü-ß-日本',
    'app in (a,b',
    'app!=',
    '!',
    'x,y',
    '',
    ' ',
    'default',
    'kube-system',
  ),
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/),
)

/**
 * A client error is what a bad request may get: a 4xx with a code naming the problem (BAD_REQUEST,
 * INVALID, FORBIDDEN, GRAPHQL_PARSE_FAILED, OPERATION_RESOLUTION_FAILURE, …). An unexpected error
 * is masked as INTERNAL_SERVER_ERROR (or comes without a code, or as a 5xx): that fails the test.
 */
function expectNoUnexpectedError(
  result: { status: number; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> },
  what: string,
): void {
  expect(result.status, what).toBeLessThan(500)
  for (const error of result.errors ?? []) {
    const code = error.extensions?.code
    expect(typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR', `${what}: ${error.message} (${String(code)})`).toBe(true)
  }
}

/** Fixed seeds: CI runs the same cases every time (change them to explore further). */
const seeded = (seed: number, numRuns: number) => ({ seed, numRuns })

const head = async () => (await s.admin('{ revision { revision } }')).revision.revision as string

describe('fuzzing the request surface', () => {
  it('manifests with hostile names, labels and data: client errors only; stored = returned; the viewer writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, hostile, hostile, hostile, async (name, labelKey, labelValue, value) => {
        const object = {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace: 'default', labels: { [labelKey]: labelValue } },
          data: { [labelKey || 'k']: value },
        }
        const before = await head()
        const asViewer = await s.gql(s.tokens.viewer, 'mutation($o: JSON!) { create(object: $o) { raw } }', { o: object })
        expectNoUnexpectedError(asViewer, 'viewer create')
        expect(asViewer.data ?? null).toBeNull()
        const applied = await s.gql(s.tokens.viewer, 'mutation($m: String!) { apply(manifest: $m) { revision } }', {
          m: JSON.stringify(object),
        })
        expectNoUnexpectedError(applied, 'viewer apply')
        expect(await head()).toBe(before)

        const asAdmin = await s.gql(s.tokens.admin, 'mutation($o: JSON!) { create(object: $o) { raw } }', { o: object })
        expectNoUnexpectedError(asAdmin, 'admin create')
        if (asAdmin.data?.create) {
          const stored = await s.gql(
            s.tokens.admin,
            'query($n: String!) { object(kind: "ConfigMap", namespace: "default", name: $n) { raw } }',
            { n: name },
          )
          expect(stored.data!.object.raw).toEqual(asAdmin.data.create.raw)
          await s.gql(s.tokens.admin, 'mutation($n: String!) { delete(kind: "ConfigMap", namespace: "default", name: $n) { revision } }', {
            n: name,
          })
        }
      }),
      seeded(20261126, 60),
    )
  })

  it('selectors, kinds, names and revisions from hostile strings: client errors only', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, hostile, hostile, hostile, async (labelSelector, fieldSelector, kind, revision) => {
        for (const token of [s.tokens.admin, s.tokens.viewer]) {
          const list = await s.gql(
            token,
            'query($l: String, $f: String) { objects(kind: "pods", namespace: "default", labelSelector: $l, fieldSelector: $f) { revision } }',
            { l: labelSelector, f: fieldSelector },
          )
          expectNoUnexpectedError(list, `list l=${JSON.stringify(labelSelector)} f=${JSON.stringify(fieldSelector)}`)
          const byKind = await s.gql(
            token,
            'query($k: String!, $n: String!) { object(kind: $k, name: $n) { revision } history(kind: $k, name: $n) { revision } }',
            { k: kind, n: labelSelector },
          )
          expectNoUnexpectedError(byKind, `kind ${JSON.stringify(kind)}`)
          const at = await s.gql(token, 'query($r: Revision) { objects(kind: "configmaps", at: {revision: $r}) { revision } }', {
            r: revision,
          })
          expectNoUnexpectedError(at, `at ${JSON.stringify(revision)}`)
          const log = await s.gql(token, 'query($a: String, $k: String) { log(actor: $a, kind: $k) { revision } }', {
            a: labelSelector,
            k: kind || null,
          })
          expectNoUnexpectedError(log, `log actor ${JSON.stringify(labelSelector)}`)
        }
      }),
      seeded(20261127, 40),
    )
  })

  it('refuses the NUL character, which PostgreSQL cannot store, as a bad request (found by this fuzzer)', async () => {
    const viaVariable = await s.gql(s.tokens.admin, 'query($a: String) { log(actor: $a) { revision } }', { a: '\u0000' })
    expect(viaVariable.errors![0]).toMatchObject({
      message: 'strings may not contain the NUL character (\\u0000): it cannot be stored',
      extensions: { code: 'BAD_REQUEST' },
    })
    const viaLiteral = await s.gql(s.tokens.admin, '{ object(kind: "pods", name: "a\\u0000b") { revision } }')
    expect(viaLiteral.errors![0]!.extensions?.code).toBe('BAD_REQUEST')
    const inManifest = await s.gql(s.tokens.admin, 'mutation($o: JSON!) { create(object: $o) { revision } }', {
      o: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nul', namespace: 'default' }, data: { k: 'a\u0000b' } },
    })
    expect(inManifest.errors![0]!.extensions?.code).toBe('BAD_REQUEST')
  })

  it('arbitrary GraphQL documents: parse and validation errors, never a crash', async () => {
    const fragments = [
      '{',
      '}',
      'query',
      'mutation',
      'subscription',
      'objects(kind: "pods")',
      'revision',
      '{ revision { revision } }',
      '...on Pod',
      '$x',
      '(',
      ')',
      ':',
      '"',
      '#',
      'edges { node { raw } }',
      '__schema { types { name } }',
    ]
    const documents = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.constantFrom(...fragments), { maxLength: 12 }).map((parts) => parts.join(' ')),
    )
    await fc.assert(
      fc.asyncProperty(documents, async (query) => {
        const result = await s.gql(s.tokens.viewer, query)
        expectNoUnexpectedError(result, `document ${JSON.stringify(query)}`)
      }),
      seeded(20261128, 200),
    )
  })
})
