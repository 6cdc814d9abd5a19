import { fieldError, type FieldError } from '../field-errors.js'
import { arrayAt, deepEqual, defaultTo, isObject, objectAt, type JsonObject } from '../../json.js'
import { labelSelectorFromObject, matchesLabels, type LabelSelector } from '../label-selector.js'
import { validateAnnotations, validateLabels } from '../validation/labels.js'
import { defaultPodSpec, templatePodSpec, validatePodSpec } from './pod-spec.js'

/**
 * Pieces shared by kinds that run pods from a template with a selector (Deployment, ReplicaSet,
 * DaemonSet, StatefulSet, Job, ReplicationController), after kubernetes
 * `pkg/apis/apps/validation/validation.go` and `pkg/apis/core/validation/validation.go`.
 */

/** Defaults the template's pod spec (created if missing, as Go's zero-value template is). */
export function defaultTemplate(spec: JsonObject): void {
  defaultPodSpec(templatePodSpec(spec))
}

export function defaultReplicas(spec: JsonObject): void {
  defaultTo(spec, 'replicas', 1)
}

/**
 * `ValidatePodTemplateSpec`: labels and annotations (reported at `<path>.labels`, without
 * `metadata`, as upstream does) and, unless `podSpec` is false, the pod spec.
 */
export function validatePodTemplate(template: unknown, path: string, podSpec = true): FieldError[] {
  const metadata = objectAt(template, 'metadata') ?? {}
  return [
    ...validateLabels(metadata.labels, `${path}.labels`),
    ...validateAnnotations(metadata.annotations, `${path}.annotations`),
    ...(podSpec ? validatePodSpec(objectAt(template, 'spec'), `${path}.spec`) : []),
  ]
}

/**
 * A workload's `spec.selector` (a metav1.LabelSelector): its validation errors and the selector, or
 * `null` when it does not convert (`LabelSelectorAsSelector` fails). An absent selector selects
 * nothing; with `required` it is also `Required value`.
 */
export function workloadSelector(
  spec: JsonObject,
  path: string,
  options: { required: boolean },
): { errors: FieldError[]; selector: LabelSelector | null } {
  const given = spec.selector
  if (given === undefined || given === null) {
    return {
      errors: options.required ? [fieldError.required(`${path}.selector`)] : [],
      selector: labelSelectorFromObject(undefined).selector,
    }
  }
  return labelSelectorFromObject(given, `${path}.selector`)
}

/** A selector given without requirements: `empty selector is invalid for deployment` (the kind's word). */
export function emptySelector(spec: JsonObject, path: string, message: string): FieldError[] {
  const given = spec.selector
  if (!isObject(given) || Object.keys(objectAt(given, 'matchLabels') ?? {}).length + arrayAt(given, 'matchExpressions').length > 0)
    return []
  return [fieldError.invalid(`${path}.selector`, printableSelector(given), message)]
}

/** `selector` does not match template `labels`, reported at `<template path>.metadata.labels`. */
export function selectorMatchesTemplate(selector: LabelSelector, template: unknown, path: string): FieldError[] {
  const labels = objectAt(objectAt(template, 'metadata'), 'labels')
  return matchesLabels(selector, labels as Record<string, string> | undefined)
    ? []
    : [fieldError.invalid(`${path}.metadata.labels`, printableMap(labels), '`selector` does not match template `labels`')]
}

/**
 * The template of a replicated workload (`ValidatePodTemplateSpecForReplicaSet` and its kin): it
 * matches a non-empty selector, is a valid pod template (its pod spec only if `podSpec`), restarts
 * `Always` and has no `activeDeadlineSeconds`.
 */
export function validateReplicaTemplate(
  spec: JsonObject,
  path: string,
  selector: LabelSelector,
  kind: string,
  options: { podSpec?: boolean; matchEmptySelector?: boolean } = {},
): FieldError[] {
  const template = spec.template
  const errors: FieldError[] = []
  if (selector.requirements.length > 0 || options.matchEmptySelector)
    errors.push(...selectorMatchesTemplate(selector, template, `${path}.template`))
  errors.push(...validatePodTemplate(template, `${path}.template`, options.podSpec ?? true))
  errors.push(...restartAlways(spec, path, kind))
  return errors
}

/** Workload pods restart `Always` and run without a deadline. */
export function restartAlways(spec: JsonObject, path: string, kind: string): FieldError[] {
  const podSpec = objectAt(objectAt(spec, 'template'), 'spec') ?? {}
  const errors: FieldError[] = []
  if (podSpec.restartPolicy !== 'Always') {
    errors.push(fieldError.notSupported(`${path}.template.spec.restartPolicy`, podSpec.restartPolicy ?? '', ['Always']))
  }
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errors.push(fieldError.forbidden(`${path}.template.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${kind} is not Supported`))
  }
  return errors
}

/** apps/v1 selectors cannot change after creation (the registry strategies' `ValidateImmutableField`). */
export function immutableSelector(object: JsonObject, old: JsonObject): FieldError[] {
  const selector = objectAt(object, 'spec')?.selector
  const oldSelector = objectAt(old, 'spec')?.selector
  return deepEqual(printableSelector(selector), printableSelector(oldSelector))
    ? []
    : [fieldError.invalid('spec.selector', printableSelector(selector) ?? null, 'field is immutable')]
}

/** A non-negative integer field, e.g. spec.replicas: `must be greater than or equal to 0`. */
export function nonNegativeInteger(value: unknown, path: string): FieldError[] {
  if (value === undefined || value === null) return []
  if (typeof value !== 'number' || !Number.isInteger(value)) return [fieldError.invalid(path, value, 'must be an integer')]
  return value < 0 ? [fieldError.invalid(path, value, 'must be greater than or equal to 0')] : []
}

/**
 * A label map as Go prints it in an error: keys sorted, `null` when absent (`{"app":"web"}`).
 */
export function printableMap(map: unknown): unknown {
  if (!isObject(map)) return map ?? null
  return Object.fromEntries(
    Object.keys(map)
      .sort(byteOrder)
      .map((key) => [key, map[key]]),
  )
}

/** A metav1.LabelSelector as Go prints it: empty parts left out, `matchLabels` sorted. */
export function printableSelector(selector: unknown): unknown {
  if (!isObject(selector)) return selector
  const out: JsonObject = {}
  const labels = objectAt(selector, 'matchLabels')
  if (labels && Object.keys(labels).length > 0) out.matchLabels = printableMap(labels)
  const expressions = arrayAt(selector, 'matchExpressions')
  if (expressions.length > 0) {
    out.matchExpressions = expressions.map((e) =>
      isObject(e) ? { key: e.key ?? '', operator: e.operator ?? '', ...(arrayAt(e, 'values').length > 0 && { values: e.values }) } : e,
    )
  }
  return out
}

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b))
