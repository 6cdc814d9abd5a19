import { fieldError, type FieldError } from '../../field-errors.js'

/**
 * IntOrString fields of rolling updates (`maxUnavailable`, `maxSurge`) as kubernetes
 * `pkg/apis/apps/validation/validation.go` checks them.
 */

const PERCENT = /^[0-9]+%$/

/** `ValidatePositiveIntOrPercent`: an integer ≥ 0 or a percentage string (`25%`). Absent is valid. */
export function validateIntOrPercent(value: unknown, path: string): FieldError[] {
  if (value === undefined || value === null) return []
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return [fieldError.invalid(path, value, 'must be an integer')]
    return value < 0 ? [fieldError.invalid(path, value, 'must be greater than or equal to 0')] : []
  }
  if (typeof value !== 'string') return [fieldError.invalid(path, value, "must be an integer or percentage (e.g '5%%')")]
  if (PERCENT.test(value)) return []
  return [
    fieldError.invalid(
      path,
      value,
      "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ),
  ]
}

/**
 * The number an IntOrString stands for when checking for zero (`getIntOrPercentValue`): the
 * percentage of a valid percent string, else the integer (a string that is not a number counts as 0).
 */
export function intOrPercentValue(value: unknown): number {
  if (typeof value === 'number') return value
  if (typeof value !== 'string') return 0
  if (PERCENT.test(value)) return Number(value.slice(0, -1))
  return /^[+-]?[0-9]+$/.test(value) ? Number(value) : 0
}

/** `IsNotMoreThan100Percent`: `must not be greater than 100%` for a percentage above 100. */
export function notMoreThan100Percent(value: unknown, path: string): FieldError[] {
  return typeof value === 'string' && PERCENT.test(value) && Number(value.slice(0, -1)) > 100
    ? [fieldError.invalid(path, value, 'must not be greater than 100%')]
    : []
}
