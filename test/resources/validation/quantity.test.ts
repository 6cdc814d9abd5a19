import { describe, expect, it } from 'vitest'
import { formatFieldError } from '../../../services/resources/field-errors.js'
import {
  compareQuantities,
  milliValue,
  parseQuantity,
  quantityParseError,
  quantityString,
  validateQuantity,
  value,
  type Quantity,
} from '../../../services/resources/validation/quantity.js'

const formatError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
const suffixError = "unable to parse quantity's suffix"
const numericError = 'unable to parse numeric part of quantity'

const parse = (text: string): Quantity => {
  const q = parseQuantity(text)
  if (q === undefined) throw new Error(`expected ${JSON.stringify(text)} to parse`)
  return q
}
const canonical = (text: string) => quantityString(parse(text))

describe('parseQuantity', () => {
  it.each<[string, bigint, Quantity['format']]>([
    ['500m', 500_000_000n, 'DecimalSI'],
    ['1Gi', 1073741824n * 10n ** 9n, 'BinarySI'],
    ['1.5', 1_500_000_000n, 'DecimalSI'],
    ['1e3', 1000n * 10n ** 9n, 'DecimalExponent'],
    ['1E3', 1000n * 10n ** 9n, 'DecimalExponent'],
    ['1e+3', 1000n * 10n ** 9n, 'DecimalExponent'],
    ['1e-3', 1_000_000n, 'DecimalExponent'],
    ['+1', 1_000_000_000n, 'DecimalSI'],
    ['-1', -1_000_000_000n, 'DecimalSI'],
    ['0.1', 100_000_000n, 'DecimalSI'],
    ['.5', 500_000_000n, 'DecimalSI'],
    ['1.', 1_000_000_000n, 'DecimalSI'],
    ['007', 7_000_000_000n, 'DecimalSI'],
    ['128974848', 128974848n * 10n ** 9n, 'DecimalSI'],
    ['129e6', 129n * 10n ** 15n, 'DecimalExponent'],
    ['123Mi', 123n * 1048576n * 10n ** 9n, 'BinarySI'],
    ['1k', 10n ** 12n, 'DecimalSI'],
    ['1E', 10n ** 27n, 'DecimalSI'],
    ['1n', 1n, 'DecimalSI'],
    ['1u', 1000n, 'DecimalSI'],
    ['0', 0n, 'DecimalSI'],
    ['0Ki', 0n, 'BinarySI'],
    ['18446744073709551616', 18446744073709551616n * 10n ** 9n, 'DecimalSI'],
  ])('parses %j exactly', (text, nanos, format) => {
    expect(parseQuantity(text)).toEqual({ nanos, format })
  })

  it('rounds a value finer than nano away from zero', () => {
    expect(parse('0.9n').nanos).toBe(1n)
    expect(parse('-0.9n').nanos).toBe(-1n)
    expect(parse('1e-10').nanos).toBe(1n)
    expect(parse('0.0000000001').nanos).toBe(1n)
    expect(parse('1e-2147483648').nanos).toBe(1n)
  })

  it('caps a binary quantity at 2^63-1 but not a decimal one', () => {
    expect(parse('8Ei').nanos).toBe(((1n << 63n) - 1n) * 10n ** 9n)
    expect(parse('9223372036854775808').nanos).toBe(9223372036854775808n * 10n ** 9n)
  })

  it('switches a binary quantity strictly between -1 and 1 to DecimalSI', () => {
    expect(parse('0.0001Ki').format).toBe('DecimalSI')
    expect(parse('0.5Ki').format).toBe('BinarySI')
  })

  it.each([
    ['', formatError],
    [' 1', formatError],
    ['1 ', formatError],
    ['1.5.5', formatError],
    ['abc', formatError],
    ['1,5', formatError],
    ['1Gi5x', formatError],
    ['--1', suffixError],
    ['1Gii', suffixError],
    ['1K', suffixError],
    ['1mi', suffixError],
    ['1e', suffixError],
    ['1ei', suffixError],
    ['1e+', suffixError],
    ['1Ee3', suffixError],
    ['+-1', suffixError],
    ['1e99999999999999999999', suffixError],
    ['.e-10', numericError],
    ['Pi', numericError],
    ['1e20000', numericError],
  ])('rejects %j with Kubernetes’ message', (text, message) => {
    expect(parseQuantity(text)).toBeUndefined()
    expect(quantityParseError(text)).toBe(message)
  })

  it('has no error for a valid quantity', () => {
    expect(quantityParseError('100Mi')).toBeUndefined()
  })

  it('accepts what Kubernetes’ scanner accepts although the regex would not: signs, points and bare suffixes are zero', () => {
    for (const text of ['+', '-', '.', 'm', 'k', 'Ki', 'e3']) expect(parse(text).nanos).toBe(0n)
  })

  it('wraps a huge exponent to 32 bits as Go does', () => {
    expect(parse('1e4294967296').nanos).toBe(10n ** 9n)
  })
})

