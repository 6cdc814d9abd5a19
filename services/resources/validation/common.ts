import { fieldError, type FieldError } from '../field-errors.js'
import { byteLength } from './byte-length.js'
import { trimGoSpace } from './go-space.js'
import { inclusiveRangeError, isNegativeErrorMsg, maxLenError } from './messages.js'

/**
 * Small field checks many kinds share (Kubernetes `pkg/apis/core/validation/validation.go`,
 * apimachinery `util/validation/validation.go`): ports, port names, non-negative counts, images.
 */

/** Maximum length of an IANA service name (a named port), in bytes. */
export const PORT_NAME_MAX_LENGTH = 15

/**
 * A port number, 1–65535: `Invalid value: 0: must be between 1 and 65535, inclusive`. An absent port
 * is reported as 0, the value Kubernetes sees when the field is left out.
 */
export function validatePort(port: unknown, field: string): FieldError[] {
  const given = port === undefined || port === null ? 0 : port
  if (typeof given === 'number' && Number.isInteger(given) && given >= 1 && given <= 65535) return []
  return [fieldError.invalid(field, given, inclusiveRangeError(1, 65535))]
}

/**
 * An IANA_SVC_NAME (RFC 6335) as Kubernetes checks it: at most 15 bytes of `[-a-z0-9]`, at least one
 * letter, no `--`, no leading or trailing `-`. Detail messages, `[]` when valid.
 */
export function ianaServiceName(name: string): string[] {
  const errors: string[] = []
  if (byteLength(name) > PORT_NAME_MAX_LENGTH) errors.push(maxLenError(PORT_NAME_MAX_LENGTH))
  if (!/^[-a-z0-9]+$/.test(name)) errors.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)')
  if (!/[a-z]/.test(name)) errors.push('must contain at least one letter (a-z)')
  if (name.includes('--')) errors.push('must not contain consecutive hyphens')
  if (name.startsWith('-') || name.endsWith('-')) errors.push('must not begin or end with a hyphen')
  return errors
}

/**
 * A named port (container port names, `targetPort` names): an IANA_SVC_NAME. Absent names are
 * valid, since port names are optional; an empty string is checked (and fails) as Kubernetes would.
 */
export function validatePortName(name: unknown, field: string): FieldError[] {
  if (name === undefined || name === null) return []
  if (typeof name !== 'string') return [fieldError.invalid(field, name, 'must be a string')]
  return ianaServiceName(name).map((message) => fieldError.invalid(field, name, message))
}

/** A `targetPort`-style value: a port number (1–65535) or a port name (IANA_SVC_NAME). */
export function validatePortNumberOrName(port: unknown, field: string): FieldError[] {
  return typeof port === 'string' ? validatePortName(port, field) : validatePort(port, field)
}

/**
 * A count that may not be negative (replicas, seconds): `must be greater than or equal to 0`.
 * Absent is valid (it defaults); a non-integer is `must be an integer`.
 */
export function validateNonNegative(value: unknown, field: string): FieldError[] {
  if (value === undefined || value === null) return []
  if (typeof value === 'bigint') return value < 0n ? [fieldError.invalid(field, value, isNegativeErrorMsg)] : []
  if (typeof value !== 'number' || !Number.isInteger(value)) return [fieldError.invalid(field, value, 'must be an integer')]
  return value < 0 ? [fieldError.invalid(field, value, isNegativeErrorMsg)] : []
}

/**
 * A container image: required (`Required value`), and without leading or trailing whitespace as
 * Go's `strings.TrimSpace` sees it (`must not have leading or trailing whitespace`).
 */
export function validateImage(image: unknown, field: string): FieldError[] {
  if (image === undefined || image === null || image === '') return [fieldError.required(field)]
  if (typeof image !== 'string') return [fieldError.invalid(field, image, 'must be a string')]
  if (trimGoSpace(image) !== image) return [fieldError.invalid(field, image, 'must not have leading or trailing whitespace')]
  return []
}
