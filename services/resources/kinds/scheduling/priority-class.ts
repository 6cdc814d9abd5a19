import type { PriorityClass as PriorityClassType } from 'kubernetes-types/scheduling/v1.js'
import { defaultTo, objectAt, type JsonObject } from '../../../json.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import type { KindDefinition } from '../../kind.js'
import { AGE, NAME, num, str } from '../../printing/columns.js'

/** `HighestUserDefinablePriority`: classes users define go up to a billion; above is the system's. */
const HIGHEST_USER_PRIORITY = 1_000_000_000
/** `SystemPriorityClassPrefix`: names reserved for the system's classes. */
const SYSTEM_PREFIX = 'system-'
/** The system's classes (`SystemPriorityClasses`): a class with a reserved name must be one of them exactly. */
const SYSTEM_CLASSES: Record<string, number> = { 'system-node-critical': 2_000_001_000, 'system-cluster-critical': 2_000_000_000 }
/** Upstream's order, not sorted. */
const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never']

const nameOf = (o: JsonObject) => String(objectAt(o, 'metadata')?.name ?? '')

declare module '../../kind-types.js' {
  interface KindTypes {
    PriorityClass: PriorityClassType
  }
}

/**
 * `PriorityClass` (scheduling.k8s.io/v1): a name for a pod priority, cluster-scoped. Users' classes
 * go up to 1,000,000,000; names starting `system-` are the system's; value and preemptionPolicy
 * never change; and at most one class is the global default (upstream's Priority admission plugin).
 */
export const priorityClass: KindDefinition = {
  kind: 'PriorityClass',
  group: 'scheduling.k8s.io',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.scheduling.v1.PriorityClass' },
  resource: 'priorityclasses',
  shortNames: ['pc'],
  namespaced: false,
  nameRule: 'dns1123-subdomain',
  // `value` is a plain int32 (0 when absent); SetDefaults_PriorityClass defaults the policy.
  defaults: (o) => {
    defaultTo(o, 'value', 0)
    defaultTo(o, 'preemptionPolicy', 'PreemptLowerPriority')
  },
  // `ValidatePriorityClass`.
  validate: (o) => {
    const errors: FieldError[] = []
    const name = nameOf(o)
    if (name.startsWith(SYSTEM_PREFIX)) {
      const why = knownSystemClass(name, o)
      if (why)
        errors.push(
          fieldError.forbidden(
            'metadata.name',
            `priority class names with '${SYSTEM_PREFIX}' prefix are reserved for system use only. error: ${why}`,
          ),
        )
    } else if (num(o.value) > HIGHEST_USER_PRIORITY) {
      errors.push(fieldError.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`))
    }
    if (o.preemptionPolicy === '') errors.push(fieldError.required('preemptionPolicy'))
    else if (!PREEMPTION_POLICIES.includes(o.preemptionPolicy as string)) {
      errors.push(fieldError.notSupported('preemptionPolicy', o.preemptionPolicy, PREEMPTION_POLICIES))
    }
    return errors
  },
  // `ValidatePriorityClassUpdate`: value and preemptionPolicy are immutable.
  validateUpdate: (o, old) => {
    const errors: FieldError[] = []
    if (num(o.value) !== num(old.value)) errors.push(fieldError.forbidden('value', 'may not be changed in an update.'))
    if (o.preemptionPolicy !== old.preemptionPolicy)
      errors.push(fieldError.invalid('preemptionPolicy', o.preemptionPolicy ?? null, 'field is immutable'))
    return errors
  },
  // The Priority admission plugin: a class becomes the global default only while no other is.
  admit: async ({ operation, object }, cluster) => {
    if (object.globalDefault !== true) return undefined
    const defaults = (await cluster.list('PriorityClass', '')).filter((pc) => pc.globalDefault === true)
    // `getDefaultPriorityClass`: of several defaults (made in a race), the one of lowest value.
    const current = defaults.sort((a, b) => num(a.value) - num(b.value))[0]
    if (!current || (operation === 'UPDATE' && nameOf(current) === nameOf(object))) return undefined
    return `PriorityClass ${nameOf(current)} is already marked as default. Only one default can exist`
  },
  printerColumns: [
    NAME,
    { name: 'Value', type: 'integer', description: 'The priority of pods of this class.', priority: 0, cell: (o) => num(o.value) },
    {
      name: 'Global-Default',
      type: 'boolean',
      description: 'Whether pods naming no class get this one.',
      priority: 0,
      cell: (o) => String(o.globalDefault === true),
    },
    AGE,
    {
      name: 'PreemptionPolicy',
      type: 'string',
      description: 'Whether its pods may preempt others.',
      priority: 0,
      cell: (o) => str(o.preemptionPolicy),
    },
  ],
}

/** `IsKnownSystemPriorityClass`: why a class with a reserved name is not one of the system's, if it is not. */
function knownSystemClass(name: string, o: JsonObject): string | undefined {
  const value = SYSTEM_CLASSES[name]
  if (value === undefined) return `${name} is not a known system priority class`
  if (num(o.value) !== value) return `value of ${name} PriorityClass must be ${value}`
  if (o.globalDefault === true) return `globalDefault of ${name} PriorityClass must be false`
  return undefined
}
