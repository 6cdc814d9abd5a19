/**
 * The canonical form of a quantity (apimachinery `pkg/api/resource/quantity.go CanonicalizeBytes`,
 * `amount.go AsCanonicalBytes`): no fraction, the exponent or suffix as large as possible without
 * losing precision, and the suffix family the quantity was written in.
 */

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent'

const NANOS_PER_UNIT = 1_000_000_000n
const decimalSuffixes = new Map([
  [-9, 'n'],
  [-6, 'u'],
  [-3, 'm'],
  [0, ''],
  [3, 'k'],
  [6, 'M'],
  [9, 'G'],
  [12, 'T'],
  [15, 'P'],
  [18, 'E'],
])
const binarySuffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei']

/** Renders `nanos` (a value in units of 10^-9) in `format`'s canonical form. */
export function formatQuantity(nanos: bigint, format: Format): string {
  if (nanos === 0n) return '0'
  // Binary is only kept for whole values of magnitude 1024 or more; anything else reads better in decimal.
  if (format === 'BinarySI' && (abs(nanos) < 1024n * NANOS_PER_UNIT || nanos % NANOS_PER_UNIT !== 0n)) {
    return formatDecimal(nanos, 'DecimalSI')
  }
  return format === 'BinarySI' ? formatBinary(nanos / NANOS_PER_UNIT) : formatDecimal(nanos, format)
}

/** `mantissa × 10^exponent` with every factor of ten moved into an exponent that is a multiple of 3. */
function formatDecimal(nanos: bigint, format: 'DecimalSI' | 'DecimalExponent'): string {
  let mantissa = nanos
  let exponent = -9
  while (mantissa % 10n === 0n) {
    mantissa /= 10n
    exponent++
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n
    exponent--
  }
  const si = decimalSuffixes.get(exponent)
  // Past `E` there is no SI suffix; upstream then falls back to an exponent rather than drop it.
  if (format === 'DecimalSI' && si !== undefined) return `${mantissa}${si}`
  return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`
}

/** A whole number as `mantissa` and the largest binary suffix that divides it exactly. */
function formatBinary(units: bigint): string {
  let mantissa = units
  let power = 0
  while (power < binarySuffixes.length - 1 && mantissa % 1024n === 0n) {
    mantissa /= 1024n
    power++
  }
  return `${mantissa}${binarySuffixes[power]}`
}

const abs = (n: bigint): bigint => (n < 0n ? -n : n)
