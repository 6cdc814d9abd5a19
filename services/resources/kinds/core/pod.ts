import type { Pod as PodType } from 'kubernetes-types/core/v1.js'
import { fieldError } from '../../field-errors.js'
import { child, deepEqual, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { defaultPodOnly, defaultPodSpec, qosClass, validatePodOnly, validatePodSpec } from '../pod-spec.js'
import { conditions, join, podTemplate } from '../merge-keys.js'
import { AGE, arr, meta, NAME, num, obj, spec, status, str } from '../../printing/columns.js'
import { editable, READ, viewable } from '../roles.js'

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v))

declare module '../../kind-types.js' {
  interface KindTypes {
    Pod: PodType
  }
}

export const pod: KindDefinition = {
  kind: 'Pod',
  group: '',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.core.v1.Pod' },
  resource: 'pods',
  shortNames: ['po'],
  categories: ['all'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  selectableFields: (o) => {
    const spec = objectAt(o, 'spec') ?? {}
    const status = objectAt(o, 'status') ?? {}
    return {
      'spec.nodeName': text(spec.nodeName),
      'spec.restartPolicy': text(spec.restartPolicy),
      'spec.schedulerName': text(spec.schedulerName),
      'spec.serviceAccountName': text(spec.serviceAccountName),
      'spec.hostNetwork': String(spec.hostNetwork === true),
      'status.phase': text(status.phase),
      'status.podIP': text(status.podIP),
      'status.nominatedNodeName': text(status.nominatedNodeName),
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
      : [
          fieldError.forbidden(
            'spec',
            'pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) or `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
          ),
        ]
  },
  mergeKeys: join(conditions, podTemplate(''), { lists: { 'status.podIPs': 'ip', 'status.hostIPs': 'ip' } }),
  printerColumns: [
    NAME,
    { name: 'Ready', type: 'string', description: 'The number of ready containers of all the containers.', priority: 0, cell: podReady },
    {
      name: 'Status',
      type: 'string',
      description: 'The phase, or what keeps the pod from running, as kubectl reports it.',
      priority: 0,
      cell: podStatus,
    },
    {
      name: 'Restarts',
      type: 'integer',
      description: 'Restarts of all the containers.',
      priority: 0,
      cell: (o) =>
        arr(status(o).containerStatuses)
          .map(obj)
          .reduce((n, c) => n + num(c.restartCount), 0),
    },
    AGE,
    { name: 'IP', type: 'string', description: 'The IP address allocated to the pod.', priority: 1, cell: (o) => str(status(o).podIP) },
    { name: 'Node', type: 'string', description: 'The node the pod is bound to.', priority: 1, cell: (o) => str(spec(o).nodeName) },
    {
      name: 'Nominated Node',
      type: 'string',
      description: 'The node the pod may go to once preemption has made room on it.',
      priority: 1,
      cell: (o) => str(status(o).nominatedNodeName),
    },
    {
      name: 'Readiness Gates',
      type: 'string',
      description: 'The conditions the pod waits for besides its containers being ready.',
      priority: 1,
      cell: (o) =>
        str(
          arr(spec(o).readinessGates)
            .map((g) => obj(g).conditionType)
            .join(','),
        ),
    },
  ],
  roles: [
    viewable('log', 'status'),
    editable('attach', 'exec', 'portforward', 'proxy'),
    // kubectl exec and attach open their streams with a GET.
    { role: 'edit', verbs: READ, subresources: ['attach', 'exec', 'portforward', 'proxy'] },
  ],
  graphqlType: 'Pod',
}

/** kubectl's pod STATUS: the phase, refined by the reason, container states and deletion. */
export function podStatus(pod: JsonObject): string {
  const s = status(pod)
  let reason = str(s.reason, '') || str(s.phase, 'Unknown')
  // kubectl's printPod: a pod held back by spec.schedulingGates shows as such, not as Pending.
  if (
    arr(s.conditions)
      .map(obj)
      .some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')
  )
    reason = 'SchedulingGated'
  const init = arr(s.initContainerStatuses).map(obj)
  for (const [i, c] of init.entries()) {
    const state = obj(c.state)
    const terminated = obj(state.terminated)
    if (state.terminated && terminated.exitCode === 0) continue
    if (state.terminated) reason = `Init:${str(terminated.reason, '') || `ExitCode:${String(terminated.exitCode)}`}`
    else if (state.waiting && obj(state.waiting).reason && obj(state.waiting).reason !== 'PodInitializing')
      reason = `Init:${String(obj(state.waiting).reason)}`
    else reason = `Init:${i}/${arr(spec(pod).initContainers).length}`
    return reason
  }
  let running = false
  for (const c of arr(s.containerStatuses).map(obj).reverse()) {
    const state = obj(c.state)
    if (state.waiting && obj(state.waiting).reason) reason = String(obj(state.waiting).reason)
    else if (state.terminated) {
      const t = obj(state.terminated)
      reason = str(t.reason, '') || (t.signal ? `Signal:${String(t.signal)}` : `ExitCode:${String(t.exitCode)}`)
    } else if (c.ready) running = true
  }
  if (reason === 'Completed' && running) reason = 'Running'
  if (meta(pod).deletionTimestamp) reason = s.reason === 'NodeLost' ? 'Unknown' : 'Terminating'
  return reason
}

function podReady(pod: JsonObject): string {
  const statuses = arr(status(pod).containerStatuses).map(obj)
  return `${statuses.filter((c) => c.ready).length}/${arr(spec(pod).containers).length}`
}
