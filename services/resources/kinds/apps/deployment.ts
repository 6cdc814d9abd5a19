import { fieldError, type FieldError } from '../../field-errors.js'
import { child, defaultTo, objectAt, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { defaultReplicas, defaultTemplate, immutableSelector, nonNegativeInteger, validateTemplate } from '../workload.js'
import { intOrPercentValue, validateIntOrPercent } from './int-or-percent.js'

const STRATEGIES = ['RollingUpdate', 'Recreate']

export const deployment: KindDefinition = {
  kind: 'Deployment',
  group: 'apps',
  versions: ['v1'],
  resource: 'deployments',
  shortNames: ['deploy'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  generationCountsAnnotations: true,
  scale: { specReplicas: 'spec.replicas', statusReplicas: 'status.replicas', selector: 'spec.selector' },
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultReplicas(spec)
    const strategy = child(spec, 'strategy')
    defaultTo(strategy, 'type', 'RollingUpdate')
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
}

function validateDeploymentSpec(spec: JsonObject): FieldError[] {
  const errors: FieldError[] = [
    ...nonNegativeInteger(spec.replicas, 'spec.replicas'),
    ...nonNegativeInteger(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
    ...nonNegativeInteger(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateTemplate(spec, 'spec', { restartPolicies: ['Always'] }),
  ]
  const strategy = objectAt(spec, 'strategy') ?? {}
  const type = strategy.type ?? 'RollingUpdate'
  if (!STRATEGIES.includes(type as string)) errors.push(fieldError.notSupported('spec.strategy.type', type, STRATEGIES))
  const rolling = objectAt(strategy, 'rollingUpdate')
  if (type === 'Recreate' && rolling) {
    errors.push(fieldError.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"))
  }
  if (type === 'RollingUpdate' && rolling) {
    const path = 'spec.strategy.rollingUpdate'
    errors.push(...validateIntOrPercent(rolling.maxUnavailable, `${path}.maxUnavailable`))
    errors.push(...validateIntOrPercent(rolling.maxSurge, `${path}.maxSurge`))
    const unavailable = intOrPercentValue(rolling.maxUnavailable)
    const surge = intOrPercentValue(rolling.maxSurge)
    if (unavailable?.value === 0 && surge?.value === 0) {
      errors.push(fieldError.invalid(`${path}.maxUnavailable`, rolling.maxUnavailable, 'may not be 0 when `maxSurge` is 0'))
    }
    if (unavailable?.percent && unavailable.value > 100) {
      errors.push(fieldError.invalid(`${path}.maxUnavailable`, rolling.maxUnavailable, 'must not be greater than 100%'))
    }
  }
  const deadline = spec.progressDeadlineSeconds
  if (typeof deadline === 'number' && deadline <= (typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0)) {
    errors.push(fieldError.invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'))
  }
  return errors
}
