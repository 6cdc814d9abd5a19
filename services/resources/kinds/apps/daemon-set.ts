import type { DaemonSet as DaemonSetType } from 'kubernetes-types/apps/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { child, defaultTo, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import {
  defaultTemplate,
  emptySelector,
  immutableSelector,
  nonNegativeInteger,
  restartAlways,
  selectorMatchesTemplate,
  validatePodTemplate,
  workloadSelector,
} from '../workload.js'
import { defaultZero } from '../zero-value.js'
import { intOrPercentValue, notMoreThan100Percent, validateIntOrPercent } from './int-or-percent.js'
import { conditions, join, podTemplate } from '../merge-keys.js'
import { AGE, mapSelector, NAME, num, obj, SELECTOR, spec, status, templateColumns } from '../../printing/columns.js'
import { viewAndEdit } from '../roles.js'

const STRATEGIES = ['RollingUpdate', 'OnDelete']

declare module '../../kind-types.js' {
  interface KindTypes {
    DaemonSet: DaemonSetType
  }
}

export const daemonSet: KindDefinition = {
  kind: 'DaemonSet',
  group: 'apps',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.apps.v1.DaemonSet' },
  resource: 'daemonsets',
  shortNames: ['ds'],
  categories: ['all'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  defaults: (o) => {
    const spec = child(o, 'spec')
    const strategy = child(spec, 'updateStrategy')
    defaultZero(strategy, 'type', 'RollingUpdate')
    if (strategy.type === 'RollingUpdate') {
      const rolling = child(strategy, 'rollingUpdate')
      defaultTo(rolling, 'maxUnavailable', 1)
      defaultTo(rolling, 'maxSurge', 0)
    }
    defaultTo(spec, 'revisionHistoryLimit', 10)
    defaultTemplate(spec)
  },
  initialStatus: () => ({ currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 }),
  validate: (o) => validateDaemonSetSpec(objectAt(o, 'spec') ?? {}),
  validateUpdate: immutableSelector,
  mergeKeys: join(conditions, podTemplate('spec.template')),
  printerColumns: [
    NAME,
    {
      name: 'Desired',
      type: 'integer',
      description: 'The number of nodes that should run the daemon pod.',
      priority: 0,
      cell: (o) => num(status(o).desiredNumberScheduled),
    },
    {
      name: 'Current',
      type: 'integer',
      description: 'The number of nodes running at least one daemon pod.',
      priority: 0,
      cell: (o) => num(status(o).currentNumberScheduled),
    },
    {
      name: 'Ready',
      type: 'integer',
      description: 'The number of nodes whose daemon pod is ready.',
      priority: 0,
      cell: (o) => num(status(o).numberReady),
    },
    {
      name: 'Up-to-date',
      type: 'integer',
      description: 'The number of nodes running the latest template.',
      priority: 0,
      cell: (o) => num(status(o).updatedNumberScheduled),
    },
    {
      name: 'Available',
      type: 'integer',
      description: 'The number of nodes whose daemon pod is available.',
      priority: 0,
      cell: (o) => num(status(o).numberAvailable),
    },
    {
      name: 'Node Selector',
      type: 'string',
      description: 'The node labels the daemon pods require.',
      priority: 0,
      cell: (o) => mapSelector(obj(obj(spec(o).template).spec).nodeSelector),
    },
    AGE,
    ...templateColumns(),
    SELECTOR,
  ],
  roles: viewAndEdit({ read: ['status'] }),
}

/**
 * `ValidateDaemonSetSpec`. Unlike a Deployment, an absent selector is not `Required`: it selects
 * nothing, so only the template labels fail to match it.
 */
function validateDaemonSetSpec(spec: JsonObject): FieldError[] {
  const { errors, selector } = workloadSelector(spec, 'spec', { required: false })
  if (selector !== null) errors.push(...selectorMatchesTemplate(selector, spec.template, 'spec.template'))
  errors.push(...emptySelector(spec, 'spec', 'empty selector is invalid for daemonset'))
  errors.push(...validatePodTemplate(spec.template, 'spec.template'))
  errors.push(...restartAlways(spec, 'spec', 'DaemonSet'))
  errors.push(...nonNegativeInteger(spec.minReadySeconds, 'spec.minReadySeconds'))
  errors.push(...validateUpdateStrategy(objectAt(spec, 'updateStrategy') ?? {}))
  errors.push(...nonNegativeInteger(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'))
  return errors
}

/** `ValidateDaemonSetUpdateStrategy` and `ValidateRollingUpdateDaemonSet`. */
function validateUpdateStrategy(strategy: JsonObject): FieldError[] {
  const path = 'spec.updateStrategy'
  if (strategy.type === 'OnDelete') return []
  if (strategy.type !== 'RollingUpdate') return [fieldError.notSupported(path, strategy, STRATEGIES)]
  const rolling = objectAt(strategy, 'rollingUpdate')
  if (!rolling) return [fieldError.required(`${path}.rollingUpdate`)]
  const at = `${path}.rollingUpdate`
  const errors = [
    ...validateIntOrPercent(rolling.maxUnavailable, `${at}.maxUnavailable`),
    ...validateIntOrPercent(rolling.maxSurge, `${at}.maxSurge`),
    ...notMoreThan100Percent(rolling.maxUnavailable, `${at}.maxUnavailable`),
    ...notMoreThan100Percent(rolling.maxSurge, `${at}.maxSurge`),
  ]
  const unavailable = intOrPercentValue(rolling.maxUnavailable) !== 0
  const surge = intOrPercentValue(rolling.maxSurge) !== 0
  if (unavailable && surge)
    errors.push(fieldError.invalid(`${at}.maxSurge`, rolling.maxSurge, 'may not be set when maxUnavailable is non-zero'))
  if (!unavailable && !surge) errors.push(fieldError.required(`${at}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'))
  return errors
}
