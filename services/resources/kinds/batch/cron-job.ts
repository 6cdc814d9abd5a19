import { fieldError, type FieldError } from '../../field-errors.js'
import { child, defaultTo, objectAt, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { nonNegativeInteger } from '../workload.js'
import { parseSchedule } from './cron-schedule.js'
import { defaultJobSpec, validateJobSpec } from './job.js'

const POLICIES = ['Allow', 'Forbid', 'Replace']

export const cronJob: KindDefinition = {
  kind: 'CronJob',
  group: 'batch',
  versions: ['v1'],
  resource: 'cronjobs',
  shortNames: ['cj'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultTo(spec, 'concurrencyPolicy', 'Allow')
    defaultTo(spec, 'suspend', false)
    defaultTo(spec, 'successfulJobsHistoryLimit', 3)
    defaultTo(spec, 'failedJobsHistoryLimit', 1)
    const jobSpec = objectAt(objectAt(spec, 'jobTemplate'), 'spec')
    if (jobSpec) {
      const podSpec = objectAt(objectAt(jobSpec, 'template'), 'spec')
      const restart = podSpec?.restartPolicy
      defaultJobSpec(jobSpec)
      if (podSpec && restart === undefined) delete podSpec.restartPolicy
    }
  },
  validate: (o) => {
    const errors: FieldError[] = []
    const name = objectAt(o, 'metadata')?.name
    if (typeof name === 'string' && name.length > 52) {
      errors.push(fieldError.invalid('metadata.name', name, 'must be no more than 52 characters'))
    }
    const spec = objectAt(o, 'spec') ?? ({} as JsonObject)
    if (typeof spec.schedule !== 'string' || spec.schedule === '') errors.push(fieldError.required('spec.schedule'))
    else {
      const parsed = parseSchedule(spec.schedule)
      if ('error' in parsed) errors.push(fieldError.invalid('spec.schedule', spec.schedule, parsed.error))
    }
    const policy = spec.concurrencyPolicy ?? 'Allow'
    if (!POLICIES.includes(policy as string)) errors.push(fieldError.notSupported('spec.concurrencyPolicy', policy, POLICIES))
    errors.push(...nonNegativeInteger(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'))
    errors.push(...nonNegativeInteger(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'))
    errors.push(...nonNegativeInteger(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'))
    const jobSpec = objectAt(objectAt(spec, 'jobTemplate'), 'spec')
    if (!jobSpec) errors.push(fieldError.required('spec.jobTemplate.spec'))
    else errors.push(...validateJobSpec(jobSpec, 'spec.jobTemplate.spec'))
    return errors
  },
}
