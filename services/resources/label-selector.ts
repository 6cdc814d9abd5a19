import { errors, type StatusError } from '../errors.js'
import { fieldError, formatFieldError, type FieldError } from './field-errors.js'

/**
 * Kubernetes label selectors (k8s-reference.md 2.1–2.3): the `?labelSelector=` string grammar with
 * Kubernetes' error messages, the canonical String() form, matching, and metav1.LabelSelector
 * objects (`matchLabels` / `matchExpressions`) with their validation errors. Pure: no I/O.
 */

/** Kubernetes' selection operators; `GreaterThan`/`LessThan` are the grammar's `>`/`<`. */
export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'DoubleEquals' | 'NotEquals' | 'GreaterThan' | 'LessThan'

/** One condition on one label key. `values` are sorted and de-duplicated; Exists/DoesNotExist have none. */
export interface Requirement {
  key: string
  operator: Operator
  values: string[]
}

/** Requirements that must all hold, sorted by key. No requirements selects everything. */
export interface LabelSelector {
  requirements: Requirement[]
}

const frozen = (requirements: Requirement[]): LabelSelector =>
  Object.freeze({ requirements: Object.freeze(requirements.map((r) => Object.freeze(r))) as Requirement[] })

/** Selects every object: the empty string, or a metav1 selector `{}`. */
export const everything: LabelSelector = frozen([])

/**
 * Selects no object: a nil metav1 selector. An `In` over no values can be written by neither the
 * grammar nor a valid metav1 selector, never matches, and survives a JSON round trip.
 */
export const nothing: LabelSelector = frozen([{ key: '', operator: 'In', values: [] }])

/** Whether the selector is `nothing` (or an equivalent copy of it). */
export function isNothing(selector: LabelSelector): boolean {
  const only = selector.requirements.length === 1 ? selector.requirements[0] : undefined
  return only !== undefined && only.operator === 'In' && only.values.length === 0
}

// ---- label key and value rules (k8s-reference.md 1.7), kept private to this module ----

const nameFormat = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'
const valueFormat = `(${nameFormat})?`
const subdomainFormat = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'
const namePattern = new RegExp(`^${nameFormat}$`)
const valuePattern = new RegExp(`^${valueFormat}$`)
const subdomainPattern = new RegExp(`^${subdomainFormat}$`)
const nameRule = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
const valueRule = `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`
const subdomainRule =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8')
const regexError = (rule: string, format: string, ...examples: string[]): string =>
  `${rule} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${format}')`

function labelKeyProblems(key: string): string[] {
  const parts = key.split('/')
  if (parts.length > 2) {
    const rule = regexError(nameRule, nameFormat, 'MyName', 'my.name', '123-abc')
    return [`a valid label key ${rule} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`]
  }
  const problems: string[] = []
  const prefix = parts.length === 2 ? parts[0]! : undefined
  if (prefix === '') problems.push('prefix part must be non-empty')
  else if (prefix !== undefined) {
    if (bytes(prefix) > 253) problems.push('prefix part must be no more than 253 bytes')
    if (!subdomainPattern.test(prefix)) problems.push(`prefix part ${regexError(subdomainRule, subdomainFormat, 'example.com')}`)
  }
  const name = parts[parts.length - 1]!
  if (name === '') problems.push('name part must be non-empty')
  else if (bytes(name) > 63) problems.push('name part must be no more than 63 bytes')
  if (!namePattern.test(name)) problems.push(`name part ${regexError(nameRule, nameFormat, 'MyName', 'my.name', '123-abc')}`)
  return problems
}

function labelValueProblems(value: string): string[] {
  const problems: string[] = []
  if (bytes(value) > 63) problems.push('must be no more than 63 bytes')
  if (!valuePattern.test(value)) problems.push(regexError(valueRule, valueFormat, 'MyValue', 'my_value', '12345'))
  return problems
}

/** Go's strconv.ParseInt(text, 10, 64): an optional sign, decimal digits, within int64. */
function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined
  const n = BigInt(text)
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined
}

/** Go's byte-wise string order (UTF-8 order is code point order, unlike JS's UTF-16 order). */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b))
const byKey = (a: Requirement, b: Requirement): number => byteOrder(a.key, b.key)
const uniqueSorted = (values: string[]): string[] => [...new Set(values)].sort(byteOrder)

// ---- the string grammar (apimachinery labels/selector.go) ----

interface Token {
  /** `id`, `end`, the keywords `in`/`notin`, or the operator itself (`(`, `==`, `!`, ...). */
  type: string
  literal: string
}

