import { describe, expect, it } from 'vitest'
import type { StatusError } from '../../../services/errors.js'
import { applyJsonPatch } from '../../../services/resources/patch/json-patch.js'
import { frozen } from './deep-freeze.js'
import { badRequest, expectStatus, rejected } from './expect-status.js'

const apply = (target: unknown, operations: unknown) => applyJsonPatch(frozen(target), frozen(operations))

describe('applyJsonPatch: RFC 6902 appendix A', () => {
  it('A.1 adds an object member', () => {
    expect(apply({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }])).toEqual({ baz: 'qux', foo: 'bar' })
  })

  it('A.2 adds an array element', () => {
    expect(apply({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }])).toEqual({
      foo: ['bar', 'qux', 'baz'],
    })
  })

  it('A.3 removes an object member', () => {
    expect(apply({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }])).toEqual({ foo: 'bar' })
  })

  it('A.4 removes an array element', () => {
    expect(apply({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }])).toEqual({ foo: ['bar', 'baz'] })
  })

  it('A.5 replaces a value', () => {
    expect(apply({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }])).toEqual({
      baz: 'boo',
      foo: 'bar',
    })
  })

  it('A.6 moves a value', () => {
    const target = { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }
    expect(apply(target, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }])).toEqual({
      foo: { bar: 'baz' },
      qux: { corge: 'grault', thud: 'fred' },
    })
  })

  it('A.7 moves an array element', () => {
    expect(apply({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }])).toEqual({
      foo: ['all', 'cows', 'eat', 'grass'],
    })
  })

  it('A.8 passes tests that hold and changes nothing', () => {
    const target = { baz: 'qux', foo: ['a', 2, 'c'] }
    const patch = [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ]
    expect(apply(target, patch)).toEqual(target)
  })

  it('A.9 fails a test that does not hold with 422 Invalid', () => {
    expectStatus(
      () => apply({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }]),
      rejected('testing value /baz failed: test failed'),
    )
  })

  it('A.10 adds a nested member object', () => {
    expect(apply({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }])).toEqual({
      foo: 'bar',
      child: { grandchild: {} },
    })
  })

  it('A.11 ignores unrecognized members of an operation', () => {
    expect(apply({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }])).toEqual({
      foo: 'bar',
      baz: 'qux',
    })
  })

  it('A.12 refuses to add to a nonexistent target', () => {
    expectStatus(
      () => apply({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }]),
      rejected('add operation does not apply: doc is missing path: "/baz/bat": missing value'),
    )
  })

  it('A.13 rejects the document with a duplicated "op" (parsed JSON keeps the last: remove)', () => {
    // Parsed JSON cannot tell that "op" was given twice; like Kubernetes, the last one wins.
    const patch: unknown = JSON.parse('[{ "op": "add", "path": "/baz", "value": "qux", "op": "remove" }]')
    expectStatus(
      () => apply({ foo: 'bar' }, patch),
      rejected("error in remove for path: '/baz': Unable to remove nonexistent key: baz: missing value"),
    )
  })

  it('A.14 unescapes ~01 to ~1, not to /', () => {
    const target = { '/': 9, '~1': 10 }
    expect(apply(target, [{ op: 'test', path: '/~01', value: 10 }])).toEqual(target)
  })

  it('A.15 does not equate the string "10" with the number 10', () => {
    expectStatus(
      () => apply({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }]),
      rejected('testing value /~01 failed: test failed'),
    )
  })

  it('A.16 adds an array as a single element', () => {
    expect(apply({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }])).toEqual({
      foo: ['bar', ['abc', 'def']],
    })
  })
})

describe('applyJsonPatch: copies within a budget, as kube-apiserver limits them', () => {
  /** One `add` of a value of `bytes`, then `copies` copies of the object holding it into itself. */
  const copyBomb = (bytes: number, copies: number) => [
    { op: 'add', path: '/metadata/annotations', value: { a: 'x'.repeat(bytes) } },
    ...Array.from({ length: copies }, (_, i) => ({ op: 'copy', from: '/metadata/annotations', path: `/metadata/annotations/c${i}` })),
  ]

  it('refuses a copy bomb at the first copy past the budget, in evanphx/json-patch words', () => {
    // {"a":"x…"} is 2008 bytes, and each copy doubles the annotations: the copies add 2008, 4022,
    // 8050, 16106 (30186 in all) and then 32218, past the budget.
    expectStatus(
      () => applyJsonPatch(frozen({ metadata: {} }), copyBomb(2000, 30), { maxCopyBytes: 50_000 }),
      rejected('Unable to complete the copy, the accumulated size increase of copy is 62404, exceeding the limit 50000'),
    )
  })

  it('applies copies that stay within the budget', () => {
    const result = applyJsonPatch(frozen({ metadata: {} }), copyBomb(2000, 4), { maxCopyBytes: 50_000 }) as any
    expect(JSON.stringify(result.metadata.annotations).length).toBe(32218)
  })

  it('allows 3 MiB of copies by default, as kube-apiserver (JSONPatchMaxCopyBytes)', () => {
    expect(() => applyJsonPatch(frozen({ metadata: {} }), copyBomb(2000, 10))).not.toThrow()
    expectStatus(
      () => applyJsonPatch(frozen({ metadata: {} }), copyBomb(2000, 11)),
      rejected('Unable to complete the copy, the accumulated size increase of copy is 4122592, exceeding the limit 3145728'),
    )
  })

  it('quotes a long path in its error cut short', () => {
    const path = `/${'p'.repeat(100_000)}/x`
    let cause = ''
    try {
      applyJsonPatch({}, [{ op: 'add', path, value: 1 }])
    } catch (error) {
      cause = (error as StatusError).details.causes![0]!.message
    }
    expect(cause).toMatch(/^add operation does not apply: doc is missing path: "\/p+\.\.\.\(truncated\)$/)
    expect(cause.length).toBeLessThan(600)
  })
})
