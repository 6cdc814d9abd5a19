import { fieldError } from '../../field-errors.js'
import { child, defaultTo, objectAt, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { defaultTemplate, immutableSelector, nonNegativeInteger, validateTemplate } from '../workload.js'
import { validateIntOrPercent } from './int-or-percent.js'

const STRATEGIES = ['RollingUpdate', 'OnDelete']

export const daemonSet: KindDefinition = {
  kind: 'DaemonSet',
  group: 'apps',
  versions: ['v1'],
  resource: 'daemonsets',
  shortNames: ['ds'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  defaults: (o) => {
    const spec = child(o, 'spec')
    const strategy = child(spec, 'updateStrategy')
    defaultTo(strategy, 'type', 'RollingUpdate')
    if (strategy.type === 'RollingUpdate') {
      const rolling = child(strategy, 'rollingUpdate')
      defaultTo(rolling, 'maxUnavailable', 1)
      defaultTo(rolling, 'maxSurge', 0)
    }
    defaultTo(spec, 'revisionHistoryLimit', 10)
    defaultTemplate(spec)
  },
  initialStatus: () => ({ currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 }),
  validate: (o) => {
    const spec = objectAt(o, 'spec') ?? ({} as JsonObject)
    const strategy = objectAt(spec, 'updateStrategy') ?? {}
    const type = strategy.type ?? 'RollingUpdate'
    return [
      ...validateTemplate(spec, 'spec', { restartPolicies: ['Always'] }),
      ...nonNegativeInteger(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
      ...(STRATEGIES.includes(type as string) ? [] : [fieldError.notSupported('spec.updateStrategy.type', type, STRATEGIES)]),
      ...validateIntOrPercent(objectAt(strategy, 'rollingUpdate')?.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'),
      ...validateIntOrPercent(objectAt(strategy, 'rollingUpdate')?.maxSurge, 'spec.updateStrategy.rollingUpdate.maxSurge'),
    ]
  },
  validateUpdate: immutableSelector,
}
