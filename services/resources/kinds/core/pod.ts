import { fieldError } from '../../field-errors.js'
import { child, deepEqual, objectAt, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { defaultPodOnly, defaultPodSpec, qosClass, validatePodOnly, validatePodSpec } from '../pod-spec.js'
import { conditions, join, podTemplate } from '../merge-keys.js'

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v))

export const pod: KindDefinition = {
  kind: 'Pod',
  group: '',
  versions: ['v1'],
  resource: 'pods',
  shortNames: ['po'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  selectableFields: (o) => {
    const spec = objectAt(o, 'spec') ?? {}
    const status = objectAt(o, 'status') ?? {}
    return {
      'spec.nodeName': str(spec.nodeName),
      'spec.restartPolicy': str(spec.restartPolicy),
      'spec.schedulerName': str(spec.schedulerName),
      'spec.serviceAccountName': str(spec.serviceAccountName),
      'spec.hostNetwork': String(spec.hostNetwork === true),
      'status.phase': str(status.phase),
      'status.podIP': str(status.podIP),
      'status.nominatedNodeName': str(status.nominatedNodeName),
    }
  },
  defaults: (o) => {
    const spec = child(o, 'spec')
    defaultPodSpec(spec)
    defaultPodOnly(spec)
  },
  // A pod bound to a node is stopped by its kubelet first, within its grace period; others go at once.
  deletion: {
    gracePeriodSeconds: (o, requested) => {
      const spec = objectAt(o, 'spec')
      if (!spec?.nodeName) return 0
      if (requested !== undefined) return Math.max(0, requested)
      return typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30
    },
  },
  initialStatus: (o) => ({ phase: 'Pending', qosClass: qosClass(objectAt(o, 'spec') ?? {}) }),
  validate: (o) => [...validatePodSpec(o.spec, 'spec'), ...validatePodOnly(o.spec, 'spec')],
  validateUpdate: (o, old) => {
    // A pod's spec is immutable but for a few fields; the scheduler binds through nodeName once.
    const spec = { ...(objectAt(o, 'spec') ?? {}) }
    const before = { ...(objectAt(old, 'spec') ?? {}) }
    for (const mutable of ['activeDeadlineSeconds', 'tolerations', 'schedulingGates']) {
      delete spec[mutable]
      delete before[mutable]
    }
    const images = (s: JsonObject) => {
      for (const list of ['containers', 'initContainers']) {
        const containers = s[list]
        if (Array.isArray(containers)) s[list] = containers.map((c) => ({ ...(c as JsonObject), image: undefined }))
      }
    }
    if (!before.nodeName) {
      delete spec.nodeName
      delete before.nodeName
    }
    images(spec)
    images(before)
    return deepEqual(spec, before)
      ? []
      : [fieldError.forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) or `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)')]
  },
  mergeKeys: join(conditions, podTemplate(''), { lists: { 'status.podIPs': 'ip', 'status.hostIPs': 'ip' } }),
}
