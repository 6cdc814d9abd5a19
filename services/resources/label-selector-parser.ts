import { errors, type StatusError } from '../errors.js'
import { fieldError, formatFieldError, type FieldError } from './field-errors.js'
import { byKey, parseInt64, uniqueSorted, type LabelSelector, type Operator, type Requirement } from './label-selector-model.js'
import { labelValue } from './validation/labels.js'
import { qualifiedName } from './validation/names.js'

/**
 * The `?labelSelector=` string grammar (apimachinery labels/selector.go): lexer, parser and the
 * requirement checks, with Kubernetes' error messages. Pure: no I/O.
 */

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
  const keyProblems = qualifiedName(key)
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
    const valueProblems = labelValue(value)
    if (valueProblems.length > 0) problems.push(fieldError.invalid(`values[${i}][${key}]`, value, valueProblems.join('; ')))
  })
  if (problems.length > 0) throw inRequirement(aggregate(problems.map(formatFieldError)))
  return { key, operator, values }
}
