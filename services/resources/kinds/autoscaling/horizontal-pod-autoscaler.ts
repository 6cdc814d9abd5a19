import type { HorizontalPodAutoscaler as HorizontalPodAutoscalerType } from 'kubernetes-types/autoscaling/v2.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, child, defaultTo, isObject, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { pathSegmentName } from '../../validation/names.js'
import { conditions } from '../merge-keys.js'
import { AGE, arr, NAME, num, obj, spec, status, str } from '../../printing/columns.js'
import { viewAndEdit } from '../roles.js'

/** Supported values as upstream lists them: sorted. */
const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource']
const SOURCE_FIELDS: Record<string, string> = {
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  External: 'external',
  ContainerResource: 'containerResource',
}
const SELECT_POLICIES = ['Disabled', 'Max', 'Min']
const POLICY_TYPES = ['Percent', 'Pods']
const MAX_STABILIZATION_SECONDS = 3600
const MAX_PERIOD_SECONDS = 1800

/** `SetDefaults_HorizontalPodAutoscalerBehavior`: what a scaling direction without rules of its own does. */
const SCALE_UP = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
}
const SCALE_DOWN = { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] }

declare module '../../kind-types.js' {
  interface KindTypes {
    HorizontalPodAutoscaler: HorizontalPodAutoscalerType
  }
}

export const horizontalPodAutoscaler: KindDefinition = {
  kind: 'HorizontalPodAutoscaler',
  group: 'autoscaling',
  versions: ['v2', 'v1'],
  schema: { v2: 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler', v1: 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler' },
  resource: 'horizontalpodautoscalers',
  shortNames: ['hpa'],
  categories: ['all'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultTo(spec, 'minReplicas', 1)
    // autoscaling/v1's targetCPUUtilizationPercentage is the v2 resource metric on cpu.
    // Objects are stored at the preferred version, v2.
    if (typeof spec.targetCPUUtilizationPercentage === 'number' && arrayAt(spec, 'metrics').length === 0) {
      spec.metrics = [cpuUtilization(spec.targetCPUUtilizationPercentage)]
    }
    delete spec.targetCPUUtilizationPercentage
    if (arrayAt(spec, 'metrics').length === 0) spec.metrics = [cpuUtilization(80)]
    const behavior = objectAt(spec, 'behavior')
    if (behavior) {
      behavior.scaleUp = { ...structuredClone(SCALE_UP), ...definedFields(objectAt(behavior, 'scaleUp')) }
      behavior.scaleDown = { ...structuredClone(SCALE_DOWN), ...definedFields(objectAt(behavior, 'scaleDown')) }
    }
  },
  initialStatus: () => ({ currentReplicas: 0, desiredReplicas: 0 }),
  validate: (o) => validateSpec(objectAt(o, 'spec') ?? {}),
  mergeKeys: conditions,
  printerColumns: [
    NAME,
    {
      name: 'Reference',
      type: 'string',
      description: 'The workload it scales.',
      priority: 0,
      cell: (o) => `${String(obj(spec(o).scaleTargetRef).kind)}/${String(obj(spec(o).scaleTargetRef).name)}`,
    },
    { name: 'Targets', type: 'string', description: 'Each metric now and its target.', priority: 0, cell: hpaTargets },
    {
      name: 'MinPods',
      type: 'string',
      description: 'The fewest replicas it scales to.',
      priority: 0,
      cell: (o) => String(spec(o).minReplicas ?? 1),
    },
    {
      name: 'MaxPods',
      type: 'integer',
      description: 'The most replicas it scales to.',
      priority: 0,
      cell: (o) => num(spec(o).maxReplicas),
    },
    {
      name: 'Replicas',
      type: 'integer',
      description: 'The replicas it last saw.',
      priority: 0,
      cell: (o) => num(status(o).currentReplicas),
    },
    AGE,
  ],
  roles: viewAndEdit({ read: ['status'] }),
}

const cpuUtilization = (percent: unknown) => ({
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: percent } },
})
const definedFields = (rules: JsonObject | undefined) =>
  Object.fromEntries(Object.entries(rules ?? {}).filter(([, value]) => value !== undefined && value !== null))

