import { fieldError, type FieldError } from '../../field-errors.js'

/** Validates an IntOrString that is an integer ≥ 0 or a percentage string (`25%`). */
export function validateIntOrPercent(value: unknown, path: string): FieldError[] {
  if (value === undefined) return []
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return [fieldError.invalid(path, value, 'must be an integer')]
    return value < 0 ? [fieldError.invalid(path, value, 'must be greater than or equal to 0')] : []
  }
  if (typeof value !== 'string' || !/^[0-9]+%$/.test(value)) {
    return [
      fieldError.invalid(
        path,
        value,
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      ),
    ]
  }
  return []
}

/** The integer an IntOrString names, or its percentage as a number with `percent` set. */
export function intOrPercentValue(value: unknown): { value: number; percent: boolean } | undefined {
  if (typeof value === 'number') return { value, percent: false }
  if (typeof value === 'string' && /^[0-9]+%$/.test(value)) return { value: Number(value.slice(0, -1)), percent: true }
  return undefined
}
