import { eventObject, getObject, listObjects, ownedBy, type ClusterState } from '../../projections/cluster-state.js'
import { deepEqual, objectAt, type JsonObject } from '../json.js'
import { labelSelectorFromObject } from '../resources/label-selector.js'
import { computeHash, generatedName, planRevision, REVISION_HASH_LABEL, revisionsOf, truncateHistory } from './controller-revision.js'
import { daemonPodSpec, nodeShouldRunDaemonPod, targetNodeOf } from './daemon-set-nodes.js'
import { daemonSetStatus, oldestFirst, rollingUpdate, scaledValue, TEMPLATE_GENERATION_LABEL } from './daemon-set-update.js'
import { recordEvent } from '../runtime/events.js'
import {
  controllerOf,
  controllerReference,
  isDeleting,
  isPodAvailable,
  isPodReady,
  keysOfKind,
  labelsOf,
  meta,
  nameOf,
  namespaceOf,
  spec,
  status,
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

function syncDaemonSet(ds: JsonObject, state: ClusterState, now: Date) {
  const selector = labelSelectorFromObject(spec(ds).selector).selector
  if (!selector || selector.requirements.length === 0) {
    const message = 'This daemon set is selecting all pods. A non-empty selector is required.'
    return { actions: [recordEvent(ds, { type: 'Warning', reason: 'SelectingAll', message, component: COMPONENT }, now)] }
  }
  const template = objectAt(spec(ds), 'template') ?? {}
  const hash = computeHash(template, Number(status(ds).collisionCount ?? 0))
  const revisions = revisionsOf(state, ds)
  const plan = planRevision(ds, revisions, hash, { [REVISION_HASH_LABEL]: hash })

  const pods = ownedBy(state, uidOf(ds), 'Pod').filter((p) => controllerOf(p)?.uid === uidOf(ds))
  const nodeToPods = new Map<string, JsonObject[]>()
  for (const pod of pods) {
    const node = targetNodeOf(pod)
    if (node !== undefined) nodeToPods.set(node, [...(nodeToPods.get(node) ?? []), pod])
  }
  const templateSpec = objectAt(template, 'spec') ?? {}
  const nodes = listObjects(state, 'Node').map((node) => ({
    name: nameOf(node),
    ...nodeShouldRunDaemonPod(daemonPodSpec(templateSpec, nameOf(node)), node),
  }))

  // manage: create where a pod is missing, delete failed, surplus and misplaced pods.
  const createOn: string[] = []
  const deletePods: JsonObject[] = []
  const events: Action[] = []
  const strategy = objectAt(spec(ds), 'updateStrategy')
  const allowsSurge = strategy?.type === 'RollingUpdate' && scaledValue(objectAt(strategy, 'rollingUpdate')?.maxSurge, 1) > 0
  for (const node of nodes) {
    const onNode = nodeToPods.get(node.name) ?? []
    if (node.shouldRun && onNode.length === 0) createOn.push(node.name)
    else if (node.shouldContinueRunning) {
      const running: JsonObject[] = []
      for (const pod of onNode) {
        if (isDeleting(pod)) continue
        const phase = status(pod).phase
        if (phase === 'Failed') {
          const message = `Found failed daemon pod ${namespaceOf(pod)}/${nameOf(pod)} on node ${node.name}, will try to kill it`
          events.push(recordEvent(ds, { type: 'Warning', reason: 'FailedDaemonPod', message, component: COMPONENT }, now))
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
    if (!known.has(node)) deletePods.push(...onNode.filter((p) => !isDeleting(p) && !spec(p).nodeName))
  }

  if (createOn.length === 0 && deletePods.length === 0 && strategy?.type === 'RollingUpdate') {
    const rollingNodes = new Map<string, JsonObject[]>()
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
    ...creates.map((pod): Action => ({ type: 'create', object: pod })),
    ...deletePods.map((pod): Action => ({ type: 'delete', kind: 'Pod', namespace: namespaceOf(pod), name: nameOf(pod) })),
  ]
  events.push(
    ...creates.map((pod) =>
      recordEvent(ds, { reason: 'SuccessfulCreate', message: `Created pod: ${nameOf(pod)}`, component: COMPONENT }, now),
    ),
  )
  events.push(
    ...deletePods.map((pod) =>
      recordEvent(ds, { reason: 'SuccessfulDelete', message: `Deleted pod: ${nameOf(pod)}`, component: COMPONENT }, now),
    ),
  )

  const live = new Set([nameOf(plan.revision), ...pods.map((p) => `${nameOf(ds)}-${labelsOf(p)[REVISION_HASH_LABEL] ?? ''}`)])
  const history = truncateHistory(revisions, live, Number(spec(ds).revisionHistoryLimit ?? 10))
  const next = daemonSetStatus(ds, nodes, nodeToPods, hash, now)
  const statusWrite: Action[] = deepEqual(next, status(ds)) ? [] : [{ type: 'updateStatus', object: { ...ds, status: next } }]

  const minReady = Number(spec(ds).minReadySeconds ?? 0)
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
function surplus(running: JsonObject[], hash: string, allowsSurge: boolean): JsonObject[] {
  if (running.length <= 1) return []
  if (!allowsSurge) return running.slice(1)
  const extra: JsonObject[] = []
  let oldestNew: JsonObject | undefined
  let oldestOld: JsonObject | undefined
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
  ds: JsonObject,
  template: JsonObject,
  templateSpec: JsonObject,
  node: string,
  hash: string,
  now: Date,
  taken: Set<string>,
): JsonObject {
  const templateMeta = objectAt(template, 'metadata') ?? {}
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: generatedName(`${nameOf(ds)}-`, `${uidOf(ds)}/${node}/${hash}/${now.getTime()}`, (n) => taken.has(n)),
      namespace: namespaceOf(ds),
      labels: {
        ...labelsOf({ metadata: templateMeta }),
        [REVISION_HASH_LABEL]: hash,
        [TEMPLATE_GENERATION_LABEL]: String(meta(ds).generation ?? 0),
      },
      ...(templateMeta.annotations !== undefined && { annotations: templateMeta.annotations }),
      ownerReferences: [controllerReference(ds)],
    },
    spec: daemonPodSpec(templateSpec, node),
  }
}
