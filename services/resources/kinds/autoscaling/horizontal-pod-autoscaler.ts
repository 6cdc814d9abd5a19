import { fieldError, type FieldError } from '../../field-errors.js'
import { child, defaultTo, objectAt, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'

const METRIC_TYPES = ['Object', 'Pods', 'Resource', 'ContainerResource', 'External']

export const horizontalPodAutoscaler: KindDefinition = {
  kind: 'HorizontalPodAutoscaler',
  group: 'autoscaling',
  versions: ['v2', 'v1'],
  resource: 'horizontalpodautoscalers',
  shortNames: ['hpa'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultTo(spec, 'minReplicas', 1)
    // autoscaling/v1's targetCPUUtilizationPercentage is the v2 resource metric on cpu.
    // Objects are stored at the preferred version, v2.
    if (typeof spec.targetCPUUtilizationPercentage === 'number' && spec.metrics === undefined) {
      spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }]
    }
    delete spec.targetCPUUtilizationPercentage
    if (spec.metrics === undefined) {
      spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]
    }
  },
  initialStatus: () => ({ currentReplicas: 0, desiredReplicas: 0 }),
  validate: (o) => {
    const spec = objectAt(o, 'spec') ?? ({} as JsonObject)
    const errors: FieldError[] = []
    const target = objectAt(spec, 'scaleTargetRef')
    if (!target) errors.push(fieldError.required('spec.scaleTargetRef'))
    else {
      if (typeof target.kind !== 'string' || target.kind === '') errors.push(fieldError.required('spec.scaleTargetRef.kind'))
      if (typeof target.name !== 'string' || target.name === '') errors.push(fieldError.required('spec.scaleTargetRef.name'))
    }
    const min = spec.minReplicas
    const max = spec.maxReplicas
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
      errors.push(fieldError.invalid('spec.maxReplicas', max ?? 0, 'must be greater than 0'))
    }
    if (typeof min === 'number' && min < 1) errors.push(fieldError.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'))
    if (typeof min === 'number' && typeof max === 'number' && max < min) {
      errors.push(fieldError.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'))
    }
    const metrics = Array.isArray(spec.metrics) ? spec.metrics : []
    metrics.forEach((metric, i) => {
      const type = (metric as JsonObject | null)?.type
      if (!METRIC_TYPES.includes(type as string)) errors.push(fieldError.notSupported(`spec.metrics[${i}].type`, type ?? '', METRIC_TYPES))
    })
    return errors
  },
}
