/**
 * What a parsed label selector is (apimachinery `labels/selector.go`): requirements on label keys, the two
 * constant selectors, and the orders and integer reading Kubernetes applies to them. Shared by the
 * string grammar, the metav1 conversion and matching; importers use `label-selector.ts`.
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

/** Go's strconv.ParseInt(text, 10, 64): an optional sign, decimal digits, within int64. */
export function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined
  const n = BigInt(text)
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined
}

/** Go's byte-wise string order (UTF-8 order is code point order, unlike JS's UTF-16 order). */
export const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b))
/** Requirements in Kubernetes' order: by key, byte-wise. */
export const byKey = (a: Requirement, b: Requirement): number => byteOrder(a.key, b.key)
/** Values as a requirement keeps them: de-duplicated, in byte order. */
export const uniqueSorted = (values: string[]): string[] => [...new Set(values)].sort(byteOrder)
