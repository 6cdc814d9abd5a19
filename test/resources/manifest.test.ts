import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { StatusError } from '../../services/errors.js'
import { decodeManifests, type DecodeOptions } from '../../services/resources/manifest.js'

const objects = (input: string | Uint8Array, options?: DecodeOptions) => decodeManifests(input, options).map((m) => m.object)
/** The single object of a YAML manifest whose body (after apiVersion and kind) is `body`. */
const decodeBody = (body: string) => objects(`apiVersion: v1\nkind: ConfigMap\n${body}`)[0]

function decodeError(input: string | Uint8Array, options?: DecodeOptions): StatusError {
  try {
    decodeManifests(input, options)
  } catch (error) {
    if (error instanceof StatusError) return error
    throw error
  }
  throw new Error(`expected ${JSON.stringify(String(input).slice(0, 80))} to be rejected`)
}

function expectPlainJson(value: unknown): void {
  if (value === null || ['string', 'boolean'].includes(typeof value)) return
  if (typeof value === 'number') return void expect(Number.isFinite(value)).toBe(true)
  if (Array.isArray(value)) return value.forEach(expectPlainJson)
  expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
  Object.values(value as object).forEach(expectPlainJson)
}

describe('decodeManifests: YAML documents', () => {
  it('decodes a manifest kept in a repository, with anchors, aliases, merge keys and an empty document', () => {
    const manifests = decodeManifests(readFileSync(new URL('./fixtures/web-app.yaml', import.meta.url)))
    expect(manifests.map((m) => [m.object.kind, m.index])).toEqual([
      ['ConfigMap', 0],
      ['Deployment', 2],
      ['Service', 3],
    ])
    const [config, deployment, service] = manifests.map((m) => m.object) as Array<Record<string, any>>
    const labels = { app: 'web', tier: 'frontend' }
    expect(config!.data).toEqual({ LOG_LEVEL: 'info', FEATURE_X: 'on', MAX_CONNECTIONS: '100' })
    expect(deployment!.spec.selector.matchLabels).toEqual(labels)
    expect(deployment!.spec.revisionHistoryLimit).toBe(8)
    expect(deployment!.spec.template.spec.automountServiceAccountToken).toBe(false)
    expect(deployment!.spec.template.spec.containers[1]).toEqual({
      name: 'sidecar',
      image: 'busybox:1.36',
      imagePullPolicy: 'IfNotPresent',
      ports: [{ containerPort: 80, name: 'http' }],
      resources: { limits: { cpu: '500m', memory: '128Mi' } },
      args: ['sh', '-c', 'sleep infinity'],
    })
    expect(service!.metadata.annotations['deployed-at']).toBe('2024-05-01T10:00:00Z')
    manifests.forEach((m) => expectPlainJson(m.object))
  })

  it('gives each document its 0-based index in the stream, counting skipped ones', () => {
    const input = '# header\n---\n---\n# only a comment\n---\napiVersion: v1\nkind: A\n--- ~\n---\napiVersion: v1\nkind: B\n...\n'
    expect(decodeManifests(input)).toEqual([
      { object: { apiVersion: 'v1', kind: 'A' }, index: 2 },
      { object: { apiVersion: 'v1', kind: 'B' }, index: 4 },
    ])
  })

  it('returns no objects for empty input, whitespace or comments only', () => {
    expect(decodeManifests('')).toEqual([])
    expect(decodeManifests(' \n\t\n')).toEqual([])
    expect(decodeManifests('# nothing here\n---\n# nor here\n')).toEqual([])
  })

  it('lets explicit keys win over merged ones wherever the merge key stands, and earlier merge sources over later', () => {
    const spec = decodeBody('a: &a {p: 1, q: 1}\nb: &b {q: 2, r: 2}\nc: {p: 0, <<: [*a, *b]}\nd: {<<: *a, q: 3}\n')
    expect(spec).toMatchObject({ c: { p: 0, q: 1, r: 2 }, d: { p: 1, q: 3 } })
  })

  it('keeps a key named __proto__ as an ordinary field', () => {
    const object = decodeBody('data:\n  __proto__: {polluted: yes}\n') as Record<string, any>
    expect(Object.getPrototypeOf(object.data)).toBe(Object.prototype)
    expect(Object.keys(object.data)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('decodeManifests: scalars resolve as Kubernetes (sigs.k8s.io/yaml over go-yaml v2) resolves them', () => {
  it('reads unquoted YAML 1.1 booleans (yes/no/on/off/y/n and their capitalisations) as booleans', () => {
    const truthy = ['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE']
    const falsy = ['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE']
    const data = (words: string[]) => decodeBody(`data: [${words.join(', ')}]\n`)!.data
    expect(data(truthy)).toEqual(truthy.map(() => true))
    expect(data(falsy)).toEqual(falsy.map(() => false))
  })

  it('keeps quoted booleans and words that are not YAML 1.1 booleans as strings', () => {
    expect(decodeBody(`data: ["yes", 'off', yES, oN, "y", Yup, nope, t, f]\n`)!.data).toEqual([
      'yes',
      'off',
      'yES',
      'oN',
      'y',
      'Yup',
      'nope',
      't',
      'f',
    ])
  })

  it('turns boolean, number and null-looking keys into strings, so `on:` becomes "true"', () => {
    expect(decodeBody('data:\n  on: 1\n  no: 2\n  8080: 3\n  0x10: 4\n  1.5: 5\n  "yes": 6\n')!.data).toEqual({
      true: 1,
      false: 2,
      '8080': 3,
      '16': 4,
      '1.5': 5,
      yes: 6,
    })
  })

  it('reads integers in decimal, hex, octal (0755 and 0o755), binary and with underscores', () => {
    expect(decodeBody('data: [42, -7, +3, 0x1F, 0755, 0o755, 0b101, 1_000_000, 09, 0]\n')!.data).toEqual([
      42, -7, 3, 31, 493, 493, 5, 1000000, 9, 0,
    ])
  })

  it('reads floats, and keeps timestamps, times, versions and quantities as strings', () => {
    expect(
      decodeBody('data: [1.5, .5, -.5, 1e3, 1.0, 2024-05-01, 2001-12-14T21:59:43.10-05:00, 12:30, 1.2.3, 500m, 1Gi, 0x, .]\n')!.data,
    ).toEqual([1.5, 0.5, -0.5, 1000, 1, '2024-05-01', '2001-12-14T21:59:43.10-05:00', '12:30', '1.2.3', '500m', '1Gi', '0x', '.'])
  })

  it('reads ~, null, Null, NULL and empty values as null', () => {
    expect(decodeBody('data: [~, null, Null, NULL, ]\nempty:\n')).toMatchObject({ data: [null, null, null, null], empty: null })
  })

  it('accepts integers up to 2^53-1 and rejects larger ones, in YAML and JSON, instead of rounding them', () => {
    expect(decodeBody('data: [9007199254740991, -9007199254740991]\n')!.data).toEqual([9007199254740991, -9007199254740991])
    const rule = 'is beyond ±9007199254740991 (2^53−1) and cannot be kept exactly; quote it to keep it as a string'
    expect(decodeError('apiVersion: v1\nkind: A\nx: 9007199254740993\n').message).toBe(
      `document 1: line 3, column 4: integer 9007199254740993 ${rule}`,
    )
    expect(decodeError('{"apiVersion": "v1", "kind": "A", "x": -12345678901234567890}').message).toBe(
      `document 1: line 1, column 40: integer -12345678901234567890 ${rule}`,
    )
    expect(decodeBody('data: "9007199254740993"\n')!.data).toBe('9007199254740993')
  })

  it('rejects .inf and .nan, which JSON cannot hold', () => {
    expect(decodeError('apiVersion: v1\nkind: A\nx: -.inf\n').message).toBe('document 1: line 3, column 4: -.inf is not a JSON number')
    expect(decodeError('apiVersion: v1\nkind: A\nx: [.NaN]\n').message).toBe('document 1: line 3, column 5: .NaN is not a JSON number')
  })

  it('accepts the core tags and rejects !!binary, !!set, !!timestamp and custom tags', () => {
    expect(decodeBody('data: [!!str 8080, !!int "12", !!bool yes, !!float 1, ! 12, !!null ""]\n')!.data).toEqual([
      '8080',
      12,
      true,
      1,
      '12',
      null,
    ])
    const rejects = (value: string) => decodeError(`apiVersion: v1\nkind: A\nx: ${value}\n`).message
    const plain = 'a manifest holds only strings, numbers, booleans, null, mappings and lists'
    expect(rejects('!!binary aGVsbG8=')).toBe(`document 1: line 3, column 4: unsupported tag !!binary: ${plain}`)
    expect(rejects('!!set {a, b}')).toBe(`document 1: line 3, column 4: unsupported tag !!set: ${plain}`)
    expect(rejects('!!timestamp 2024-05-01')).toBe(`document 1: line 3, column 4: unsupported tag !!timestamp: ${plain}`)
    expect(rejects('!Ref bucket')).toBe(`document 1: line 3, column 4: unsupported tag !Ref: ${plain}`)
    expect(rejects('!!int twelve')).toBe(`document 1: line 3, column 4: unsupported tag !!int: ${plain}`)
  })
})

describe('decodeManifests: JSON and Lists', () => {
  const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name } })

  it('decodes a JSON object', () => {
    expect(decodeManifests(` \n${JSON.stringify(pod('a'))}`)).toEqual([{ object: pod('a'), index: 0 }])
  })

  it('flattens a kind: List in JSON into its items, each with its item position', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [pod('a'), pod('b')] }
    expect(decodeManifests(JSON.stringify(list))).toEqual([
      { object: pod('a'), index: 0, item: 0 },
      { object: pod('b'), index: 0, item: 1 },
    ])
  })

  it('flattens a *List kind in YAML, and a List without items into nothing', () => {
    const yaml =
      'apiVersion: v1\nkind: List\n---\napiVersion: v1\nkind: PodList\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n'
    expect(decodeManifests(yaml)).toEqual([{ object: pod('a'), index: 1, item: 0 }])
  })

  it('keeps an object whose kind ends in List but that has no items, like a custom AllowList', () => {
    const allow = { apiVersion: 'example.com/v1', kind: 'AllowList', spec: { cidrs: ['10.0.0.0/8'] } }
    expect(objects(JSON.stringify(allow))).toEqual([allow])
  })

  it('accepts a top-level JSON array of objects, one document per element, flattening Lists in it', () => {
    const input = JSON.stringify([pod('a'), { apiVersion: 'v1', kind: 'PodList', items: [pod('b')] }])
    expect(decodeManifests(input)).toEqual([
      { object: pod('a'), index: 0 },
      { object: pod('b'), index: 1, item: 0 },
    ])
  })

  it('rejects List items that are not Kubernetes objects, naming the item', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [pod('a'), { apiVersion: 'v1', metadata: { name: 'b' } }] }
    expect(decodeError(JSON.stringify(list)).message).toBe(
      `document 1, item 2: Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"b"}}'`,
    )
    expect(decodeError('{"apiVersion": "v1", "kind": "List", "items": {"a": 1}}').message).toBe(
      "document 1: 'items' must be a list, got a mapping",
    )
    expect(decodeError('[{"apiVersion": "v1", "kind": "A"}, 7]').message).toBe(
      'document 2: expected a Kubernetes object (a mapping with apiVersion and kind), got the number 7',
    )
  })

  it('rejects invalid JSON with its position, and does not fall back to YAML', () => {
    expect(decodeError('{"apiVersion": "v1",\n "kind": "A"').message).toMatch(/^invalid JSON at line 2, column 13: /)
    expect(decodeError('{apiVersion: v1, kind: A}').message).toMatch(/^invalid JSON/)
  })

  it('rejects duplicate keys in JSON, which JSON.parse would silently drop', () => {
    expect(decodeError('[{"apiVersion": "v1", "kind": "A"},\n {"apiVersion": "v1", "kind": "A", "kind": "B"}]').message).toBe(
      'document 2: line 2, column 36: duplicate key "kind"',
    )
  })
})

