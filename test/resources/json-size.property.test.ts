import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jsonSize } from '../../services/resources/json-size.js'

describe('jsonSize', () => {
  it('is the UTF-8 length of JSON.stringify, without building it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonSize(value)).toBe(Buffer.byteLength(JSON.stringify(value)))
      }),
      { numRuns: 3000 },
    )
  })

  it('skips undefined members and counts undefined array items as null, as JSON.stringify does', () => {
    const value = { a: [1, undefined, 'é'], b: undefined, c: { d: null } }
    expect(jsonSize(value)).toBe(Buffer.byteLength(JSON.stringify(value)))
  })

  it('measures a value nested 100,000 levels deep', () => {
    let deep: unknown = 1
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(jsonSize(deep)).toBe(200_001)
  })
})
