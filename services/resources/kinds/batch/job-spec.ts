import { fieldError, type FieldError } from '../../field-errors.js'
import { objectAt, type JsonObject } from '../../../json.js'
import { nonNegativeInteger, validatePodTemplate } from '../workload.js'

/**
 * A JobSpec as kubernetes `pkg/apis/batch/validation/validation.go` (`validateJobSpec`) checks it,
 * for Jobs and for the job template of a CronJob.
 */

const COMPLETION_MODES = ['NonIndexed', 'Indexed']
const REPLACEMENT_POLICIES = ['Failed', 'TerminatingOrFailed']
const MAX_INDEXED_PARALLELISM = 100000

export function validateJobSpec(spec: JsonObject, path: string): FieldError[] {
  const errors: FieldError[] = []
  for (const field of [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'backoffLimit',
    'ttlSecondsAfterFinished',
    'backoffLimitPerIndex',
    'maxFailedIndexes',
  ]) {
    errors.push(...nonNegativeInteger(spec[field], `${path}.${field}`))
  }
  const mode = spec.completionMode
  if (mode !== undefined && mode !== null) {
    if (!COMPLETION_MODES.includes(mode as string)) errors.push(fieldError.notSupported(`${path}.completionMode`, mode, COMPLETION_MODES))
    if (mode === 'Indexed') {
      if (spec.completions === undefined || spec.completions === null) {
        errors.push(fieldError.required(`${path}.completions`, 'when completion mode is Indexed'))
      }
      if (typeof spec.parallelism === 'number' && spec.parallelism > MAX_INDEXED_PARALLELISM) {
        errors.push(
          fieldError.invalid(
            `${path}.parallelism`,
            spec.parallelism,
            `must be less than or equal to ${MAX_INDEXED_PARALLELISM} when completion mode is Indexed`,
          ),
        )
      }
    }
  }
  const replacement = spec.podReplacementPolicy
  if (replacement !== undefined && replacement !== null && !REPLACEMENT_POLICIES.includes(replacement as string)) {
    errors.push(fieldError.notSupported(`${path}.podReplacementPolicy`, replacement, REPLACEMENT_POLICIES))
  }
  errors.push(...validatePodTemplate(spec.template, `${path}.template`))
  // Pod specs default restartPolicy to Always, so an unset one is reported like Always.
  const restart = objectAt(objectAt(spec, 'template'), 'spec')?.restartPolicy
  if (restart === undefined || restart === null || restart === '' || restart === 'Always') {
    errors.push(fieldError.required(`${path}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'))
  } else if (restart !== 'OnFailure' && restart !== 'Never') {
    errors.push(fieldError.notSupported(`${path}.template.spec.restartPolicy`, restart, ['OnFailure', 'Never']))
  } else if (objectAt(spec, 'podFailurePolicy') && restart !== 'Never') {
    errors.push(
      fieldError.invalid(`${path}.template.spec.restartPolicy`, restart, 'only "Never" is supported when podFailurePolicy is specified'),
    )
  }
  return errors
}