describe('decodeManifests: rejected documents', () => {
  const object = 'expected a Kubernetes object (a mapping with apiVersion and kind), got'
  const key = 'a mapping key must be a string, number or boolean, not'
  it.each([
    [
      "a document without kind, in kubectl's words",
      'apiVersion: v1\nkind: A\n---\napiVersion: v1\nmetadata:\n  name: web\n',
      `document 2: Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"web"}}'`,
    ],
    ['a document without apiVersion', 'kind: Pod\n', `document 1: Object 'apiVersion' is missing in '{"kind":"Pod"}'`],
    [
      'an empty apiVersion',
      'apiVersion: ""\nkind: Pod\n',
      `document 1: Object 'apiVersion' is missing in '{"apiVersion":"","kind":"Pod"}'`,
    ],
    ['a kind that is not a string', 'apiVersion: v1\nkind: 5\n', "document 1: 'kind' must be a string, got the number 5"],
    ['an apiVersion that is not a string', 'apiVersion: [v1]\nkind: Pod\n', "document 1: 'apiVersion' must be a string, got a list"],
    ['a scalar document', 'apiVersion: v1\nkind: A\n---\njust some text\n', `document 2: ${object} the string "just some text"`],
    ['a list document', '- apiVersion: v1\n  kind: A\n', `document 1: ${object} a list`],
    [
      'metadata that is not a mapping',
      'apiVersion: v1\nkind: A\nmetadata: web\n',
      `document 1: 'metadata' must be a mapping, got the string "web"`,
    ],
    [
      'a YAML syntax error, with its line and column',
      'apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Pod\nspec: a: b\n',
      'document 2: line 6, column 7: invalid YAML: Nested mappings are not allowed in compact mappings',
    ],
    [
      'a duplicate key, naming both places',
      'apiVersion: v1\nkind: A\nmetadata:\n  name: a\n  labels: {}\n  name: b\n',
      'document 1: line 6, column 3: duplicate key "name" (first defined at line 4, column 3)',
    ],
    [
      'keys that are duplicates once read as Kubernetes does',
      'apiVersion: v1\nkind: A\ndata: {yes: 1, true: 2}\n',
      'document 1: line 3, column 16: duplicate key "true" (first defined at line 3, column 8)',
    ],
    ['a null key', 'apiVersion: v1\nkind: A\n~: 1\n', `document 1: line 3, column 1: ${key} null`],
    ['a collection key', 'apiVersion: v1\nkind: A\n[a, b]: 1\n', `document 1: line 3, column 1: ${key} a list`],
  ])('rejects %s with BadRequest', (_, input, message) => {
    const error = decodeError(input)
    expect([error.reason, error.code, error.message]).toEqual(['BadRequest', 400, message])
  })
})

