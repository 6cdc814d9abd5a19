import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, child, defaultTo, isObject, objectAt, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { validateName } from '../../validation/names.js'
import { defaultReplicas, defaultTemplate, immutableSelector, nonNegativeInteger, validateTemplate } from '../workload.js'

const POLICIES = ['OrderedReady', 'Parallel']
const STRATEGIES = ['RollingUpdate', 'OnDelete']

export const statefulSet: KindDefinition = {
  kind: 'StatefulSet',
  group: 'apps',
  versions: ['v1'],
  resource: 'statefulsets',
  shortNames: ['sts'],
  namespaced: true,
  nameRule: 'dns1123-label',
  status: true,
  scale: { specReplicas: 'spec.replicas', statusReplicas: 'status.replicas', selector: 'spec.selector' },
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultReplicas(spec)
    defaultTo(spec, 'podManagementPolicy', 'OrderedReady')
    const strategy = child(spec, 'updateStrategy')
    defaultTo(strategy, 'type', 'RollingUpdate')
    if (strategy.type === 'RollingUpdate') defaultTo(child(strategy, 'rollingUpdate'), 'partition', 0)
    defaultTo(spec, 'revisionHistoryLimit', 10)
    const retention = child(spec, 'persistentVolumeClaimRetentionPolicy')
    defaultTo(retention, 'whenDeleted', 'Retain')
    defaultTo(retention, 'whenScaled', 'Retain')
    defaultTemplate(spec)
  },
  initialStatus: () => ({ replicas: 0, availableReplicas: 0 }),
  validate: (o) => {
    const spec = objectAt(o, 'spec') ?? ({} as JsonObject)
    const errors: FieldError[] = [
      ...nonNegativeInteger(spec.replicas, 'spec.replicas'),
      ...validateTemplate(spec, 'spec', { restartPolicies: ['Always'] }),
    ]
    const policy = spec.podManagementPolicy ?? 'OrderedReady'
    if (!POLICIES.includes(policy as string)) errors.push(fieldError.notSupported('spec.podManagementPolicy', policy, POLICIES))
    const type = objectAt(spec, 'updateStrategy')?.type ?? 'RollingUpdate'
    if (!STRATEGIES.includes(type as string)) errors.push(fieldError.notSupported('spec.updateStrategy.type', type, STRATEGIES))
    arrayAt(spec, 'volumeClaimTemplates').forEach((claim, i) => {
      const name = isObject(claim) ? objectAt(claim, 'metadata')?.name : undefined
      if (typeof name !== 'string' || name === '') errors.push(fieldError.required(`spec.volumeClaimTemplates[${i}].metadata.name`))
      else errors.push(...validateName('dns1123-subdomain', name, `spec.volumeClaimTemplates[${i}].metadata.name`))
    })
    return errors
  },
  validateUpdate: (o, old) => {
    const errors = immutableSelector(o, old)
    for (const field of ['serviceName', 'volumeClaimTemplates', 'podManagementPolicy']) {
      if (JSON.stringify(objectAt(o, 'spec')?.[field]) !== JSON.stringify(objectAt(old, 'spec')?.[field])) {
        errors.push(
          fieldError.forbidden(
            'spec',
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
          ),
        )
        break
      }
    }
    return errors
  },
}