describe('quantityString', () => {
  it.each([
    ['0.5', '500m'],
    ['1000m', '1'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['1.5', '1500m'],
    ['100m', '100m'],
    ['0.1', '100m'],
    ['+1', '1'],
    ['1k', '1k'],
    ['1000', '1k'],
    ['1500', '1500'],
    ['1000000', '1M'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['129e6', '129e6'],
    ['1e-3', '1e-3'],
    ['0.5e0', '500e-3'],
    ['1e-10', '1e-9'],
    ['128974848', '128974848'],
    ['123Mi', '123Mi'],
    ['100Ki', '100Ki'],
    ['1Ki', '1Ki'],
    ['1023.5Ki', '1048064'],
    ['0.5Ki', '512'],
    ['1.1Ki', '1126400m'],
    ['0.0001Ki', '102400u'],
    ['8Ei', '9223372036854775807'],
    ['1E', '1E'],
    ['1000P', '1E'],
    ['1000E', '1e21'],
    ['0.9n', '1n'],
    ['-1.5', '-1500m'],
    ['-1Ki', '-1Ki'],
    ['-1.5Gi', '-1536Mi'],
    ['0', '0'],
    ['0Ki', '0'],
    ['-0', '0'],
    ['0.000', '0'],
    ['00100', '100'],
  ])('renders %j as %j', (text, expected) => {
    expect(canonical(text)).toBe(expected)
  })
})

describe('compareQuantities', () => {
  it.each([
    ['1', '1000m', 0],
    ['1Ki', '1024', 0],
    ['1k', '1Ki', -1],
    ['1Gi', '1G', 1],
    ['-1', '0', -1],
    ['129e6', '123Mi', 1],
    ['128974848', '123Mi', 0],
    ['1n', '0', 1],
  ])('compares %j with %j as %i', (left, right, expected) => {
    expect(compareQuantities(parse(left), parse(right))).toBe(expected)
    expect(compareQuantities(parse(right), parse(left))).toBe(-expected || 0)
  })
})

describe('milliValue and value', () => {
  it.each([
    ['1', 1000, 1],
    ['500m', 500, 1],
    ['100m', 100, 1],
    ['0.1m', 1, 1],
    ['1.5', 1500, 2],
    ['2.0001', 2001, 3],
    ['1Ki', 1024000, 1024],
    ['1.1Ki', 1126400, 1127],
    ['0', 0, 0],
    ['-1.5', -1500, -2],
    ['-0.1m', -1, -1],
  ])('gives %j as %i milli and %i', (text, milli, whole) => {
    expect(milliValue(parse(text))).toBe(milli)
    expect(value(parse(text))).toBe(whole)
  })
})

describe('validateQuantity', () => {
  it('accepts strings, numbers and absent values', () => {
    for (const given of ['500m', '1Gi', 2, 0.5, 1e3, undefined, null]) expect(validateQuantity(given, 'spec.cpu')).toEqual([])
  })

  it('reports a malformed quantity with Kubernetes’ message', () => {
    expect(validateQuantity('1.5.5', 'spec.containers[0].resources.limits.cpu').map(formatFieldError)).toEqual([
      `spec.containers[0].resources.limits.cpu: Invalid value: "1.5.5": ${formatError}`,
    ])
    expect(validateQuantity('1Gii', 'f').map(formatFieldError)).toEqual([`f: Invalid value: "1Gii": ${suffixError}`])
    expect(validateQuantity('', 'f').map(formatFieldError)).toEqual([`f: Invalid value: "": ${formatError}`])
    expect(validateQuantity(true, 'f').map(formatFieldError)).toEqual([`f: Invalid value: true: ${formatError}`])
    expect(validateQuantity(Number.NaN, 'f')).toHaveLength(1)
  })

  it('ignores surrounding whitespace in a string, as Kubernetes’ JSON decoding does', () => {
    expect(validateQuantity(' 1 ', 'f')).toEqual([])
    expect(validateQuantity('\t100Mi\n', 'f')).toEqual([])
    expect(validateQuantity('\uFEFF1', 'f')).toHaveLength(1)
  })

  it('rejects a negative quantity when asked, printing its canonical form', () => {
    expect(validateQuantity('-1.5', 'f')).toEqual([])
    expect(validateQuantity('-1.5', 'f', { nonNegative: true }).map(formatFieldError)).toEqual([
      'f: Invalid value: "-1500m": must be greater than or equal to 0',
    ])
    expect(validateQuantity(-2, 'f', { nonNegative: true }).map(formatFieldError)).toEqual([
      'f: Invalid value: "-2": must be greater than or equal to 0',
    ])
    expect(validateQuantity('0', 'f', { nonNegative: true })).toEqual([])
  })
})
