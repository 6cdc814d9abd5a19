import { byKey, byteOrder, isNothing, parseInt64, type LabelSelector, type Operator, type Requirement } from './label-selector-model.js'

/**
 * Kubernetes label selectors (apimachinery `labels/selector.go`): the canonical String() form, matching and
 * the selector of a label map, here; the `?labelSelector=` string grammar in `label-selector-parser.ts`
 * and metav1.LabelSelector objects in `label-selector-object.ts`, both re-exported, so importers need
 * only this module. Pure: no I/O.
 */

export { everything, isNothing, nothing, type LabelSelector, type Operator, type Requirement } from './label-selector-model.js'
export { labelSelectorFromObject } from './label-selector-object.js'
export { parseLabelSelector } from './label-selector-parser.js'

const binarySymbols: Partial<Record<Operator, string>> = {
  Equals: '=',
  DoubleEquals: '==',
  NotEquals: '!=',
  GreaterThan: '>',
  LessThan: '<',
}

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
