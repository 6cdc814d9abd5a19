/**
 * The lexical half of Kubernetes' `ParseQuantity` (apimachinery `pkg/api/resource/quantity.go
 * parseQuantityString`, `suffix.go interpret`): splits a quantity into sign, digits and suffix, and
 * says which of upstream's three errors a malformed one gets. Its leniencies are upstream's too:
 * `+`, `-` and `.` alone are zero, and so is a bare suffix such as `m` or `Ki` (kubernetes/apimachinery#165).
 */

/** The regular expression Kubernetes names when a quantity is malformed. */
export const QUANTITY_FORMAT = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'

/** `quantities must match the regular expression '…'` (upstream `ErrFormatWrong`). */
export const errFormatWrong = `quantities must match the regular expression '${QUANTITY_FORMAT}'`
/** `unable to parse numeric part of quantity` (upstream `ErrNumeric`). */
export const errNumeric = 'unable to parse numeric part of quantity'
/** `unable to parse quantity's suffix` (upstream `ErrSuffix`). */
export const errSuffix = "unable to parse quantity's suffix"

/** What the scanner found: the sign, the integer and fraction digits, the suffix, and the numeric text. */
export interface ScannedQuantity {
  negative: boolean
  /** Integer digits without leading zeros (`'0'` when there are none). */
  num: string
  /** Fraction digits, possibly empty. */
  denom: string
  suffix: string
  /** The numeric text as written (sign, zeros, point included); upstream parses this on its slow path. */
  numeric: string
}

/** How a suffix scales the number: `base ** exponent`, and the format the quantity keeps. */
export interface Suffix {
  base: 2 | 10
  exponent: number
  format: 'DecimalSI' | 'BinarySI' | 'DecimalExponent'
}

const decimalSuffixes = new Map(Object.entries({ n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }))
const binarySuffixes = new Map(Object.entries({ Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 }))
const suffixChars = 'eEinumkKMGTP'
const INT64_MAX = (1n << 63n) - 1n

const isDigit = (char: string | undefined): boolean => char !== undefined && char >= '0' && char <= '9'

/** Scans a quantity the way upstream's fast scanner does; `undefined` where it reports the format error. */
export function scanQuantity(text: string): ScannedQuantity | undefined {
  const end = text.length
  let pos = 0
  const negative = text[0] === '-'
  if (negative || text[0] === '+') pos++
  while (pos < end && text[pos] === '0') pos++
  if (pos >= end) return { negative, num: '0', denom: '', suffix: '', numeric: '0' }
  const numStart = pos
  while (isDigit(text[pos])) pos++
  const num = text.slice(numStart, pos) || '0'
  if (pos >= end) return { negative, num, denom: '', suffix: '', numeric: text }
  let denom = ''
  if (text[pos] === '.') {
    const denomStart = ++pos
    while (isDigit(text[pos])) pos++
    denom = text.slice(denomStart, pos)
    if (pos >= end) return { negative, num, denom, suffix: '', numeric: text }
  }
  const numeric = text.slice(0, pos)
  const suffixStart = pos
  while (pos < end && suffixChars.includes(text[pos]!)) pos++
  if (text[pos] === '-' || text[pos] === '+') pos++
  while (isDigit(text[pos])) pos++
  if (pos < end) return undefined
  return { negative, num, denom, suffix: text.slice(suffixStart), numeric }
}

/** Interprets a suffix (`Mi`, `m`, `e3`, `E-2`, ''), or `undefined` for one upstream rejects. */
export function interpretSuffix(suffix: string): Suffix | undefined {
  const decimal = decimalSuffixes.get(suffix)
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: 'DecimalSI' }
  const binary = binarySuffixes.get(suffix)
  if (binary !== undefined) return { base: 2, exponent: binary, format: 'BinarySI' }
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const parsed = BigInt(suffix.slice(1))
    // Go parses the exponent as an int64 and then narrows it to int32, wrapping.
    if (parsed > INT64_MAX || parsed < -INT64_MAX - 1n) return undefined
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' }
  }
  return undefined
}

/**
 * Whether upstream would take its int64 fast path for this number. Only then does a numeric text
 * without digits (`.`, `-`) still parse: the slow path hands it to a decimal parser, which fails.
 */
export function takesFastPath(scanned: ScannedQuantity, suffix: Suffix): boolean {
  const digits = scanned.num.length + scanned.denom.length
  if (suffix.format === 'BinarySI') {
    if (suffix.exponent < 0 || scanned.denom !== '') return false
    const precision = 15 - scanned.num.length - Math.trunc((suffix.exponent * 3) / 10) - 1
    return precision >= 0 && BigInt(scanned.num) << BigInt(suffix.exponent) <= INT64_MAX
  }
  return 18 - digits >= 0 && suffix.exponent - scanned.denom.length >= -9
}
