import type { DaemonSet } from 'kubernetes-types/apps/v1.js'
import type { Pod, PodSpec, PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { eventObject, getObject, listObjects, ownedBy, type ClusterView } from '../../projections/cluster-state.js'
import { deepEqual } from '../json.js'
import { labelSelectorFromObject } from '../resources/label-selector.js'
import { computeHash, generatedName, planRevision, REVISION_HASH_LABEL, revisionsOf, truncateHistory } from './controller-revision.js'
import { daemonPodSpec, nodeShouldRunDaemonPod, targetNodeOf } from './daemon-set-nodes.js'
import { daemonSetStatus, oldestFirst, rollingUpdate, scaledValue, TEMPLATE_GENERATION_LABEL } from './daemon-set-update.js'
import { templateSpecOf } from './replica-set-pods.js'
import { recordEvent } from '../runtime/events.js'
import {
  asJson,
  controllerOf,
  controllerReference,
  isDeleting,
  isPodAvailable,
  isPodReady,
  keysOfKind,
  labelsOf,
  nameOf,
  namespaceOf,
  uidOf,
} from '../runtime/objects.js'
import { keyOf, nothing, splitKey, type Action, type Controller } from '../runtime/controller.js'

const COMPONENT = 'daemonset-controller'

/**
 * The DaemonSet controller (kubernetes `pkg/controller/daemon`): one pod per eligible node, placed
 * by the default scheduler through required node affinity on the node's name; template history in
 * ControllerRevisions; RollingUpdate (maxUnavailable or maxSurge) or OnDelete; status counters.
 */
export function createDaemonSetController(): Controller {
  return {
    name: 'daemonset',
    keysFor: (change, state) => {
      const { event, previous } = change
      if (event.kind === 'DaemonSet') return [keyOf(event.namespace, event.name)]
      if (event.kind === 'Node') return keysOfKind(state, 'DaemonSet')
      if (event.kind !== 'Pod' && event.kind !== 'ControllerRevision') return []
      const owner = controllerOf(eventObject(event) ?? previous ?? event.object)
      return owner?.kind === 'DaemonSet' ? [keyOf(event.namespace, owner.name)] : []
    },
    allKeys: (state) => keysOfKind(state, 'DaemonSet'),
    reconcile: (key, state, now) => {
      const { namespace, name } = splitKey(key)
      const ds = getObject(state, 'DaemonSet', namespace, name)
      return ds && !isDeleting(ds) ? syncDaemonSet(ds, state, now) : nothing
    },
  }
}

function syncDaemonSet(ds: DaemonSet, state: ClusterView, now: Date) {
  const event = (reason: string, message: string, type?: 'Warning') =>
    recordEvent(ds, { ...(type && { type }), reason, message, component: COMPONENT }, now)
  const selector = labelSelectorFromObject(ds.spec?.selector).selector
  if (!selector || selector.requirements.length === 0) {
    const message = 'This daemon set is selecting all pods. A non-empty selector is required.'
    return { actions: [event('SelectingAll', message, 'Warning')] }
  }
  const template = ds.spec?.template ?? {}
  const hash = computeHash(template, ds.status?.collisionCount ?? 0)
  const revisions = revisionsOf(state, ds)
  const plan = planRevision(ds, revisions, hash, { [REVISION_HASH_LABEL]: hash })

  const pods = ownedBy(state, uidOf(ds), 'Pod').filter((p) => controllerOf(p)?.uid === uidOf(ds))
  const nodeToPods = new Map<string, Pod[]>()
  for (const pod of pods) {
    const node = targetNodeOf(pod)
    if (node !== undefined) nodeToPods.set(node, [...(nodeToPods.get(node) ?? []), pod])
  }
  const templateSpec = templateSpecOf(template)
  const nodes = listObjects(state, 'Node').map((node) => ({
    name: nameOf(node),
    ...nodeShouldRunDaemonPod(daemonPodSpec(templateSpec, nameOf(node)), node),
  }))

  // manage: create where a pod is missing, delete failed, surplus and misplaced pods.
  const createOn: string[] = []
  const deletePods: Pod[] = []
  const events: Action[] = []
  const strategy = ds.spec?.updateStrategy
  const allowsSurge = strategy?.type === 'RollingUpdate' && scaledValue(strategy.rollingUpdate?.maxSurge, 1) > 0
  for (const node of nodes) {
    const onNode = nodeToPods.get(node.name) ?? []
    if (node.shouldRun && onNode.length === 0) createOn.push(node.name)
    else if (node.shouldContinueRunning) {
      const running: Pod[] = []
      for (const pod of onNode) {
        if (isDeleting(pod)) continue
        const phase = pod.status?.phase
        if (phase === 'Failed') {
          const message = `Found failed daemon pod ${namespaceOf(pod)}/${nameOf(pod)} on node ${node.name}, will try to kill it`
          events.push(event('FailedDaemonPod', message, 'Warning'))
          deletePods.push(pod)
        } else if (phase === 'Succeeded') deletePods.push(pod)
        else running.push(pod)
      }
      deletePods.push(...surplus(oldestFirst(running), hash, allowsSurge))
    } else deletePods.push(...onNode.filter((p) => !isDeleting(p)))
  }
  // Pods waiting for a node that no longer exists.
  const known = new Set(nodes.map((n) => n.name))
  for (const [node, onNode] of nodeToPods) {
    if (!known.has(node)) deletePods.push(...onNode.filter((p) => !isDeleting(p) && !p.spec?.nodeName))
  }

  if (createOn.length === 0 && deletePods.length === 0 && strategy?.type === 'RollingUpdate') {
    const rollingNodes = new Map<string, Pod[]>()
    for (const node of nodes) if (node.shouldRun) rollingNodes.set(node.name, nodeToPods.get(node.name) ?? [])
    const step = rollingUpdate(ds, rollingNodes, rollingNodes.size, hash, now)
    createOn.push(...step.createOn)
    deletePods.push(...step.deletePods)
  }

  const taken = new Set(listObjects(state, 'Pod', namespaceOf(ds)).map(nameOf))
  const creates = createOn.map((node) => {
    const pod = newDaemonPod(ds, template, templateSpec, node, hash, now, taken)
    taken.add(nameOf(pod))
    return pod
  })
  const writes: Action[] = [
    ...creates.map((pod): Action => ({ type: 'create', object: asJson(pod) })),
    ...deletePods.map((pod): Action => ({ type: 'delete', kind: 'Pod', namespace: namespaceOf(pod), name: nameOf(pod) })),
  ]
  events.push(...creates.map((pod) => event('SuccessfulCreate', `Created pod: ${nameOf(pod)}`)))
  events.push(...deletePods.map((pod) => event('SuccessfulDelete', `Deleted pod: ${nameOf(pod)}`)))

  const live = new Set([nameOf(plan.revision), ...pods.map((p) => `${nameOf(ds)}-${labelsOf(p)[REVISION_HASH_LABEL] ?? ''}`)])
  const history = truncateHistory(revisions, live, ds.spec?.revisionHistoryLimit ?? 10)
  const next = daemonSetStatus(ds, nodes, nodeToPods, hash, now)
  const updated: DaemonSet = { ...ds, status: next }
  const statusWrite: Action[] = deepEqual(next, ds.status ?? {}) ? [] : [{ type: 'updateStatus', object: asJson(updated) }]

  const minReady = ds.spec?.minReadySeconds ?? 0
  const waiting = minReady > 0 && pods.some((p) => isPodReady(p) && !isPodAvailable(p, minReady, now))
  return {
    actions: [...plan.actions, ...(writes.length > 0 ? [writes] : []), ...statusWrite, ...history, ...events],
    ...(waiting && { requeueAfterMs: minReady * 1000 }),
  }
}

/**
 * More than one running pod on a node: all but the oldest go; with surge, the oldest new and the
 * oldest old pod may both stay while the new one is not ready, and the old one goes once it is.
 */
function surplus(running: Pod[], hash: string, allowsSurge: boolean): Pod[] {
  if (running.length <= 1) return []
  if (!allowsSurge) return running.slice(1)
  const extra: Pod[] = []
  let oldestNew: Pod | undefined
  let oldestOld: Pod | undefined
  for (const pod of running) {
    if (labelsOf(pod)[REVISION_HASH_LABEL] === hash) {
      if (!oldestNew) oldestNew = pod
      else extra.push(pod)
    } else if (!oldestOld) oldestOld = pod
    else extra.push(pod)
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodReady(oldestNew))) extra.push(oldestOld)
  return extra
}

function newDaemonPod(
  ds: DaemonSet,
  template: PodTemplateSpec,
  templateSpec: PodSpec,
  node: string,
  hash: string,
  now: Date,
  taken: Set<string>,
): Pod {
  const templateMeta = template.metadata ?? {}
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: generatedName(`${nameOf(ds)}-`, `${uidOf(ds)}/${node}/${hash}/${now.getTime()}`, (n) => taken.has(n)),
      namespace: namespaceOf(ds),
      labels: {
        ...labelsOf({ metadata: templateMeta }),
        [REVISION_HASH_LABEL]: hash,
        [TEMPLATE_GENERATION_LABEL]: String(ds.metadata?.generation ?? 0),
      },
      ...(templateMeta.annotations !== undefined && { annotations: templateMeta.annotations }),
      ownerReferences: [controllerReference(ds)],
    },
    spec: daemonPodSpec(templateSpec, node),
  }
}
