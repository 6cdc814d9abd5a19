import type { Job as JobType } from 'kubernetes-types/batch/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { child, deepEqual, defaultTo, isObject, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { matchesLabels } from '../../label-selector.js'
import { dns1123Label } from '../../validation/names.js'
import { defaultTemplate, printableMap, printableSelector, selectorMatchesTemplate, workloadSelector } from '../workload.js'
import { validateJobSpec } from './job-spec.js'
import { conditions, join, podTemplate } from '../merge-keys.js'
import { AGE, arr, meta, NAME, num, obj, SELECTOR, spec, status, templateColumns } from '../../printing/columns.js'
import { age } from '../../printing/human-duration.js'
import { viewAndEdit } from '../roles.js'

/** The labels that tie a Job's pods to it; the selector selects the first. */
const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid'
const JOB_NAME = 'batch.kubernetes.io/job-name'
const LEGACY_CONTROLLER_UID = 'controller-uid'
const LEGACY_JOB_NAME = 'job-name'
const MAX_INT32 = 2147483647

declare module '../../kind-types.js' {
  interface KindTypes {
    Job: JobType
  }
}

export const job: KindDefinition = {
  kind: 'Job',
  group: 'batch',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.batch.v1.Job' },
  resource: 'jobs',
  categories: ['all'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  selectableFields: (o) => ({ 'status.successful': String(objectAt(o, 'status')?.succeeded ?? 0) }),
  defaults: (o) => {
    const spec = child(o, 'spec')
    if (spec.completions === undefined && spec.parallelism === undefined) {
      spec.completions = 1
      spec.parallelism = 1
    }
    defaultTo(spec, 'parallelism', 1)
    defaultTo(spec, 'backoffLimit', spec.backoffLimitPerIndex === undefined ? 6 : MAX_INT32)
    defaultTo(spec, 'completionMode', 'NonIndexed')
    defaultTo(spec, 'suspend', false)
    defaultTo(spec, 'podReplacementPolicy', objectAt(spec, 'podFailurePolicy') ? 'Failed' : 'TerminatingOrFailed')
    defaultTo(spec, 'manualSelector', false)
    defaultTemplate(spec)
    if (spec.manualSelector !== true) generateSelector(o, spec)
    // A Job without labels of its own shows its pods' labels (SetDefaults_Job shares the map).
    const templateLabels = objectAt(objectAt(objectAt(spec, 'template'), 'metadata'), 'labels')
    const metadata = child(o, 'metadata')
    if (templateLabels && Object.keys(objectAt(metadata, 'labels') ?? {}).length === 0) metadata.labels = { ...templateLabels }
  },
  validate: (o) => {
    const spec = objectAt(o, 'spec') ?? {}
    const errors = [...validateGeneratedSelector(o, spec), ...validateJobSpec(spec, 'spec')]
    const { errors: selectorErrors, selector } = workloadSelector(spec, 'spec', { required: true })
    errors.push(...selectorErrors)
    if (selector !== null) errors.push(...selectorMatchesTemplate(selector, spec.template, 'spec.template'))
    const name = String(objectAt(o, 'metadata')?.name ?? '')
    if (spec.completionMode === 'Indexed' && typeof spec.completions === 'number' && spec.completions > 0) {
      const hostname = `${name}-${spec.completions - 1}`
      if (dns1123Label(hostname).length > 0) {
        errors.push(fieldError.invalid('metadata.name', name, `will not able to create pod with invalid DNS label: ${hostname}`))
      }
    }
    return errors
  },
  validateUpdate: (o, old) => {
    const spec = objectAt(o, 'spec') ?? {}
    const before = objectAt(old, 'spec') ?? {}
    const errors: FieldError[] = []
    const indexed = spec.completionMode === 'Indexed'
    if (!deepEqual(spec.completions, before.completions)) {
      if (!indexed) errors.push(fieldError.invalid('spec.completions', spec.completions ?? null, 'field is immutable'))
      else if (spec.completions !== undefined && spec.completions !== spec.parallelism) {
        errors.push(fieldError.invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'))
      }
    }
    if (!deepEqual(printableSelector(spec.selector), printableSelector(before.selector))) {
      errors.push(fieldError.invalid('spec.selector', printableSelector(spec.selector) ?? null, 'field is immutable'))
    }
    const neverStarted = before.suspend === true && objectAt(old, 'status')?.startTime === undefined
    if (!deepEqual(schedulingFixed(spec.template, neverStarted), schedulingFixed(before.template, neverStarted))) {
      errors.push(fieldError.invalid('spec.template', spec.template ?? null, 'field is immutable'))
    }
    if (!deepEqual(spec.completionMode, before.completionMode))
      errors.push(fieldError.invalid('spec.completionMode', spec.completionMode ?? null, 'field is immutable'))
    return errors
  },
  mergeKeys: join(conditions, podTemplate('spec.template')),
  printerColumns: [
    NAME,
    { name: 'Status', type: 'string', description: 'Complete, Failed, Suspended, Terminating or Running.', priority: 0, cell: jobStatus },
    {
      name: 'Completions',
      type: 'string',
      description: 'The succeeded pods of the completions wanted.',
      priority: 0,
      cell: (o) => `${num(status(o).succeeded)}/${spec(o).completions ?? 1}`,
    },
    {
      name: 'Duration',
      type: 'string',
      description: 'How long the job ran, or has run so far.',
      priority: 0,
      cell: (o, now) => duration(status(o).startTime, status(o).completionTime, now),
    },
    AGE,
    ...templateColumns(),
    SELECTOR,
  ],
  roles: viewAndEdit({ read: ['status'] }),
}

/**
 * The job registry's `generateSelector`: pods get the Job's name and uid as labels (kept if the user
 * set them: a conflict is then reported by validation), and the selector selects the uid.
 */
function generateSelector(o: JsonObject, spec: JsonObject): void {
  const metadata = objectAt(o, 'metadata') ?? {}
  const labels = child(child(child(spec, 'template'), 'metadata'), 'labels')
  for (const key of [LEGACY_JOB_NAME, JOB_NAME]) defaultTo(labels, key, String(metadata.name ?? ''))
  for (const key of [LEGACY_CONTROLLER_UID, CONTROLLER_UID]) defaultTo(labels, key, String(metadata.uid ?? ''))
  const matchLabels = child(child(spec, 'selector'), 'matchLabels')
  defaultTo(matchLabels, CONTROLLER_UID, String(metadata.uid ?? ''))
}

/** `validateGeneratedSelector`: unless `manualSelector`, the pods carry the generated labels and the selector selects them. */
function validateGeneratedSelector(o: JsonObject, spec: JsonObject): FieldError[] {
  if (spec.manualSelector === true || spec.selector === undefined || spec.selector === null) return []
  const metadata = objectAt(o, 'metadata') ?? {}
  const expected: Record<string, string> = {
    [LEGACY_CONTROLLER_UID]: String(metadata.uid ?? ''),
    [LEGACY_JOB_NAME]: String(metadata.name ?? ''),
    [CONTROLLER_UID]: String(metadata.uid ?? ''),
    [JOB_NAME]: String(metadata.name ?? ''),
  }
  const labels = objectAt(objectAt(objectAt(spec, 'template'), 'metadata'), 'labels') ?? {}
  const errors: FieldError[] = []
  for (const [key, value] of Object.entries(expected)) {
    const path = `spec.template.metadata.labels[${key}]`
    if (!(key in labels)) errors.push(fieldError.required(path, `must be '${value}'`))
    else if (labels[key] !== value) errors.push(fieldError.invalid(path, printableMap(labels), `must be '${value}'`))
  }
  const { selector } = workloadSelector(spec, 'spec', { required: false })
  if (selector && !matchesLabels(selector, expected)) {
    errors.push(fieldError.invalid('spec.selector', printableSelector(spec.selector), '`selector` not auto-generated'))
  }
  return errors
}

/** The template as an update must keep it; a suspended Job that never ran may change where its pods go. */
function schedulingFixed(template: unknown, neverStarted: boolean): unknown {
  if (!neverStarted || !isObject(template)) return template
  const metadata = { ...objectAt(template, 'metadata') }
  delete metadata.labels
  delete metadata.annotations
  const spec = { ...objectAt(template, 'spec') }
  for (const field of ['nodeSelector', 'tolerations', 'schedulingGates', 'affinity']) delete spec[field]
  return { ...template, metadata, spec }
}

function jobStatus(o: JsonObject): string {
  const conditions = arr(status(o).conditions)
    .map(obj)
    .filter((c) => c.status === 'True')
  if (conditions.some((c) => c.type === 'Complete')) return 'Complete'
  if (conditions.some((c) => c.type === 'Failed')) return 'Failed'
  if (meta(o).deletionTimestamp) return 'Terminating'
  if (conditions.some((c) => c.type === 'Suspended')) return 'Suspended'
  return 'Running'
}

function duration(start: unknown, end: unknown, now: Date): string {
  if (typeof start !== 'string') return ''
  return age(start, typeof end === 'string' ? new Date(end) : now)
}