const whitespace = new Set([' ', '\t', '\r', '\n'])
const specials = new Set(['=', '!', '(', ')', ',', '>', '<'])
const symbolTokens = new Set(['=', '==', '!=', '!', '(', ')', ',', '>', '<'])

/**
 * Splits the selector into tokens. Like Kubernetes' lexer (which reads byte 0 as end of input), a NUL
 * character ends the token it follows and, met between tokens, the whole input.
 */
function lex(text: string): Token[] {
  let pos = 0
  const read = (): string => (pos < text.length ? text[pos++]! : '\0')
  const tokens: Token[] = []
  for (;;) {
    let ch = read()
    while (whitespace.has(ch)) ch = read()
    if (ch === '\0') return [...tokens, { type: 'end', literal: '' }]
    pos--
    let literal = ''
    if (specials.has(ch)) {
      // the longest run of special characters that is still an operator: `!=` and `==` win over `!`, `=`
      for (ch = read(); ch !== '\0'; ch = read()) {
        if (!specials.has(ch) || (literal !== '' && !symbolTokens.has(literal + ch))) {
          pos--
          break
        }
        literal += ch
      }
      tokens.push({ type: literal, literal })
    } else {
      for (ch = read(); ch !== '\0'; ch = read()) {
        if (specials.has(ch) || whitespace.has(ch)) {
          pos--
          break
        }
        literal += ch
      }
      tokens.push({ type: literal === 'in' || literal === 'notin' ? literal : 'id', literal })
    }
  }
}

/** Walks the tokens. Outside operator position the keywords `in`/`notin` are plain identifiers. */
function cursor(tokens: Token[]) {
  let position = 0
  const at = (i: number): Token => tokens[Math.min(i, tokens.length - 1)]!
  const asValue = (t: Token): Token => (t.type === 'in' || t.type === 'notin' ? { type: 'id', literal: t.literal } : t)
  return {
    peek: (): Token => asValue(at(position)),
    next: (): Token => asValue(at(position++)),
    nextOperator: (): Token => at(position++),
  }
}
type Cursor = ReturnType<typeof cursor>

const inRequirement = (message: string): StatusError => errors.badRequest(`unable to parse requirement: ${message}`)

