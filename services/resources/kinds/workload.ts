import { fieldError, type FieldError } from '../field-errors.js'
import { deepEqual, defaultTo, isObject, objectAt, type JsonObject } from '../json.js'
import { labelSelectorFromObject, matchesLabels } from '../label-selector.js'
import { validateLabels } from '../validation/labels.js'
import { defaultPodSpec, validatePodSpec } from './pod-spec.js'

/** Pieces shared by kinds that run pods from a template with a selector (Deployment, ReplicaSet, …). */

/** Defaults the template's pod spec and, if absent, the selector from the template labels (RC only). */
export function defaultTemplate(spec: JsonObject): void {
  const template = objectAt(spec, 'template')
  const podSpec = objectAt(template, 'spec')
  if (podSpec) defaultPodSpec(podSpec)
}

/** Validates `spec.template` at `path` and that `selector` (a metav1.LabelSelector) selects its labels. */
export function validateTemplate(
  spec: JsonObject,
  path: string,
  options: { restartPolicies?: string[]; selector?: 'label-selector' | 'map' | 'none' } = {},
): FieldError[] {
  const errors: FieldError[] = []
  const template = spec.template
  if (!isObject(template)) return [fieldError.required(`${path}.template`)]
  const labels = objectAt(objectAt(template, 'metadata'), 'labels') ?? {}
  errors.push(...validateLabels(labels, `${path}.template.metadata.labels`))
  errors.push(
    ...validatePodSpec(template.spec, `${path}.template.spec`, options.restartPolicies ? { restartPolicies: options.restartPolicies } : {}),
  )
  const mode = options.selector ?? 'label-selector'
  if (mode === 'none') return errors
  if (mode === 'map') {
    const selector = objectAt(spec, 'selector') ?? {}
    errors.push(...validateLabels(selector, `${path}.selector`))
    const matches = Object.entries(selector).every(([k, v]) => (labels as JsonObject)[k] === v)
    if (Object.keys(selector).length === 0) errors.push(fieldError.required(`${path}.selector`))
    else if (!matches) errors.push(fieldError.invalid(`${path}.template.metadata.labels`, labels, '`selector` does not match template `labels`'))
    return errors
  }
  if (spec.selector === undefined || spec.selector === null) return [...errors, fieldError.required(`${path}.selector`)]
  const { selector, errors: selectorErrors } = labelSelectorFromObject(spec.selector, `${path}.selector`)
  errors.push(...selectorErrors)
  if (selector && selector.requirements.length === 0) {
    errors.push(fieldError.invalid(`${path}.selector`, spec.selector, 'empty selector is invalid for deployment'))
  } else if (selector && !matchesLabels(selector, labels as Record<string, string>)) {
    errors.push(fieldError.invalid(`${path}.template.metadata.labels`, labels, '`selector` does not match template `labels`'))
  }
  return errors
}

/** apps/v1 selectors cannot change after creation. */
export function immutableSelector(object: JsonObject, old: JsonObject): FieldError[] {
  const selector = objectAt(object, 'spec')?.selector
  const oldSelector = objectAt(old, 'spec')?.selector
  return deepEqual(selector, oldSelector) ? [] : [fieldError.invalid('spec.selector', selector ?? null, 'field is immutable')]
}

/** A non-negative integer field, e.g. spec.replicas. */
export function nonNegativeInteger(value: unknown, path: string): FieldError[] {
  if (value === undefined) return []
  if (typeof value !== 'number' || !Number.isInteger(value)) return [fieldError.invalid(path, value, 'must be an integer')]
  return value < 0 ? [fieldError.invalid(path, value, 'must be greater than or equal to 0')] : []
}

export function defaultReplicas(spec: JsonObject): void {
  defaultTo(spec, 'replicas', 1)
}
