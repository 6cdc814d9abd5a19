import { describe, expect, it } from 'vitest'
import { applyJsonPatch } from '../../../services/resources/patch/json-patch.js'
import { frozen } from './deep-freeze.js'
import { badRequest, expectStatus, rejected } from './expect-status.js'

const apply = (target: unknown, operations: unknown) => applyJsonPatch(frozen(target), frozen(operations))
const pod = { metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } }

describe('applyJsonPatch: pointers and operations', () => {
  it('resolves the RFC 6901 section 5 examples', () => {
    const document = {
      foo: ['bar', 'baz'],
      '': 0,
      'a/b': 1,
      'c%d': 2,
      'e^f': 3,
      'g|h': 4,
      'i\\j': 5,
      'k"l': 6,
      ' ': 7,
      'm~n': 8,
    }
    const paths: [string, unknown][] = [
      ['/foo', ['bar', 'baz']],
      ['/foo/0', 'bar'],
      ['/', 0],
      ['/a~1b', 1],
      ['/c%d', 2],
      ['/e^f', 3],
      ['/g|h', 4],
      ['/i\\j', 5],
      ['/k"l', 6],
      ['/ ', 7],
      ['/m~0n', 8],
    ]
    for (const [path, value] of paths) expect(apply(document, [{ op: 'test', path, value }])).toEqual(document)
  })

  it('appends with "-" and counts negative indexes from the end, as Kubernetes does', () => {
    const patch = [
      { op: 'add', path: '/spec/containers/-', value: { name: 'c' } },
      { op: 'replace', path: '/spec/containers/-1/name', value: 'z' },
      { op: 'remove', path: '/spec/containers/-3' },
    ]
    expect(apply(pod, patch)).toEqual({ ...pod, spec: { containers: [{ name: 'b' }, { name: 'z' }] } })
  })

  it('copies a value deeply, so later operations do not change the source', () => {
    const patch = [
      { op: 'copy', from: '/metadata/labels', path: '/metadata/annotations' },
      { op: 'add', path: '/metadata/annotations/copied', value: 'yes' },
    ]
    expect(apply(pod, patch)).toEqual({
      ...pod,
      metadata: { name: 'web', labels: { app: 'web' }, annotations: { app: 'web', copied: 'yes' } },
    })
  })

  it('replaces or adds the whole document at the empty pointer', () => {
    expect(apply(pod, [{ op: 'replace', path: '', value: { kind: 'Pod' } }])).toEqual({ kind: 'Pod' })
    expect(apply(pod, [{ op: 'add', path: '', value: { kind: 'Pod' } }])).toEqual({ kind: 'Pod' })
    expect(apply(pod, [{ op: 'test', path: '', value: pod }])).toEqual(pod)
  })

  it('passes a test of an absent member against null, as Kubernetes does', () => {
    expect(apply(pod, [{ op: 'test', path: '/metadata/namespace', value: null }])).toEqual(pod)
  })

  it('does not let a later operation change the operations document or the target', () => {
    const target = frozen({ items: [] as unknown[] })
    const operations = frozen([
      { op: 'add', path: '/items/-', value: { tags: [] } },
      { op: 'add', path: '/items/0/tags/-', value: 'x' },
    ])
    expect(applyJsonPatch(target, operations)).toEqual({ items: [{ tags: ['x'] }] })
    expect(operations[0]?.value).toEqual({ tags: [] })
  })

  it('applies all operations or none', () => {
    const target = frozen({ a: 1 })
    const operations = [
      { op: 'replace', path: '/a', value: 2 },
      { op: 'test', path: '/a', value: 1 },
    ]
    expect(() => applyJsonPatch(target, operations)).toThrow()
    expect(target).toEqual({ a: 1 })
  })
})

