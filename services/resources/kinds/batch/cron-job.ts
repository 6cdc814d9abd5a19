import type { CronJob as CronJobType } from 'kubernetes-types/batch/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { child, defaultTo, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { oneOf } from '../pod-spec.js'
import { defaultTemplate, nonNegativeInteger, printableSelector } from '../workload.js'
import { defaultZero } from '../zero-value.js'
import { neverFires } from './cron-next-run.js'
import { knownTimeZone, parseSchedule } from './cron-schedule.js'
import { validateJobSpec } from './job-spec.js'
import { podTemplate } from '../merge-keys.js'
import { AGE, arr, NAME, obj, selectorString, spec, status, str, templateColumns } from '../../printing/columns.js'
import { age } from '../../printing/human-duration.js'
import { viewAndEdit } from '../roles.js'

const POLICIES = ['Allow', 'Forbid', 'Replace']
/** Jobs are named `<cronjob>-<minutes since epoch>`: 11 characters more, within a 63-character label. */
const MAX_NAME_LENGTH = 52

declare module '../../kind-types.js' {
  interface KindTypes {
    CronJob: CronJobType
  }
}

export const cronJob: KindDefinition = {
  kind: 'CronJob',
  group: 'batch',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.batch.v1.CronJob' },
  resource: 'cronjobs',
  shortNames: ['cj'],
  categories: ['all'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  // SetDefaults_CronJob; the job template gets pod defaults only, Job defaults apply to the Jobs it makes.
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultZero(spec, 'concurrencyPolicy', 'Allow')
    defaultTo(spec, 'suspend', false)
    defaultTo(spec, 'successfulJobsHistoryLimit', 3)
    defaultTo(spec, 'failedJobsHistoryLimit', 1)
    defaultTemplate(child(child(spec, 'jobTemplate'), 'spec'))
  },
  validate: (o) => {
    const spec = objectAt(o, 'spec') ?? ({} as JsonObject)
    const errors: FieldError[] = [...validateSchedule(spec.schedule, spec.timeZone)]
    errors.push(...nonNegativeInteger(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'))
    errors.push(...validateTimeZone(spec.timeZone))
    errors.push(...oneOf(spec.concurrencyPolicy, 'spec.concurrencyPolicy', POLICIES))
    const jobSpec = objectAt(objectAt(spec, 'jobTemplate'), 'spec') ?? {}
    errors.push(...validateJobSpec(jobSpec, 'spec.jobTemplate.spec'))
    if (jobSpec.selector !== undefined && jobSpec.selector !== null) {
      errors.push(
        fieldError.invalid('spec.jobTemplate.spec.selector', printableSelector(jobSpec.selector), '`selector` will be auto-generated'),
      )
    }
    if (jobSpec.manualSelector === true)
      errors.push(fieldError.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']))
    errors.push(...nonNegativeInteger(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'))
    errors.push(...nonNegativeInteger(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'))
    const name = objectAt(o, 'metadata')?.name
    if (typeof name === 'string' && name.length > MAX_NAME_LENGTH) {
      errors.push(fieldError.invalid('metadata.name', name, `must be no more than ${MAX_NAME_LENGTH} characters`))
    }
    return errors
  },
  mergeKeys: podTemplate('spec.jobTemplate.spec.template'),
  printerColumns: [
    NAME,
    { name: 'Schedule', type: 'string', description: 'The cron schedule.', priority: 0, cell: (o) => str(spec(o).schedule) },
    { name: 'Timezone', type: 'string', description: 'The time zone of the schedule.', priority: 0, cell: (o) => str(spec(o).timeZone) },
    {
      name: 'Suspend',
      type: 'boolean',
      description: 'Whether later runs are suspended.',
      priority: 0,
      cell: (o) => (spec(o).suspend ? 'True' : 'False'),
    },
    { name: 'Active', type: 'integer', description: 'The number of running jobs.', priority: 0, cell: (o) => arr(status(o).active).length },
    {
      name: 'Last Schedule',
      type: 'string',
      description: 'The time since a job was last scheduled.',
      priority: 0,
      cell: (o, now) => (status(o).lastScheduleTime ? age(status(o).lastScheduleTime, now) : '<none>'),
    },
    AGE,
    ...templateColumns((o) => obj(obj(spec(o).jobTemplate).spec).template),
    {
      name: 'Selector',
      type: 'string',
      description: 'The label selector of the pods of its jobs.',
      priority: 1,
      cell: (o) => selectorString(obj(obj(spec(o).jobTemplate).spec).selector),
    },
  ],
  roles: viewAndEdit({ read: ['status'] }),
}

/**
 * The schedule parses (robfig/cron's message), names no time zone (that is `spec.timeZone`'s job) and
 * fires at some time in that zone. Kubernetes accepts `0 0 30 2 *` and then never runs it; revkube
 * refuses it.
 */
function validateSchedule(schedule: unknown, timeZone: unknown): FieldError[] {
  if (typeof schedule !== 'string' || schedule === '') return [fieldError.required('spec.schedule')]
  const errors: FieldError[] = []
  const parsed = parseSchedule(schedule)
  if ('error' in parsed) errors.push(fieldError.invalid('spec.schedule', schedule, parsed.error))
  else if (neverFires(parsed, usableTimeZone(timeZone)))
    errors.push(fieldError.invalid('spec.schedule', schedule, 'the schedule never fires'))
  if (schedule.includes('TZ'))
    errors.push(fieldError.invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'))
  return errors
}

/** The zone a schedule is read in: `spec.timeZone` when it is valid (else its own error says so), UTC otherwise. */
function usableTimeZone(zone: unknown): string {
  return typeof zone === 'string' && validateTimeZone(zone).length === 0 ? zone : 'UTC'
}

/** `validateTimeZone`: an IANA name Go can load, not `Local`. */
function validateTimeZone(zone: unknown): FieldError[] {
  if (zone === undefined || zone === null) return []
  const path = 'spec.timeZone'
  if (zone === '') return [fieldError.invalid(path, zone, 'timeZone must be nil or non-empty string')]
  const text = String(zone)
  const unknown = fieldError.invalid(path, zone, `unknown time zone ${text}`)
  for (const part of text.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !/^[A-Za-z.\-_0-9+]{1,14}$/.test(part)) return [unknown]
  }
  const errors: FieldError[] = []
  if (text.toLowerCase() === 'local') {
    errors.push(fieldError.invalid(path, zone, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'))
  }
  if (!knownTimeZone(text)) errors.push(unknown)
  return errors
}