/** `validateHorizontalPodAutoscalerSpec`, in upstream's order. */
function validateSpec(spec: JsonObject): FieldError[] {
  const errors: FieldError[] = []
  const min = spec.minReplicas
  const max = typeof spec.maxReplicas === 'number' ? spec.maxReplicas : 0
  if (typeof min === 'number' && min < 1) errors.push(fieldError.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'))
  if (max < 1) errors.push(fieldError.invalid('spec.maxReplicas', max, 'must be greater than 0'))
  if (typeof min === 'number' && max < min)
    errors.push(fieldError.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'))
  const target = objectAt(spec, 'scaleTargetRef') ?? {}
  for (const field of ['kind', 'name'] as const) {
    const value = typeof target[field] === 'string' ? (target[field] as string) : ''
    const at = `spec.scaleTargetRef.${field}`
    if (value === '') errors.push(fieldError.required(at))
    else errors.push(...pathSegmentName(value).map((message) => fieldError.invalid(at, value, message)))
  }
  arrayAt(spec, 'metrics').forEach((metric, i) => errors.push(...validateMetric(isObject(metric) ? metric : {}, `spec.metrics[${i}]`)))
  const behavior = objectAt(spec, 'behavior')
  for (const direction of ['scaleUp', 'scaleDown'] as const) {
    const rules = objectAt(behavior, direction)
    if (rules) errors.push(...validateScalingRules(rules, `spec.behavior.${direction}`))
  }
  return errors
}

/** `validateMetricSpec`: a known type whose source, and only it, is filled in. */
function validateMetric(metric: JsonObject, path: string): FieldError[] {
  const errors: FieldError[] = []
  const type = typeof metric.type === 'string' ? metric.type : ''
  if (type === '') errors.push(fieldError.required(`${path}.type`, 'must specify a metric source type'))
  if (!METRIC_TYPES.includes(type)) errors.push(fieldError.notSupported(`${path}.type`, type, METRIC_TYPES))
  const present = Object.values(SOURCE_FIELDS).filter((field) => isObject(metric[field]))
  const expected = SOURCE_FIELDS[type]
  if (expected === undefined) errors.push(fieldError.notSupported(`${path}.type`, type, METRIC_TYPES))
  else if (!present.includes(expected))
    errors.push(fieldError.required(`${path}.${expected}`, 'must populate information for the given metric source'))
  if (present.length !== 1) {
    for (const field of present.filter((f) => f !== expected))
      errors.push(fieldError.forbidden(`${path}.${field}`, 'must populate the given metric source only'))
  }
  return errors
}

/** `validateScalingRules`. */
function validateScalingRules(rules: JsonObject, path: string): FieldError[] {
  const errors: FieldError[] = []
  const window = rules.stabilizationWindowSeconds
  if (typeof window === 'number' && window < 0)
    errors.push(fieldError.invalid(`${path}.stabilizationWindowSeconds`, window, 'must be greater than or equal to zero'))
  if (typeof window === 'number' && window > MAX_STABILIZATION_SECONDS) {
    errors.push(
      fieldError.invalid(`${path}.stabilizationWindowSeconds`, window, `must be less than or equal to ${MAX_STABILIZATION_SECONDS}`),
    )
  }
  if (rules.selectPolicy !== undefined && !SELECT_POLICIES.includes(rules.selectPolicy as string)) {
    errors.push(fieldError.notSupported(`${path}.selectPolicy`, rules.selectPolicy, SELECT_POLICIES))
  }
  const policies = arrayAt(rules, 'policies')
  if (policies.length === 0) errors.push(fieldError.required(`${path}.policies`, 'must specify at least one Policy'))
  policies.forEach((policy, i) => {
    const at = `${path}.policies[${i}]`
    const fields = isObject(policy) ? policy : {}
    if (!POLICY_TYPES.includes(fields.type as string)) errors.push(fieldError.notSupported(`${at}.type`, fields.type ?? '', POLICY_TYPES))
    const value = typeof fields.value === 'number' ? fields.value : 0
    if (value <= 0) errors.push(fieldError.invalid(`${at}.value`, value, 'must be greater than zero'))
    const period = typeof fields.periodSeconds === 'number' ? fields.periodSeconds : 0
    if (period <= 0) errors.push(fieldError.invalid(`${at}.periodSeconds`, period, 'must be greater than zero'))
    if (period > MAX_PERIOD_SECONDS)
      errors.push(fieldError.invalid(`${at}.periodSeconds`, period, `must be less than or equal to ${MAX_PERIOD_SECONDS}`))
  })
  return errors
}

function hpaTargets(o: JsonObject): string {
  const metrics = arr(spec(o).metrics).map(obj)
  const current = arr(status(o).currentMetrics).map(obj)
  const parts = metrics.map((m, i) => {
    const target = obj(obj(obj(m.resource).target))
    const now = obj(obj(current[i]?.resource).current)
    const have = now.averageUtilization !== undefined ? `${String(now.averageUtilization)}%` : '<unknown>'
    const want =
      target.averageUtilization !== undefined ? `${String(target.averageUtilization)}%` : str(target.averageValue ?? target.value)
    return `${String(obj(m.resource).name ?? 'cpu')}: ${have}/${want}`
  })
  return str(parts.join(', '))
}
