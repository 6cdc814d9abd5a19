import { errors } from '../errors.js'

/**
 * Kubernetes field selectors (apimachinery `fields/selector.go`): comma-separated `field=value`, `field==value`
 * and `field!=value` terms, values escaping `\,` `\=` `\\`. Parsing, matching, the canonical String()
 * form and the per-kind check of supported fields. Pure: no I/O.
 */

export interface FieldRequirement {
  field: string
  operator: '=' | '==' | '!='
  value: string
}

/** Requirements that must all hold. No requirements selects everything. */
export interface FieldSelector {
  requirements: FieldRequirement[]
}

/** The fields every kind supports. */
export const metadataFieldLabels: readonly string[] = ['metadata.name', 'metadata.namespace']

/** Checked in this order at each position, so `==` wins over `=` and no `=` is left on the value. */
const operators = ['!=', '==', '='] as const

/** Go's byte-wise string order (UTF-8 order is code point order, unlike JS's UTF-16 order). */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b))

/** Splits on commas that are not escaped; escapes stay in the terms. */
function splitTerms(text: string): string[] {
  if (text === '') return []
  const terms: string[] = []
  let start = 0
  let escaped = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (escaped) escaped = false
    else if (c === '\\') escaped = true
    else if (c === ',') {
      terms.push(text.slice(start, i))
      start = i + 1
    }
  }
  terms.push(text.slice(start))
  return terms
}

/** Splits a term at the first operator; the field part has no escaping. */
function splitTerm(term: string): { field: string; operator: FieldRequirement['operator']; rest: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    const operator = operators.find((op) => term.startsWith(op, i))
    if (operator) return { field: term.slice(0, i), operator, rest: term.slice(i + operator.length) }
  }
  return undefined
}

/** Undoes `\\`, `\,` and `\=`; any other escape, or a bare `,`/`=`, is an error. */
function unescapeValue(text: string): string {
  let value = ''
  let escaped = false
  for (const c of text) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') throw errors.badRequest(`invalid field selector: invalid escape sequence: \\${c}`)
      value += c
      escaped = false
    } else if (c === '\\') {
      escaped = true
    } else if (c === ',' || c === '=') {
      // Kubernetes formats the rune with %v, which prints its number: `=` is 61
      throw errors.badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`)
    } else {
      value += c
    }
  }
  if (escaped) throw errors.badRequest('invalid field selector: invalid escape sequence: \\')
  return value
}

/** Escapes a literal value for use in a field selector: `\` → `\\`, `,` → `\,`, `=` → `\=`. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`)
}

/**
 * Parses a field selector as Kubernetes does: terms sorted by their text, empty terms ignored, a term
 * whose field and value are both empty dropped. Throws a BadRequest StatusError with Kubernetes' message.
 */
export function parseFieldSelector(text: string): FieldSelector {
  const requirements: FieldRequirement[] = []
  for (const term of splitTerms(text).sort(byteOrder)) {
    if (term === '') continue
    const parts = splitTerm(term)
    if (!parts) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${term}'`)
    const value = unescapeValue(parts.rest)
    if (parts.field === '' && value === '') continue
    requirements.push({ field: parts.field, operator: parts.operator, value })
  }
  return { requirements }
}

/** Whether the object's field values satisfy every requirement; a missing field reads as "". */
export function matchesFields(selector: FieldSelector, fields: Record<string, string>): boolean {
  return selector.requirements.every(({ field, operator, value }) => {
    const actual = Object.hasOwn(fields, field) ? fields[field] : ''
    return operator === '!=' ? actual !== value : actual === value
  })
}

/** Checks every field of the selector is one the kind supports; throws BadRequest `field label not supported: <field>` otherwise. */
export function checkSupportedFields(selector: FieldSelector, supported: readonly string[]): void {
  const unsupported = selector.requirements.find(({ field }) => !supported.includes(field))
  if (unsupported) throw errors.badRequest(`field label not supported: ${unsupported.field}`)
}

/** Kubernetes' canonical String(): `==` prints as `=`, values escaped. */
export function fieldSelectorToString(selector: FieldSelector): string {
  return selector.requirements
    .map(({ field, operator, value }) => `${field}${operator === '!=' ? '!=' : '='}${escapeFieldValue(value)}`)
    .join(',')
}
