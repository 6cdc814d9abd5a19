import { fieldError, type FieldError } from '../../field-errors.js'
import { child, defaultTo, objectAt, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { defaultTemplate, nonNegativeInteger, validateTemplate } from '../workload.js'

const COMPLETION_MODES = ['NonIndexed', 'Indexed']

/** Job defaults; the job controller adds the selector and the template labels that tie pods to it. */
export function defaultJobSpec(spec: JsonObject): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1
    spec.parallelism = 1
  }
  defaultTo(spec, 'parallelism', 1)
  defaultTo(spec, 'backoffLimit', 6)
  defaultTo(spec, 'completionMode', 'NonIndexed')
  defaultTo(spec, 'suspend', false)
  defaultTemplate(spec)
}

export function validateJobSpec(spec: JsonObject, path: string): FieldError[] {
  const errors: FieldError[] = [
    ...nonNegativeInteger(spec.parallelism, `${path}.parallelism`),
    ...nonNegativeInteger(spec.completions, `${path}.completions`),
    ...nonNegativeInteger(spec.backoffLimit, `${path}.backoffLimit`),
    ...validateTemplate(spec, path, { restartPolicies: ['OnFailure', 'Never'], selector: 'none' }),
  ]
  const template = objectAt(objectAt(spec, 'template'), 'spec')
  if (template && template.restartPolicy === undefined) {
    errors.push(fieldError.required(`${path}.template.spec.restartPolicy`, "valid values: \"OnFailure\", \"Never\""))
  }
  const mode = spec.completionMode ?? 'NonIndexed'
  if (!COMPLETION_MODES.includes(mode as string)) errors.push(fieldError.notSupported(`${path}.completionMode`, mode, COMPLETION_MODES))
  if (mode === 'Indexed' && spec.completions === undefined) {
    errors.push(fieldError.required(`${path}.completions`, 'when completion mode is Indexed'))
  }
  const deadline = spec.activeDeadlineSeconds
  if (deadline !== undefined && (typeof deadline !== 'number' || deadline <= 0)) {
    errors.push(fieldError.invalid(`${path}.activeDeadlineSeconds`, deadline, 'must be greater than 0'))
  }
  return errors
}

export const job: KindDefinition = {
  kind: 'Job',
  group: 'batch',
  versions: ['v1'],
  resource: 'jobs',
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  selectableFields: (o) => ({ 'status.successful': String(objectAt(o, 'status')?.succeeded ?? 0) }),
  // The API leaves restartPolicy unset in a Job template so that validation can insist on it.
  defaults: (o) => {
    const spec = child(o, 'spec')
    const podSpec = objectAt(objectAt(spec, 'template'), 'spec')
    const restart = podSpec?.restartPolicy
    defaultJobSpec(spec)
    if (podSpec && restart === undefined) delete podSpec.restartPolicy
  },
  validate: (o) => validateJobSpec(objectAt(o, 'spec') ?? {}, 'spec'),
  validateUpdate: (o, old) => {
    const template = JSON.stringify(objectAt(objectAt(o, 'spec'), 'template'))
    const before = JSON.stringify(objectAt(objectAt(old, 'spec'), 'template'))
    return template === before || objectAt(old, 'spec')?.suspend === true ? [] : [fieldError.invalid('spec.template', objectAt(o, 'spec')?.template, 'field is immutable')]
  },
}