describe('decodeManifests: bytes', () => {
  const bytes = (text: string) => new TextEncoder().encode(text)

  it('rejects bytes that are not valid UTF-8', () => {
    const error = decodeError(new Uint8Array([...bytes('apiVersion: v1\nkind: "'), 0xc3, 0x28, ...bytes('"\n')]))
    expect(error.reason).toBe('BadRequest')
    expect(error.message).toBe('manifest is not valid UTF-8 text')
  })

  it('skips a UTF-8 byte order mark, in bytes and in strings', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod' }
    expect(objects(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('apiVersion: v1\nkind: Pod\n')]))).toEqual([pod])
    expect(objects(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{"apiVersion": "v1", "kind": "Pod"}')]))).toEqual([pod])
    expect(objects('\uFEFFapiVersion: v1\nkind: Pod\n')).toEqual([pod])
  })

  it('decodes multi-byte UTF-8 text', () => {
    expect(decodeBody('data: {greeting: "grüße, 世界 🚀"}\n')!.data).toEqual({ greeting: 'grüße, 世界 🚀' })
  })

  it('rejects input over maxBytes with RequestEntityTooLarge naming the limit, before parsing it', () => {
    const error = decodeError('{ not even json '.repeat(10), { maxBytes: 100 })
    expect(error.reason).toBe('RequestEntityTooLarge')
    expect(error.code).toBe(413)
    expect(error.message).toBe('manifest is too large: 160 bytes, the limit is 100 bytes')
    expect(decodeError('ü'.repeat(51), { maxBytes: 100 }).message).toBe('manifest is too large: 102 bytes, the limit is 100 bytes')
  })

  it("limits input to Kubernetes' 3 MiB request body by default", () => {
    expect(decodeError(`# ${'x'.repeat(3 * 1024 * 1024)}`).message).toBe('manifest is too large: 3145730 bytes, the limit is 3145728 bytes')
  })
})

