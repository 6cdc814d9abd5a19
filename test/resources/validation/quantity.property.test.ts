import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  compareQuantities,
  milliValue,
  parseQuantity,
  quantityString,
  value,
  type Quantity,
} from '../../../services/resources/validation/quantity.js'
import { QUANTITY_FORMAT } from '../../../services/resources/validation/quantity-scan.js'

const digits = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: max })
const suffix = fc.oneof(
  fc.constantFrom('', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'),
  fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 40 })).map(([e, s, n]) => `${e}${s}${n}`),
)
/** Well-formed quantities: an optional sign, digits with an optional fraction, and a known suffix. */
const wellFormed = fc
  .tuple(fc.constantFrom('', '+', '-'), digits(12), fc.option(digits(12), { nil: undefined }), suffix)
  .filter(([, int, frac]) => int.length + (frac ?? '').length > 0)
  .map(([sign, int, frac, sfx]) => `${sign}${int}${frac === undefined ? '' : `.${frac}`}${sfx}`)

const parsed = (text: string): Quantity => {
  const q = parseQuantity(text)
  if (q === undefined) throw new Error(`expected ${JSON.stringify(text)} to parse`)
  return q
}

describe('quantity properties', () => {
  it('parses every well-formed quantity', () => {
    fc.assert(fc.property(wellFormed, (text) => parseQuantity(text) !== undefined))
  })

  it('re-parses the canonical string to the same value', () => {
    fc.assert(
      fc.property(wellFormed, (text) => {
        const q = parsed(text)
        expect(parsed(quantityString(q)).nanos).toBe(q.nanos)
      }),
    )
  })

  it('is a fixed point: the canonical string of a canonical string is itself', () => {
    fc.assert(
      fc.property(wellFormed, (text) => {
        const once = quantityString(parsed(text))
        expect(quantityString(parsed(once))).toBe(once)
      }),
    )
  })

  it('never emits fractional digits or a plus sign', () => {
    fc.assert(fc.property(wellFormed, (text) => !/[.+]/.test(quantityString(parsed(text)))))
  })

  it('orders quantities as their exact values, antisymmetrically', () => {
    fc.assert(
      fc.property(wellFormed, wellFormed, (left, right) => {
        const a = parsed(left)
        const b = parsed(right)
        expect(Math.sign(compareQuantities(a, b))).toBe(a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0)
        expect(compareQuantities(a, b) + compareQuantities(b, a)).toBe(0)
      }),
    )
  })

  it('rounds milli and whole values away from zero, never below the exact value in magnitude', () => {
    const small = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n })
    fc.assert(
      fc.property(small, (nanos) => {
        const q: Quantity = { nanos, format: 'DecimalSI' }
        expect(Math.abs(milliValue(q)) * 1e6).toBeGreaterThanOrEqual(Math.abs(Number(nanos)))
        expect(Math.abs(milliValue(q)) * 1e6 - Math.abs(Number(nanos))).toBeLessThan(1e6)
        expect(Math.abs(value(q)) * 1e9).toBeGreaterThanOrEqual(Math.abs(Number(nanos)))
        expect(Math.sign(value(q))).toBe(Math.sign(Number(nanos)))
      }),
    )
  })

  it('never throws on arbitrary text, and what parses with a number in front matches the documented regex', () => {
    const alphabet = fc.constantFrom(...'0123456789.+-eEinumkKMGTP x')
    const regex = new RegExp(QUANTITY_FORMAT)
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 12 })), (text) => {
        const q = parseQuantity(text)
        if (q !== undefined && /^[+-]?[0-9.]/.test(text)) expect(text).toMatch(regex)
      }),
    )
  })
})