describe('applyJsonPatch: errors as Kubernetes reports them', () => {
  it.each([
    ['an object', { op: 'add' }, 'object'],
    ['a string', 'add', 'string'],
  ])('rejects %s instead of an array of operations with 400', (_, document, kind) => {
    expectStatus(
      () => apply({}, document),
      badRequest(`error decoding patch: json: cannot unmarshal ${kind} into Go value of type []handlers.jsonPatchOp`),
    )
  })

  it('rejects an operation that is not an object with 400', () => {
    expectStatus(
      () => apply({}, [7]),
      badRequest('error decoding patch: json: cannot unmarshal number into Go value of type handlers.jsonPatchOp'),
    )
  })

  it('rejects an op, path or from that is not a string with 400', () => {
    expectStatus(
      () => apply({}, [{ op: 'add', path: ['a'] }]),
      badRequest('error decoding patch: json: cannot unmarshal array into Go struct field jsonPatchOp.path of type string'),
    )
  })

  it('treats a null document as an empty patch', () => {
    expect(apply(pod, null)).toEqual(pod)
  })

  it('refuses more than 10000 operations with 413', () => {
    const operations = Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/a', value: 1 }))
    expectStatus(() => apply({ a: 1 }, operations), {
      reason: 'RequestEntityTooLarge',
      code: 413,
      message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    })
  })

  const cases: [string, unknown, unknown[], string][] = [
    ['an unknown op', {}, [{ op: 'frobnicate', path: '/a' }], 'Unexpected kind: frobnicate'],
    ['a missing op', {}, [{ path: '/a' }], 'Unexpected kind: unknown'],
    ['add without a path', {}, [{ op: 'add', value: 1 }], 'add operation failed to decode path: missing value'],
    ['remove without a path', {}, [{ op: 'remove' }], 'remove operation failed to decode path: missing value'],
    [
      'replace without a path',
      {},
      [{ op: 'replace', value: 1 }],
      'replace operation failed to decode path: operation missing path field: missing value',
    ],
    [
      'test without a path',
      {},
      [{ op: 'test', value: 1 }],
      'test operation failed to decode path: operation missing path field: missing value',
    ],
    [
      'move without a from',
      {},
      [{ op: 'move', path: '/a' }],
      'move operation failed to decode from: operation, missing from field: missing value',
    ],
    [
      'copy without a from',
      {},
      [{ op: 'copy', path: '/a' }],
      'copy operation failed to decode from: operation, missing from field: missing value',
    ],
    [
      'a pointer without a leading slash',
      { a: 1 },
      [{ op: 'remove', path: 'a' }],
      'remove operation does not apply: doc is missing path: "a": missing value',
    ],
    [
      'removing an absent member',
      { a: 1 },
      [{ op: 'remove', path: '/b' }],
      "error in remove for path: '/b': Unable to remove nonexistent key: b: missing value",
    ],
    [
      'removing past the end',
      { a: [1] },
      [{ op: 'remove', path: '/a/1' }],
      "error in remove for path: '/a/1': Unable to access invalid index: 1: invalid index referenced",
    ],
    [
      'adding past the end',
      { a: [1] },
      [{ op: 'add', path: '/a/2', value: 2 }],
      "error in add for path: '/a/2': Unable to access invalid index: 2: invalid index referenced",
    ],
    [
      'adding at a non-numeric index',
      { a: [1] },
      [{ op: 'add', path: '/a/x', value: 2 }],
      "error in add for path: '/a/x': value was not a proper array index: 'x': " + 'strconv.Atoi: parsing "x": invalid syntax',
    ],
    [
      'replacing an absent member',
      { a: 1 },
      [{ op: 'replace', path: '/b', value: 2 }],
      'replace operation does not apply: doc is missing key: /b: missing value',
    ],
    [
      'replacing under a missing parent',
      { a: 1 },
      [{ op: 'replace', path: '/b/c', value: 2 }],
      'replace operation does not apply: doc is missing path: /b/c: missing value',
    ],
    [
      'replacing the document with a scalar',
      { a: 1 },
      [{ op: 'replace', path: '', value: 2 }],
      'replace operation value must be object or array: %!w(<nil>)',
    ],
    [
      'moving from a missing parent',
      { a: 1 },
      [{ op: 'move', from: '/x/y', path: '/b' }],
      'move operation does not apply: doc is missing from path: /x/y: missing value',
    ],
    [
      'moving an absent member',
      { a: 1 },
      [{ op: 'move', from: '/x', path: '/b' }],
      "error in move for path: 'x': Unable to remove nonexistent key: x: missing value",
    ],
    [
      'moving a value into itself',
      { a: { b: 1 } },
      [{ op: 'move', from: '/a', path: '/a/b/c' }],
      'move operation does not apply: doc is missing destination path: /a/b/c: missing value',
    ],
    [
      'copying an absent member',
      { a: 1 },
      [{ op: 'copy', from: '/x', path: '/b' }],
      'copy operation does not apply: doc is missing from path: /x: missing value',
    ],
    [
      'copying to a missing parent',
      { a: 1 },
      [{ op: 'copy', from: '/a', path: '/x/y' }],
      'copy operation does not apply: doc is missing destination path: /x/y: missing value',
    ],
    [
      'testing under a missing parent',
      { a: 1 },
      [{ op: 'test', path: '/x/y', value: 1 }],
      'test operation does not apply: is missing path: /x/y: missing value',
    ],
    [
      'testing past the end',
      { a: [] },
      [{ op: 'test', path: '/a/0', value: 1 }],
      "error in test for path: '/a/0': Unable to access invalid index: 0: invalid index referenced",
    ],
    ['testing an absent member', { a: 1 }, [{ op: 'test', path: '/b', value: 1 }], 'testing value /b failed: test failed'],
    ['testing the whole document', { a: 1 }, [{ op: 'test', path: '', value: {} }], 'testing value  failed: test failed'],
  ]

  it.each(cases)('rejects %s with 422 and the library explanation as the cause', (_, target, operations, cause) => {
    expectStatus(() => apply(target, operations), rejected(cause))
  })
})
