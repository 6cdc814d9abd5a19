import { describe, expect, it } from 'vitest'
import { applyJsonPatch } from '../../../services/resources/patch/json-patch.js'
import { jsonEqual } from '../../../services/resources/patch/json-value.js'
import { applyMergePatch } from '../../../services/resources/patch/merge-patch.js'
import { expectStatus, rejected } from './expect-status.js'

/** `JSON.parse` makes `__proto__` an ordinary own member; the patch code must keep it one. */
const json = (text: string): unknown => JSON.parse(text)

describe('a __proto__ member in a patched document', () => {
  it('stays an ordinary member when a JSON patch copies it', () => {
    const result = applyJsonPatch(json('{"a": {"__proto__": {"x": 1}}}'), [{ op: 'copy', from: '/a', path: '/b' }]) as {
      b: object
    }
    expect(Object.keys(result.b)).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(result.b)).toBe(Object.prototype)
    expect(JSON.stringify(result)).toBe('{"a":{"__proto__":{"x":1}},"b":{"__proto__":{"x":1}}}')
  })

  it('stays an ordinary member when a merge patch keeps it', () => {
    const result = applyMergePatch(json('{"__proto__": {"x": 1}, "y": 1}'), { y: 2 })
    expect(JSON.stringify(result)).toBe('{"__proto__":{"x":1},"y":2}')
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
  })

  it('fails a JSON patch test against an object that lacks it', () => {
    const operations = [{ op: 'test', path: '/a', value: json('{"__proto__": {}}') }]
    expectStatus(() => applyJsonPatch({ a: { x: 1 } }, operations), rejected('testing value /a failed: test failed'))
  })
})

describe('jsonEqual', () => {
  it('counts own members only, unlike deepEqual', () => {
    expect(jsonEqual(json('{"__proto__": {}}'), { x: 1 })).toBe(false)
    expect(jsonEqual({ a: undefined }, {})).toBe(false)
    expect(jsonEqual(json('{"__proto__": {"x": 1}}'), json('{"__proto__": {"x": 1}}'))).toBe(true)
  })
})
