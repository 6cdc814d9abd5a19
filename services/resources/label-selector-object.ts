import { fieldError, type FieldError } from './field-errors.js'
import { isObject } from '../json.js'
import { byKey, byteOrder, nothing, uniqueSorted, type LabelSelector, type Operator, type Requirement } from './label-selector-model.js'
import { labelValue } from './validation/labels.js'
import { qualifiedName } from './validation/names.js'

/**
 * metav1.LabelSelector objects (`matchLabels` / `matchExpressions`) as the apiserver converts and
 * validates them (apimachinery apis/meta/v1 helpers.go and validation.go). Pure: no I/O.
 */

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
  if (!isObject(selector)) return { selector: null, errors: [fieldError.invalid(fieldPath, selector, 'must be an object')] }
  const child = (name: string): string => (fieldPath ? `${fieldPath}.${name}` : name)
  const problems: FieldError[] = []
  const requirements = [
    ...fromMatchLabels(selector['matchLabels'] ?? {}, child('matchLabels'), problems),
    ...fromMatchExpressions(selector['matchExpressions'] ?? [], child('matchExpressions'), problems),
  ]
  return problems.length > 0 ? { selector: null, errors: problems } : { selector: { requirements: requirements.sort(byKey) }, errors: [] }
}

function fromMatchLabels(matchLabels: unknown, path: string, problems: FieldError[]): Requirement[] {
  if (!isObject(matchLabels)) return reject(problems, fieldError.invalid(path, matchLabels, 'must be a map of label keys to values'))
  return Object.keys(matchLabels)
    .sort(byteOrder)
    .flatMap((key): Requirement[] => {
      const value = matchLabels[key]
      if (typeof value !== 'string') return reject(problems, fieldError.invalid(`${path}[${key}]`, value, 'must be a string'))
      for (const problem of qualifiedName(key)) problems.push(fieldError.invalid(path, key, problem))
      for (const problem of labelValue(value)) problems.push(fieldError.invalid(path, value, problem))
      return [{ key, operator: 'Equals', values: [value] }]
    })
}

function fromMatchExpressions(expressions: unknown, path: string, problems: FieldError[]): Requirement[] {
  if (!Array.isArray(expressions)) return reject(problems, fieldError.invalid(path, expressions, 'must be a list'))
  return expressions.flatMap((expression: unknown, i) => fromExpression(expression, `${path}[${i}]`, problems))
}

function fromExpression(expression: unknown, path: string, problems: FieldError[]): Requirement[] {
  if (!isObject(expression)) return reject(problems, fieldError.invalid(path, expression, 'must be an object'))
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
  for (const problem of qualifiedName(key)) problems.push(fieldError.invalid(`${path}.key`, key, problem))
  values.forEach((value, i) => {
    for (const problem of labelValue(value)) problems.push(fieldError.invalid(`${path}.values[${i}]`, value, problem))
  })
  return known ? [{ key, operator: operator as Operator, values: uniqueSorted(values) }] : []
}
