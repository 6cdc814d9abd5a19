import { fieldError, type FieldError } from '../field-errors.js'
import { byteLength } from './byte-length.js'
import { maxLenError, regexError } from './messages.js'
import { qualifiedName } from './names.js'

/**
 * metadata.labels and metadata.annotations as Kubernetes validates them (apimachinery
 * `apis/meta/v1/validation/validation.go ValidateLabels`, `api/validation/objectmeta.go
 * ValidateAnnotations`). Every error is reported at the map's own path, with the offending key or
 * value as the bad value: `metadata.labels: Invalid value: "a b": a valid label must be …`.
 */

const labelValueFmt = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'
const labelValueRegexp = new RegExp(`^${labelValueFmt}$`)
const labelValueErrMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"

/** Maximum length of a label value, in bytes. */
export const LABEL_VALUE_MAX_LENGTH = 63
/** Maximum total size of an object's annotations: Σ(key bytes + value bytes). */
export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024

const notAStringMap = 'must be a map of string keys to string values'
const notAString = 'must be a string'

/** A label value: empty, or at most 63 bytes of the label-key name format. Detail messages, `[]` when valid. */
export function labelValue(value: string): string[] {
  const errors: string[] = []
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) errors.push(maxLenError(LABEL_VALUE_MAX_LENGTH))
  if (!labelValueRegexp.test(value)) errors.push(regexError(labelValueErrMsg, labelValueFmt, 'MyValue', 'my_value', '12345'))
  return errors
}

/**
 * Validates a labels map: each key must be a qualified name, each value a label value. Absent
 * (`undefined`/`null`) labels are valid; anything but a map of strings is `Invalid value`.
 */
export function validateLabels(labels: unknown, field: string): FieldError[] {
  const entries = stringMapEntries(labels, field)
  if (!Array.isArray(entries)) return entries.errors
  const errors: FieldError[] = []
  for (const [key, value] of entries) {
    errors.push(...qualifiedName(key).map((message) => fieldError.invalid(field, key, message)))
    if (typeof value !== 'string') errors.push(fieldError.invalid(field, value, notAString))
    else errors.push(...labelValue(value).map((message) => fieldError.invalid(field, value, message)))
  }
  return errors
}

/**
 * Validates an annotations map: keys are qualified names once lower-cased (so `Example.com/Key` is
 * fine here though not as a label key), values are free text, and the total of key and value bytes
 * may not exceed 262144 (`Too long: may not be more than 262144 bytes`).
 */
export function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  const entries = stringMapEntries(annotations, field)
  if (!Array.isArray(entries)) return entries.errors
  const errors: FieldError[] = []
  let totalSize = 0
  for (const [key, value] of entries) {
    errors.push(...qualifiedName(key.toLowerCase()).map((message) => fieldError.invalid(field, key, message)))
    if (typeof value !== 'string') errors.push(fieldError.invalid(field, value, notAString))
    else totalSize += byteLength(key) + byteLength(value)
  }
  if (totalSize > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) errors.push(fieldError.tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES))
  return errors
}

/** The entries of a JSON object, or the errors explaining why the value is not one (none when absent). */
function stringMapEntries(value: unknown, field: string): Array<[string, unknown]> | { errors: FieldError[] } {
  if (value === undefined || value === null) return []
  if (typeof value !== 'object' || Array.isArray(value)) return { errors: [fieldError.invalid(field, value, notAStringMap)] }
  return Object.entries(value)
}
