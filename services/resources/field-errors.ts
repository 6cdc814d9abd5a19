import { StatusError, truncate } from '../errors.js'

/**
 * Field errors as Kubernetes reports them (apimachinery `util/validation/field`): a path, a type,
 * the bad value and a detail. Validators return lists of these; `invalid()` turns them into the
 * 422 Invalid StatusError with one cause per error.
 */
export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueDuplicate'
  | 'FieldValueNotFound'
  | 'FieldValueTooMany'

export interface FieldError {
  type: FieldErrorType
  /** The field path, e.g. `spec.containers[0].image` or `metadata.labels`. */
  field: string
  /** The message after the path: `Invalid value: "Web_1": a lowercase RFC 1123 …`. */
  body: string
}

const names: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueNotFound: 'Not found',
  FieldValueTooMany: 'Too many',
}

/** The longest bad value a field error prints; a longer one is cut with `...(truncated)`. */
export const MAX_PRINTED_VALUE_CHARS = 1024

/**
 * How Kubernetes prints a bad value: strings quoted, numbers and booleans plain, the rest as JSON;
 * cut to {@link MAX_PRINTED_VALUE_CHARS}, as a value may be megabytes.
 */
export function printValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (value === undefined || value === null) return 'null'
  return truncate(JSON.stringify(value) ?? String(value), MAX_PRINTED_VALUE_CHARS)
}

const make = (type: FieldErrorType, field: string, rest?: string): FieldError => ({
  type,
  field,
  body: rest === undefined || rest === '' ? names[type] : `${names[type]}: ${rest}`,
})

export const fieldError = {
  required: (field: string, detail?: string) => make('FieldValueRequired', field, detail),
  invalid: (field: string, value: unknown, detail?: string) =>
    make('FieldValueInvalid', field, detail ? `${printValue(value)}: ${detail}` : printValue(value)),
  notSupported: (field: string, value: unknown, supported: string[]) =>
    make(
      'FieldValueNotSupported',
      field,
      `${printValue(value)}${supported.length ? `: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : ''}`,
    ),
  forbidden: (field: string, detail: string) => make('FieldValueForbidden', field, detail),
  tooLong: (field: string, max: number) => make('FieldValueTooLong', field, `may not be more than ${max} bytes`),
  duplicate: (field: string, value: unknown) => make('FieldValueDuplicate', field, printValue(value)),
  notFound: (field: string, value: unknown) => make('FieldValueNotFound', field, printValue(value)),
  tooMany: (field: string, actual: number, max: number) => make('FieldValueTooMany', field, `${actual}: must have at most ${max} items`),
}

/** `spec.containers[0].name: Required value` */
export function formatFieldError(error: FieldError): string {
  return `${error.field}: ${error.body}`
}

/**
 * The 422 Invalid error: `Pod "web" is invalid: spec.containers[0].image: Required value`, or with
 * several errors `... is invalid: [a, b]`; one cause per field error.
 */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): StatusError {
  const qualified = group ? `${kind}.${group}` : kind
  const text = errors.length === 1 ? formatFieldError(errors[0]!) : `[${errors.map(formatFieldError).join(', ')}]`
  return new StatusError('Invalid', `${qualified} "${name}" is invalid: ${text}`, {
    name,
    group,
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.body, field: e.field })),
  })
}