describe('decodeManifests: limits against hostile input', () => {
  const nestedBlock = (levels: number) => Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}a:`).join('\n')
  const nestedFlow = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`

  it('accepts nesting up to maxDepth, counting the document itself as level 1', () => {
    expect(objects(`apiVersion: v1\nkind: A\n${nestedBlock(100)} 1\n`)).toHaveLength(1)
    expect(objects(`apiVersion: v1\nkind: A\nx: ${nestedFlow(99)}\n`)).toHaveLength(1)
    expect(objects(`{"apiVersion": "v1", "kind": "A", "x": ${nestedFlow(99)}}`)).toHaveLength(1)
    expect(objects(`apiVersion: v1\nkind: A\nx: {y: [1]}\n`, { maxDepth: 3 })).toHaveLength(1)
  })

  it('rejects YAML nested deeper than maxDepth, in block and in flow style, with the position', () => {
    expect(decodeError(`apiVersion: v1\nkind: A\n${nestedBlock(101)} 1\n`).message).toBe(
      'document 1: line 103, column 101: nested deeper than 100 levels',
    )
    expect(decodeError(`apiVersion: v1\nkind: A\nx: ${nestedFlow(100)}\n`).message).toBe(
      'document 1: line 3, column 103: nested deeper than 100 levels',
    )
    expect(decodeError(`apiVersion: v1\nkind: A\nx: {y: [1]}\n`, { maxDepth: 2 }).message).toBe(
      'document 1: line 3, column 8: nested deeper than 2 levels',
    )
  })

  it('rejects a megabyte of nested brackets as too deep, in YAML and in JSON, without overflowing the stack', () => {
    expect(decodeError(`x: ${nestedFlow(500_000)}`).message).toBe('document 1: line 1, column 104: nested deeper than 100 levels')
    expect(decodeError(nestedFlow(500_000)).message).toBe('document 1: line 1, column 101: nested deeper than 100 levels')
    expect(decodeError(`apiVersion: v1\nkind: A\n${nestedBlock(1500)}`).message).toBe(
      'document 1: line 103, column 101: nested deeper than 100 levels',
    )
  })

  it('rejects JSON nested deeper than maxDepth', () => {
    expect(decodeError(`{"apiVersion": "v1", "kind": "A", "x": ${nestedFlow(100)}}`).message).toBe(
      'document 1: line 1, column 139: nested deeper than 100 levels',
    )
  })

  it('rejects more than maxDocuments documents, in YAML and as a JSON array', () => {
    const doc = 'apiVersion: v1\nkind: A\n'
    expect(objects(Array(3).fill(doc).join('---\n'), { maxDocuments: 3 })).toHaveLength(3)
    expect(decodeError(Array(4).fill(doc).join('---\n'), { maxDocuments: 3 }).message).toBe('more than 3 documents')
    expect(decodeError('---\n'.repeat(1001)).message).toBe('more than 1000 documents')
    expect(decodeError(JSON.stringify(Array(4).fill({ apiVersion: 'v1', kind: 'A' })), { maxDocuments: 3 }).message).toBe(
      'more than 3 documents',
    )
  })

  it('rejects a billion-laughs alias bomb with a clear error', () => {
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for (let i = 1; i < 10; i++) {
      const [name, previous] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)]
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`)
    }
    const error = decodeError(`apiVersion: v1\nkind: ConfigMap\ndata:\n${levels.map((l) => `  ${l}`).join('\n')}\n`)
    expect(error.reason).toBe('BadRequest')
    expect(error.message).toMatch(
      /^document 1: line \d+, column \d+: more than 100 alias expansions, which looks like an alias bomb \("billion laughs"\)$/,
    )
  })

  it('rejects few aliases to a large anchor when they expand far beyond the document', () => {
    const big = `[${Array(5000).fill('x').join(', ')}]`
    const error = decodeError(`apiVersion: v1\nkind: A\na: &a ${big}\nb: [${Array(50).fill('*a').join(', ')}]\n`)
    expect(error.message).toMatch(/^document 1: line 4, column 9: aliases expand to more than 10000 values \(an alias bomb\?\)$/)
  })

  it('counts merge keys as alias expansions, and honours maxAliasCount', () => {
    const input = 'apiVersion: v1\nkind: A\nbase: &base {p: 1}\nu: {<<: *base}\nv: {<<: *base}\nw: *base\n'
    expect(objects(input, { maxAliasCount: 3 })[0]).toMatchObject({ u: { p: 1 }, v: { p: 1 }, w: { p: 1 } })
    expect(decodeError(input, { maxAliasCount: 2 }).message).toBe(
      'document 1: line 6, column 4: more than 2 alias expansions, which looks like an alias bomb ("billion laughs")',
    )
  })

  it('rejects an alias to its own anchor, and to an anchor of another document', () => {
    expect(decodeError('apiVersion: v1\nkind: A\nloop: &loop [*loop]\n').message).toMatch(/^document 1: line 3, column \d+: /)
    expect(decodeError('apiVersion: v1\nkind: A\nx: &x 1\n---\napiVersion: v1\nkind: A\ny: *x\n').message).toBe(
      'document 2: line 7, column 4: unknown anchor "x"',
    )
  })

  it('rejects a merge key that is given neither a mapping nor a list of mappings', () => {
    expect(decodeError('apiVersion: v1\nkind: A\nx: {<<: [1, 2]}\n').message).toBe(
      "document 1: line 3, column 9: a merge key '<<' takes a mapping or a list of mappings",
    )
  })
})

describe('decodeManifests: properties', () => {
  const scalar = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.constantFrom('yes', 'no', 'on', 'off', 'y', 'n', '~', 'null', '0755', '0x1F', '12:30', '2024-05-01', '1e3', '.inf', '<<', ''),
    fc.boolean(),
    fc.constant(null),
    fc.maxSafeInteger(),
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .filter((d) => !Object.is(d, -0) && (!Number.isInteger(d) || Number.isSafeInteger(d))),
  )
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      scalar,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('on', 'yes', '8080', '__proto__', '<<')), tie('value'), {
        maxKeys: 4,
        noNullPrototype: true,
      }),
    ),
  }))
  const manifest = fc.record({
    apiVersion: fc.constantFrom('v1', 'apps/v1', 'example.com/v1alpha1'),
    kind: fc.constantFrom('Pod', 'ConfigMap', 'Widget'),
    metadata: fc.record({ name: fc.string({ minLength: 1 }), labels: fc.dictionary(fc.string(), fc.string(), { noNullPrototype: true }) }),
    spec: value,
  })
  // Strings quoted, as `kubectl get -o yaml` does for every string a YAML 1.1 reader would take for something else.
  const toYaml = (object: unknown) => stringify(object, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'QUOTE_DOUBLE' })

  it('decodes back, equal and plain, any manifest written by yaml.stringify or JSON.stringify', () => {
    fc.assert(
      fc.property(fc.array(manifest, { minLength: 1, maxLength: 4 }), (manifests) => {
        const viaYaml = objects(manifests.map((m) => `---\n${toYaml(m)}`).join(''))
        const viaJson = objects(JSON.stringify(manifests))
        expect(viaYaml).toEqual(manifests)
        expect(viaJson).toEqual(manifests)
        expect(objects(JSON.stringify(manifests[0]))).toEqual([manifests[0]])
        viaYaml.forEach(expectPlainJson)
      }),
      { numRuns: 300 },
    )
  })

  it('throws nothing but a StatusError, whatever the input', () => {
    const pieces = [
      'a',
      'apiVersion: v1\n',
      'kind: A\n',
      ': ',
      '\n',
      '  ',
      '- ',
      '[',
      ']',
      '{',
      '}',
      ',',
      '&a ',
      '*a',
      '<<: ',
      '!!str ',
      '!x ',
      '#',
      '"',
      "'",
      '|\n',
      '? ',
      '---\n',
      'yes',
      '0x',
      '1e9',
      '~',
    ]
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: fc.constantFrom(...pieces), maxLength: 40 }), fc.string({ unit: 'binary' })), (input) => {
        try {
          decodeManifests(input).forEach((m) => expectPlainJson(m.object))
        } catch (error) {
          expect(error).toBeInstanceOf(StatusError)
        }
      }),
      { numRuns: 1000 },
    )
  })
})
