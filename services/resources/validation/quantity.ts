import { fieldError, type FieldError } from '../field-errors.js'
import { trimGoSpace } from './go-space.js'
import { isNegativeErrorMsg } from './messages.js'
import { formatQuantity } from './quantity-format.js'
import { errFormatWrong, errNumeric, errSuffix, interpretSuffix, scanQuantity, takesFastPath } from './quantity-scan.js'

/**
 * Kubernetes' `resource.Quantity` (apimachinery `pkg/api/resource`): `500m`, `1Gi`, `1.5`, `129e6`.
 * The value is kept exactly, as a bigint count of nano-units, with the suffix family it was written
 * in; the canonical string is derived from those two as upstream's `String()` does.
 */
export interface Quantity {
  /** the value in units of 10^-9 (nano) as bigint, exact */
  nanos: bigint
  format: 'DecimalSI' | 'BinarySI' | 'DecimalExponent'
}

const NANOS_PER_UNIT = 1_000_000_000n
/** Binary quantities are silently capped at 2^63-1 when parsed (`8Ei` parses as 2^63-1). */
const BINARY_MAX_NANOS = ((1n << 63n) - 1n) * NANOS_PER_UNIT
/**
 * The largest power of ten we expand into a bigint. Kubernetes accepts any int32 exponent
 * (`1e999999999`); we refuse beyond this rather than build a gigabyte-sized integer.
 */
const MAX_EXPANDED_EXPONENT = 10_000

/** Parses a quantity as Kubernetes' `ParseQuantity` does; `undefined` when Kubernetes rejects it. */
export function parseQuantity(text: string): Quantity | undefined {
  const parsed = parse(text)
  return typeof parsed === 'string' ? undefined : parsed
}

/**
 * Why Kubernetes rejects a quantity: one of `quantities must match the regular expression '…'`,
 * `unable to parse quantity's suffix`, `unable to parse numeric part of quantity`; `undefined` when valid.
 */
export function quantityParseError(text: string): string | undefined {
  const parsed = parse(text)
  return typeof parsed === 'string' ? parsed : undefined
}

function parse(text: string): Quantity | string {
  if (text === '') return errFormatWrong
  if (text === '0') return { nanos: 0n, format: 'DecimalSI' }
  const scanned = scanQuantity(text)
  if (scanned === undefined) return errFormatWrong
  const suffix = interpretSuffix(scanned.suffix)
  if (suffix === undefined) return errSuffix
  if (!/[0-9]/.test(scanned.numeric) && !takesFastPath(scanned, suffix)) return errNumeric

  let mantissa = BigInt(scanned.num + scanned.denom)
  let tenExponent = -scanned.denom.length + 9
  if (suffix.base === 2) mantissa <<= BigInt(suffix.exponent)
  else tenExponent += suffix.exponent
  if (tenExponent > MAX_EXPANDED_EXPONENT) return errNumeric
  // Finer than nano rounds away from zero, so that asking for a little gets at least 1n.
  let nanos = tenExponent >= 0 ? mantissa * 10n ** BigInt(tenExponent) : divideRoundingUp(mantissa, -tenExponent)
  if (suffix.format === 'BinarySI' && nanos > BINARY_MAX_NANOS) nanos = BINARY_MAX_NANOS
  if (scanned.negative) nanos = -nanos
  // A binary quantity strictly between -1 and 1 is rendered in decimal; upstream switches its format.
  const format = suffix.format === 'BinarySI' && nanos !== 0n && abs(nanos) < NANOS_PER_UNIT ? 'DecimalSI' : suffix.format
  return { nanos, format }
}

/**
 * The canonical string Kubernetes serialises a quantity as: no fractional digits, the largest
 * suffix of its family that loses nothing (`0.5` → `500m`, `1000m` → `1`, `1024Mi` → `1Gi`,
 * `1.5Gi` → `1536Mi`, `129e6` → `129e6`).
 */
export function quantityString(q: Quantity): string {
  return formatQuantity(q.nanos, q.format)
}

/** Compares two quantities by value: negative, zero or positive as `a` is less, equal or greater. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0
}

/**
 * The value in thousandths (cpu millicores), rounded away from zero as Kubernetes' `MilliValue()`
 * does for parsed quantities: `0.1m` → 1, `-1.5m` → -2. Precision beyond 2^53 is lost.
 */
export function milliValue(q: Quantity): number {
  return Number(divideAwayFromZero(q.nanos, 1_000_000n))
}

/** The value in whole units, rounded away from zero as Kubernetes' `Value()` does: `1.5` → 2, `100m` → 1. */
export function value(q: Quantity): number {
  return Number(divideAwayFromZero(q.nanos, NANOS_PER_UNIT))
}

/** Options for {@link validateQuantity}. */
export interface QuantityOptions {
  /**
   * Reject negative quantities with `must be greater than or equal to 0`, the canonical form as the bad value.
   * @default false
   */
  nonNegative?: boolean
}

/**
 * Validates a quantity field value (string or number as users write it); Kubernetes' message for a malformed quantity.
 * Absent values are valid. Like Kubernetes' JSON decoding, surrounding whitespace in a string is ignored.
 */
export function validateQuantity(value: unknown, field: string, options: QuantityOptions = {}): FieldError[] {
  if (value === undefined || value === null) return []
  const text = quantityText(value)
  const parsed = text === undefined ? errFormatWrong : parse(text)
  if (typeof parsed === 'string') return [fieldError.invalid(field, value, parsed)]
  if (options.nonNegative && parsed.nanos < 0n) return [fieldError.invalid(field, quantityString(parsed), isNegativeErrorMsg)]
  return []
}

/** The text a JSON value decodes from as a quantity: numbers as written, strings trimmed as Go's `TrimSpace`. */
function quantityText(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined
  if (typeof value === 'bigint') return String(value)
  return typeof value === 'string' ? trimGoSpace(value) : undefined
}

function divideRoundingUp(magnitude: bigint, powerOfTen: number): bigint {
  // Dividing a d-digit number by 10^k with k > d gives 0 remainder (the number) either way.
  const power = 10n ** BigInt(Math.min(powerOfTen, magnitude.toString().length + 1))
  const quotient = magnitude / power
  return magnitude % power === 0n ? quotient : quotient + 1n
}

function divideAwayFromZero(n: bigint, by: bigint): bigint {
  const quotient = n / by
  if (n % by === 0n) return quotient
  return n < 0n ? quotient - 1n : quotient + 1n
}

const abs = (n: bigint): bigint => (n < 0n ? -n : n)