/** Kubernetes' aggregate error text: one message alone, several de-duplicated inside `[…]`. */
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)]
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`
}

const operatorTokens: ReadonlyMap<string, Operator> = new Map([
  ['in', 'In'],
  ['notin', 'NotIn'],
  ['=', 'Equals'],
  ['==', 'DoubleEquals'],
  ['!=', 'NotEquals'],
  ['>', 'GreaterThan'],
  ['<', 'LessThan'],
])

/** Parses Kubernetes' label selector string grammar; throws a BadRequest StatusError with Kubernetes' message. */
export function parseLabelSelector(text: string): LabelSelector {
  const tokens = cursor(lex(text))
  const requirements: Requirement[] = []
  for (let start = tokens.peek(); start.type !== 'end'; start = tokens.peek()) {
    if (start.type !== 'id' && start.type !== '!') {
      throw errors.badRequest(`found '${start.literal}', expected: !, identifier, or 'end of string'`)
    }
    requirements.push(parseRequirement(tokens))
    const after = tokens.next()
    if (after.type === 'end') break
    if (after.type !== ',') throw errors.badRequest(`found '${after.literal}', expected: ',' or 'end of string'`)
    const following = tokens.peek()
    if (following.type !== 'id' && following.type !== '!') {
      throw errors.badRequest(`found '${following.literal}', expected: identifier after ','`)
    }
  }
  return { requirements: requirements.sort(byKey) }
}

function parseRequirement(tokens: Cursor): Requirement {
  let token = tokens.next()
  const negated = token.type === '!'
  if (negated) token = tokens.next()
  if (token.type !== 'id') throw inRequirement(`found '${token.literal}', expected: identifier`)
  const key = token.literal
  const keyProblems = labelKeyProblems(key)
  if (keyProblems.length > 0) throw inRequirement(formatFieldError(fieldError.invalid('<nil>', key, keyProblems.join('; '))))
  // `!key` ends the requirement even when more follows: the caller then rejects what follows
  if (negated) return { key, operator: 'DoesNotExist', values: [] }
  const next = tokens.peek().type
  if (next === 'end' || next === ',') return { key, operator: 'Exists', values: [] }
  const operatorToken = tokens.nextOperator()
  const operator = operatorTokens.get(operatorToken.type)
  if (operator === undefined) {
    throw inRequirement(`found '${operatorToken.literal}', expected: in, notin, =, ==, !=, gt, lt`)
  }
  const values = operator === 'In' || operator === 'NotIn' ? parseSetValues(tokens) : parseExactValue(tokens)
  return checkedRequirement(key, operator, uniqueSorted(values))
}

/** `(a,b)`; empty entries (`()`, `(,)`, `(a,)`, `(a,,b)`) contribute the value "". */
function parseSetValues(tokens: Cursor): string[] {
  const open = tokens.next()
  if (open.type !== '(') throw inRequirement(`found '${open.literal}' expected: '('`)
  const first = tokens.peek()
  if (first.type === ')') {
    tokens.next()
    return ['']
  }
  if (first.type !== 'id' && first.type !== ',') throw inRequirement(`found '${first.literal}', expected: ',', ')' or identifier`)
  const values: string[] = []
  for (;;) {
    const token = tokens.next()
    if (token.type === 'id') {
      values.push(token.literal)
      const after = tokens.peek()
      if (after.type === ')') break
      if (after.type !== ',') throw inRequirement(`found '${after.literal}', expected: ',' or ')'`)
    } else if (token.type === ',') {
      if (values.length === 0) values.push('')
      const after = tokens.peek().type
      if (after === ')') {
        values.push('')
        break
      }
      if (after === ',') {
        tokens.next()
        values.push('')
      }
    } else {
      throw inRequirement(`found '${token.literal}', expected: ',', or identifier`)
    }
  }
  tokens.next() // the ')'
  return values
}

function parseExactValue(tokens: Cursor): string[] {
  const next = tokens.peek().type
  if (next === 'end' || next === ',') return ['']
  const token = tokens.next()
  if (token.type !== 'id') throw inRequirement(`found '${token.literal}', expected: identifier`)
  return [token.literal]
}

/** Kubernetes' NewRequirement checks on what the grammar can produce: Gt/Lt integers and label values. */
function checkedRequirement(key: string, operator: Operator, values: string[]): Requirement {
  const problems: FieldError[] = []
  if (operator === 'GreaterThan' || operator === 'LessThan') {
    values.forEach((value, i) => {
      if (parseInt64(value) === undefined) {
        problems.push(fieldError.invalid(`values[${i}]`, value, "for 'Gt', 'Lt' operators, the value must be an integer"))
      }
    })
  }
  values.forEach((value, i) => {
    const valueProblems = labelValueProblems(value)
    if (valueProblems.length > 0) problems.push(fieldError.invalid(`values[${i}][${key}]`, value, valueProblems.join('; ')))
  })
  if (problems.length > 0) throw inRequirement(aggregate(problems.map(formatFieldError)))
  return { key, operator, values }
}

// ---- String() and matching ----

const binarySymbols: Partial<Record<Operator, string>> = { Equals: '=', DoubleEquals: '==', NotEquals: '!=', GreaterThan: '>', LessThan: '<' }

function requirementToString({ key, operator, values }: Requirement): string {
  const list = [...values].sort(byteOrder).join(',')
  if (operator === 'In' || operator === 'NotIn') return `${key} ${operator.toLowerCase()} (${list})`
  return operator === 'Exists' ? key : operator === 'DoesNotExist' ? `!${key}` : `${key}${binarySymbols[operator]}${list}`
}

/** Kubernetes' canonical String(): `x in (a,b),y!=c,!z`. `nothing` prints as "" as it does in Kubernetes. */
export function labelSelectorToString(selector: LabelSelector): string {
  return isNothing(selector) ? '' : selector.requirements.map(requirementToString).join(',')
}

function requirementMatches({ key, operator, values }: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, key)
  const value = has ? labels[key]! : ''
  switch (operator) {
    case 'Exists':
      return has
    case 'DoesNotExist':
      return !has
    case 'NotIn':
    case 'NotEquals':
      return !has || !values.includes(value)
    case 'GreaterThan':
    case 'LessThan': {
      const actual = has && values.length === 1 ? parseInt64(value) : undefined
      const bound = parseInt64(values[0] ?? '')
      if (actual === undefined || bound === undefined) return false
      return operator === 'GreaterThan' ? actual > bound : actual < bound
    }
    default: // In, Equals, DoubleEquals
      return has && values.includes(value)
  }
}

/**
 * Whether an object's labels satisfy every requirement. `!=` and `notin` also match objects without
 * the key; Gt/Lt never match a value that is not an integer.
 */
export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  return selector.requirements.every((r) => requirementMatches(r, labels ?? {}))
}

/** The selector of a plain label map (a Service's `spec.selector`, `matchLabels`): `k=v` for each entry. */
export function labelSelectorFromSet(labels: Record<string, string>): LabelSelector {
  const requirements = Object.entries(labels).map(([key, value]): Requirement => ({ key, operator: 'Equals', values: [value] }))
  return { requirements: requirements.sort(byKey) }
}

// ---- metav1.LabelSelector (apimachinery apis/meta/v1 helpers.go and validation.go) ----

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string')
/** Records a problem with a part of the selector that then contributes no requirement. */
const reject = (problems: FieldError[], ...found: FieldError[]): [] => {
  problems.push(...found)
  return []
}
const expressionOperators: ReadonlySet<string> = new Set<Operator>(['In', 'NotIn', 'Exists', 'DoesNotExist'])

/**
 * Converts and validates a metav1.LabelSelector (`{matchLabels, matchExpressions}`) the way the
 * apiserver does. null/undefined selects NOTHING, `{}` selects everything. `selector` is null exactly
 * when `errors` is not empty; error paths start at `fieldPath` (e.g. `spec.selector`).
 */
export function labelSelectorFromObject(selector: unknown, fieldPath = ''): { selector: LabelSelector | null; errors: FieldError[] } {
  if (selector === null || selector === undefined) return { selector: nothing, errors: [] }
  if (!isRecord(selector)) return { selector: null, errors: [fieldError.invalid(fieldPath, selector, 'must be an object')] }
  const child = (name: string): string => (fieldPath ? `${fieldPath}.${name}` : name)
  const problems: FieldError[] = []
  const requirements = [
    ...fromMatchLabels(selector['matchLabels'] ?? {}, child('matchLabels'), problems),
    ...fromMatchExpressions(selector['matchExpressions'] ?? [], child('matchExpressions'), problems),
  ]
  return problems.length > 0 ? { selector: null, errors: problems } : { selector: { requirements: requirements.sort(byKey) }, errors: [] }
}

function fromMatchLabels(matchLabels: unknown, path: string, problems: FieldError[]): Requirement[] {
  if (!isRecord(matchLabels)) return reject(problems, fieldError.invalid(path, matchLabels, 'must be a map of label keys to values'))
  return Object.keys(matchLabels)
    .sort(byteOrder)
    .flatMap((key): Requirement[] => {
      const value = matchLabels[key]
      if (typeof value !== 'string') return reject(problems, fieldError.invalid(`${path}[${key}]`, value, 'must be a string'))
      for (const problem of labelKeyProblems(key)) problems.push(fieldError.invalid(path, key, problem))
      for (const problem of labelValueProblems(value)) problems.push(fieldError.invalid(path, value, problem))
      return [{ key, operator: 'Equals', values: [value] }]
    })
}

function fromMatchExpressions(expressions: unknown, path: string, problems: FieldError[]): Requirement[] {
  if (!Array.isArray(expressions)) return reject(problems, fieldError.invalid(path, expressions, 'must be a list'))
  return expressions.flatMap((expression: unknown, i) => fromExpression(expression, `${path}[${i}]`, problems))
}

function fromExpression(expression: unknown, path: string, problems: FieldError[]): Requirement[] {
  if (!isRecord(expression)) return reject(problems, fieldError.invalid(path, expression, 'must be an object'))
  // JSON null decodes to Go's zero values, as an absent field does
  const key = expression['key'] ?? ''
  const operator = expression['operator'] ?? ''
  const values = expression['values'] ?? []
  const typeProblems = [
    typeof key === 'string' ? undefined : fieldError.invalid(`${path}.key`, key, 'must be a string'),
    typeof operator === 'string' ? undefined : fieldError.invalid(`${path}.operator`, operator, 'must be a string'),
    isStringList(values) ? undefined : fieldError.invalid(`${path}.values`, values, 'must be a list of strings'),
  ].filter((problem) => problem !== undefined)
  if (typeof key !== 'string' || typeof operator !== 'string' || !isStringList(values)) return reject(problems, ...typeProblems)

  const known = expressionOperators.has(operator)
  if (!known) problems.push(fieldError.invalid(`${path}.operator`, operator, 'not a valid selector operator'))
  else if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
    problems.push(fieldError.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"))
  } else if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
    problems.push(fieldError.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
  }
  for (const problem of labelKeyProblems(key)) problems.push(fieldError.invalid(`${path}.key`, key, problem))
  values.forEach((value, i) => {
    for (const problem of labelValueProblems(value)) problems.push(fieldError.invalid(`${path}.values[${i}]`, value, problem))
  })
  return known ? [{ key, operator: operator as Operator, values: uniqueSorted(values) }] : []
}
