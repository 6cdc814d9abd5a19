import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isStatusError } from '../../../services/errors.js'
import { applyMergePatch, applyObjectMergePatch } from '../../../services/resources/patch/merge-patch.js'
import { deepFreeze, frozen } from './deep-freeze.js'

describe('applyMergePatch', () => {
  // RFC 7386 Appendix A, row by row: original, patch, result.
  const appendixA: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ]

  it.each(appendixA)('RFC 7386 appendix A: %j patched with %j gives %j', (original, patch, result) => {
    expect(applyMergePatch(frozen(original), frozen(patch))).toEqual(result)
  })

  it('applies the example of RFC 7386 section 3', () => {
    const target = {
      title: 'Goodbye!',
      author: { givenName: 'John', familyName: 'Doe' },
      tags: ['example', 'sample'],
      content: 'This will be unchanged',
    }
    const patch = { title: 'Hello!', phoneNumber: '+01-123-456-7890', author: { familyName: null }, tags: ['example'] }
    expect(applyMergePatch(frozen(target), frozen(patch))).toEqual({
      title: 'Hello!',
      author: { givenName: 'John' },
      tags: ['example'],
      content: 'This will be unchanged',
      phoneNumber: '+01-123-456-7890',
    })
  })

  it('replaces lists wholesale instead of merging them', () => {
    const pod = {
      spec: {
        containers: [
          { name: 'a', image: 'x' },
          { name: 'b', image: 'y' },
        ],
      },
    }
    const patch = { spec: { containers: [{ name: 'b', image: 'z' }] } }
    expect(applyMergePatch(frozen(pod), frozen(patch))).toEqual(patch)
  })

  it('returns a new document that shares nothing with its inputs', () => {
    const target = frozen({ metadata: { labels: { app: 'web' } }, spec: { ports: [80] } })
    const patch = frozen({ metadata: { annotations: { note: { deep: true } } } })
    const result = applyMergePatch(target, patch) as Record<string, Record<string, unknown>>
    expect(Object.isFrozen(result)).toBe(false)
    expect(result.spec).not.toBe(target.spec)
    expect(result.metadata?.annotations).not.toBe(patch.metadata.annotations)
  })

  it('keeps a __proto__ member as plain data', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}') as unknown
    const result = applyMergePatch({}, deepFreeze(patch)) as Record<string, unknown>
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
    expect(Object.hasOwn(result, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  /** JSON without nulls: a null in a merge patch means "delete", so it cannot be expressed as data. */
  const { json } = fc.letrec<{ json: unknown }>((tie) => ({
    json: fc.oneof(
      { depthSize: 'small' },
      fc.string({ maxLength: 3 }),
      fc.integer(),
      fc.boolean(),
      fc.array(tie('json'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('json'), { maxKeys: 4 }),
    ),
  }))
  const object = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), json, { maxKeys: 4 })

  /** The merge patch that turns `a` into `b`: changed and added members, nulls for removed ones. */
  function diff(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
    const patch: Record<string, unknown> = {}
    for (const key of Object.keys(a)) if (!Object.hasOwn(b, key)) patch[key] = null
    for (const [key, value] of Object.entries(b)) {
      const before = a[key]
      const bothObjects = [before, value].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
      if (bothObjects) patch[key] = diff(before as Record<string, unknown>, value as Record<string, unknown>)
      else if (!Object.hasOwn(a, key) || JSON.stringify(before) !== JSON.stringify(value)) patch[key] = value
    }
    return patch
  }

  it('turns any object into any other object given their difference as a merge patch', () => {
    fc.assert(
      fc.property(object, object, (a, b) => {
        expect(applyMergePatch(deepFreeze(a), deepFreeze(diff(a, b)))).toEqual(b)
      }),
    )
  })

  it('is idempotent: applying a patch twice changes nothing more', () => {
    fc.assert(
      fc.property(object, object, (a, patch) => {
        const once = applyMergePatch(deepFreeze(a), deepFreeze(patch))
        expect(applyMergePatch(once, patch)).toEqual(once)
      }),
    )
  })
})

describe('applyObjectMergePatch', () => {
  it.each([null, 'bar', 7, true, ['c']])('rejects the patch %j with BadRequest "Invalid JSON Patch"', (patch) => {
    const attempt = () => applyObjectMergePatch({ a: 1 }, patch)
    expect(attempt).toThrow('Invalid JSON Patch')
    try {
      attempt()
    } catch (error) {
      expect(isStatusError(error, 'BadRequest')).toBe(true)
    }
  })

  it('merges an object patch into the stored object', () => {
    expect(applyObjectMergePatch(frozen({ spec: { replicas: 1 } }), frozen({ spec: { replicas: 3 } }))).toEqual({
      spec: { replicas: 3 },
    })
  })
})
