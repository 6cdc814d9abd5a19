import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isStatusError } from '../../../services/errors.js'
import { applyJsonPatch } from '../../../services/resources/patch/json-patch.js'
import { deepFreeze } from './deep-freeze.js'

/**
 * A naive reference for add / replace / remove over documents of nested objects and arrays:
 * immutable recursion on the pointer's tokens, RFC 6902 rules, indexes 0..n (and "-" to append).
 */
type Op = { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown }
const FAILED = Symbol('failed')
type Outcome = unknown | typeof FAILED

function reference(document: unknown, operations: Op[]): Outcome {
  let current: Outcome = document
  for (const operation of operations) {
    if (current === FAILED) return FAILED
    const tokens = operation.path === '' ? [] : operation.path.slice(1).split('/')
    current = update(current, tokens, operation)
  }
  return current
}

function update(node: unknown, tokens: string[], operation: Op): Outcome {
  const [token, ...rest] = tokens
  if (token === undefined) return operation.op === 'remove' ? FAILED : operation.value
  if (Array.isArray(node)) return updateArray(node, token, rest, operation)
  if (typeof node !== 'object' || node === null) return FAILED
  const object = node as Record<string, unknown>
  const has = Object.hasOwn(object, token)
  if (rest.length > 0) {
    if (!has) return FAILED
    const child = update(object[token], rest, operation)
    return child === FAILED ? FAILED : { ...object, [token]: child }
  }
  if (operation.op === 'add') return { ...object, [token]: operation.value }
  if (!has) return FAILED
  if (operation.op === 'replace') return { ...object, [token]: operation.value }
  const { [token]: _removed, ...remaining } = object
  return remaining
}

function updateArray(array: unknown[], token: string, rest: string[], operation: Op): Outcome {
  const last = rest.length === 0
  if (last && operation.op === 'add' && token === '-') return [...array, operation.value]
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return FAILED
  const index = Number(token)
  const limit = last && operation.op === 'add' ? array.length : array.length - 1
  if (index > limit) return FAILED
  if (!last) {
    const child = update(array[index], rest, operation)
    return child === FAILED ? FAILED : array.map((item, i) => (i === index ? child : item))
  }
  if (operation.op === 'add') return [...array.slice(0, index), operation.value, ...array.slice(index)]
  if (operation.op === 'replace') return array.map((item, i) => (i === index ? operation.value : item))
  return array.filter((_, i) => i !== index)
}

const key = fc.constantFrom('a', 'b', 'c')
const { node } = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: 0, max: 9 }),
    fc.constantFrom('x', 'y'),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(key, tie('node'), { maxKeys: 3 }),
  ),
}))
const document = fc.dictionary(key, node, { maxKeys: 3 })
const token = fc.constantFrom('a', 'b', 'c', '0', '1', '2', '-')
const path = fc.array(token, { minLength: 1, maxLength: 3 }).map((tokens) => `/${tokens.join('/')}`)
const operation: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('add' as const), path, value: node }), weight: 3 },
  fc.record({ op: fc.constant('replace' as const), path, value: node }),
  fc.record({ op: fc.constant('remove' as const), path }),
)

function attempt(target: unknown, operations: Op[]): Outcome {
  try {
    return applyJsonPatch(deepFreeze(target), deepFreeze(operations))
  } catch (error) {
    expect(isStatusError(error, 'Invalid')).toBe(true)
    return FAILED
  }
}

describe('applyJsonPatch against a naive reference', () => {
  it('agrees with it on each operation, and on the whole sequence of those that apply', () => {
    fc.assert(
      fc.property(document, fc.array(operation, { maxLength: 12 }), (target, operations) => {
        let state: unknown = target
        const applicable: Op[] = []
        for (const next of operations) {
          const expected = reference(state, [next])
          expect(attempt(state, [next])).toEqual(expected)
          if (expected === FAILED) continue
          state = expected
          applicable.push(next)
        }
        expect(attempt(target, applicable)).toEqual(state)
      }),
      { numRuns: 300 },
    )
  })

  it('fails the whole patch when any operation fails', () => {
    fc.assert(
      fc.property(document, fc.array(operation, { maxLength: 6 }), (target, operations) => {
        expect(attempt(target, operations)).toEqual(reference(target, operations))
      }),
      { numRuns: 300 },
    )
  })
})
