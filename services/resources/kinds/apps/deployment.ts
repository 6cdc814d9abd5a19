import type { Deployment as DeploymentType } from 'kubernetes-types/apps/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { child, defaultTo, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import {
  defaultReplicas,
  defaultTemplate,
  emptySelector,
  immutableSelector,
  nonNegativeInteger,
  printableSelector,
  validateReplicaTemplate,
  workloadSelector,
} from '../workload.js'
import { defaultZero } from '../zero-value.js'
import { intOrPercentValue, notMoreThan100Percent, validateIntOrPercent } from './int-or-percent.js'
import { conditions, join, podTemplate } from '../merge-keys.js'
import { AGE, NAME, num, SELECTOR, spec, status, templateColumns } from '../../printing/columns.js'
import { viewAndEdit } from '../roles.js'

const STRATEGIES = ['Recreate', 'RollingUpdate']

declare module '../../kind-types.js' {
  interface KindTypes {
    Deployment: DeploymentType
  }
}

export const deployment: KindDefinition = {
  kind: 'Deployment',
  group: 'apps',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.apps.v1.Deployment' },
  resource: 'deployments',
  shortNames: ['deploy'],
  categories: ['all'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  generationCountsAnnotations: true,
  scale: { specReplicas: 'spec.replicas', statusReplicas: 'status.replicas', selector: 'spec.selector' },
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultReplicas(spec)
    const strategy = child(spec, 'strategy')
    defaultZero(strategy, 'type', 'RollingUpdate')
    if (strategy.type === 'RollingUpdate') {
      const rolling = child(strategy, 'rollingUpdate')
      defaultTo(rolling, 'maxUnavailable', '25%')
      defaultTo(rolling, 'maxSurge', '25%')
    }
    defaultTo(spec, 'revisionHistoryLimit', 10)
    defaultTo(spec, 'progressDeadlineSeconds', 600)
    defaultTemplate(spec)
  },
  validate: (o) => validateDeploymentSpec(objectAt(o, 'spec') ?? {}),
  validateUpdate: immutableSelector,
  mergeKeys: join(conditions, podTemplate('spec.template')),
  printerColumns: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      description: 'The number of ready replicas of the desired ones.',
      priority: 0,
      cell: (o) => `${num(status(o).readyReplicas)}/${num(spec(o).replicas)}`,
    },
    {
      name: 'Up-to-date',
      type: 'integer',
      description: 'The number of replicas updated to the latest template.',
      priority: 0,
      cell: (o) => num(status(o).updatedReplicas),
    },
    {
      name: 'Available',
      type: 'integer',
      description: 'The number of replicas available to serve.',
      priority: 0,
      cell: (o) => num(status(o).availableReplicas),
    },
    AGE,
    ...templateColumns(),
    SELECTOR,
  ],
  roles: viewAndEdit({ read: ['scale', 'status'], write: ['rollback', 'scale'] }),
  graphqlType: 'Deployment',
}

/** `ValidateDeploymentSpec`, in upstream's order. */
function validateDeploymentSpec(spec: JsonObject): FieldError[] {
  const errors = nonNegativeInteger(spec.replicas, 'spec.replicas')
  const { errors: selectorErrors, selector } = workloadSelector(spec, 'spec', { required: true })
  errors.push(...selectorErrors, ...emptySelector(spec, 'spec', 'empty selector is invalid for deployment'))
  if (selector === null) errors.push(fieldError.invalid('spec.selector', printableSelector(spec.selector), 'invalid label selector'))
  else errors.push(...validateReplicaTemplate(spec, 'spec', selector, 'Deployment'))
  errors.push(...validateStrategy(objectAt(spec, 'strategy') ?? {}))
  errors.push(...nonNegativeInteger(spec.minReadySeconds, 'spec.minReadySeconds'))
  errors.push(...nonNegativeInteger(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'))
  const deadline = spec.progressDeadlineSeconds
  if (deadline !== undefined && deadline !== null) {
    errors.push(...nonNegativeInteger(deadline, 'spec.progressDeadlineSeconds'))
    const minReady = typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0
    if (typeof deadline === 'number' && deadline <= minReady) {
      errors.push(fieldError.invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'))
    }
  }
  return errors
}

/** `ValidateDeploymentStrategy` and `ValidateRollingUpdateDeployment`. */
function validateStrategy(strategy: JsonObject): FieldError[] {
  const path = 'spec.strategy'
  const rolling = strategy.rollingUpdate
  if (strategy.type === 'Recreate') {
    return rolling === undefined || rolling === null
      ? []
      : [fieldError.forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")]
  }
  if (strategy.type !== 'RollingUpdate') return [fieldError.notSupported(path, strategy, STRATEGIES)]
  const update = objectAt(strategy, 'rollingUpdate')
  if (!update) return [fieldError.required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')]
  const at = `${path}.rollingUpdate`
  const errors = [
    ...validateIntOrPercent(update.maxUnavailable, `${at}.maxUnavailable`),
    ...validateIntOrPercent(update.maxSurge, `${at}.maxSurge`),
  ]
  if (intOrPercentValue(update.maxUnavailable) === 0 && intOrPercentValue(update.maxSurge) === 0) {
    errors.push(fieldError.invalid(`${at}.maxUnavailable`, update.maxUnavailable, 'may not be 0 when `maxSurge` is 0'))
  }
  errors.push(...notMoreThan100Percent(update.maxUnavailable, `${at}.maxUnavailable`))
  return errors
}
