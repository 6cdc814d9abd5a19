import type { Node, NodeCondition, Pod, PodCondition } from 'kubernetes-types/core/v1.js'
import { eventObject, getObject, podsOnNode, type ClusterView } from '../../projections/cluster-state.js'
import type { Change } from '../../projections/projection.js'
import { timestamp } from '../api/context.js'
import type { HeartbeatTable } from '../runtime/heartbeat-table.js'
import { recordEvent } from '../runtime/events.js'
import { asJson, condition, isDeleting, nameOf, namespaceOf, spec, uidOf } from '../runtime/objects.js'
import { evictionDeadline, noExecuteTaints, readinessTaints } from './node-lifecycle-taints.js'
import type { Action, Controller, Reconciliation } from '../runtime/controller.js'

export interface NodeLifecycleOptions {
  /** The kubelets' heartbeats (services/kubelet/heartbeat-table.ts). */
  heartbeats: HeartbeatTable
  /** A node silent this long is Unknown (`--node-monitor-grace-period`). @default 40000 */
  gracePeriodMs?: number
  /** The same for a node that never posted its status (`--node-startup-grace-period`). @default 60000 */
  startupGracePeriodMs?: number
  /** How often each node is looked at at most (`--node-monitor-period`); sooner when a pod's toleration runs out. @default 5000 */
  monitorPeriodMs?: number
}

const CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']
const GC_ACTOR = 'system:controller:pod-garbage-collector'

/**
 * Kubernetes' node lifecycle controller, with the taint eviction controller and the orphaned-pod
 * part of pod GC beside it (kubernetes `pkg/controller/nodelifecycle`). Keys are node names. A node whose kubelet stops
 * posting heartbeats for the grace period gets its conditions set Unknown; a node's Ready
 * condition decides its `unreachable`/`not-ready` taints; its pods are marked not ready; pods that
 * do not tolerate a NoExecute taint are evicted at once, those that tolerate it for a while when
 * that runs out, to the second (deleted gracefully: they stay Terminating until their kubelet comes back). Pods
 * bound to a node that no longer exists are force-deleted. Only transitions are written.
 */
export function createNodeLifecycleController(options: NodeLifecycleOptions): Controller {
  const { heartbeats } = options
  const grace = options.gracePeriodMs ?? 40_000
  const startupGrace = options.startupGracePeriodMs ?? 60_000
  const monitor = options.monitorPeriodMs ?? 5_000

  function reconcile(name: string, state: ClusterView, now: Date): Reconciliation {
    const node = getObject(state, 'Node', '', name)
    if (!node) return collectOrphans(podsOnNode(state, name), now)
    const time = timestamp(now)
    const ready = condition(node, 'Ready')
    const silentFor = now.getTime() - heartbeats.lastSeen(name, now).getTime()
    if (silentFor > (ready ? grace : startupGrace)) {
      const conditions = unknownConditions(node, time)
      if (conditions) {
        const unknown: Node = { ...node, status: { ...node.status, conditions } }
        const actions: Array<Action | Action[]> = [{ type: 'updateStatus', object: asJson(unknown), reason: 'node stopped posting status' }]
        if (ready?.status === 'True') {
          actions.push(
            recordEvent(
              asJson(node),
              { reason: 'NodeNotReady', message: `Node ${name} status is now: NodeNotReady`, component: 'node-controller' },
              now,
            ),
          )
        }
        return { actions, requeueAfterMs: monitor }
      }
    }
    const taints = readinessTaints(node, time)
    if (taints) {
      const tainted: Node = { ...node, spec: { ...node.spec, taints } }
      return { actions: [{ type: 'update', object: asJson(tainted), reason: 'node readiness taints' }], requeueAfterMs: monitor }
    }
    return podActions(node, state, now)
  }

  /**
   * Pods on a node that is not Ready are marked not ready; NoExecute taints evict pods. Looks again
   * when the earliest toleration still running runs out (as the taint eviction controller does), or
   * after the monitor period if that comes first.
   */
  function podActions(node: Node, state: ClusterView, now: Date): Reconciliation {
    const time = timestamp(now)
    const notReady = condition(node, 'Ready')?.status !== 'True' && condition(node, 'Ready') !== undefined
    const taints = noExecuteTaints(node)
    const statuses: Action[] = []
    const after: Action[] = []
    let next = Infinity
    for (const pod of podsOnNode(state, nameOf(node))) {
      if (isDeleting(pod)) continue
      let conditions: PodCondition[] = pod.status?.conditions ?? []
      let changed = false
      if (notReady && condition(pod, 'Ready')?.status === 'True') {
        conditions = conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: time } : c))
        changed = true
        after.push(
          recordEvent(
            asJson(pod),
            { type: 'Warning', reason: 'NodeNotReady', message: 'Node is not ready', component: 'node-controller' },
            now,
          ),
        )
      }
      const deadline = taints.length > 0 ? evictionDeadline(pod, taints) : Infinity
      if (deadline <= now.getTime()) {
        conditions = [
          ...conditions.filter((c) => c.type !== 'DisruptionTarget'),
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'DeletionByTaintManager',
            message: 'Taint manager: deleting due to NoExecute taint',
            lastTransitionTime: time,
          },
        ]
        changed = true
        const who = `${namespaceOf(pod)}/${nameOf(pod)}`
        after.push(
          recordEvent(
            asJson(pod),
            { reason: 'TaintManagerEviction', message: `Marking for deletion Pod ${who}`, component: 'taint-eviction-controller' },
            now,
          ),
          {
            type: 'delete',
            kind: 'Pod',
            namespace: namespaceOf(pod),
            name: nameOf(pod),
            options: { preconditions: { uid: uidOf(pod) } },
            reason: 'NoExecute taint',
          },
        )
      } else next = Math.min(next, deadline)
      if (changed) {
        const marked: Pod = { ...pod, status: { ...pod.status, conditions } }
        statuses.push({ type: 'updateStatus', object: asJson(marked) })
      }
    }
    const actions: Array<Action | Action[]> = []
    if (statuses.length > 0) actions.push(statuses)
    if (after.length > 0) actions.push(after)
    return { actions, requeueAfterMs: Math.max(1, Math.min(monitor, next - now.getTime())) }
  }

  return {
    name: 'node-lifecycle',
    keysFor(change: Change): string[] {
      const { event } = change
      if (event.kind === 'Node') return [event.name]
      if (event.kind !== 'Pod') return []
      const nodeName = spec(eventObject(event) ?? change.previous ?? {}).nodeName
      return typeof nodeName === 'string' && nodeName !== '' ? [nodeName] : []
    },
    allKeys(state: ClusterView): string[] {
      return [...new Set([...(state.objects.get('Node')?.get('')?.keys() ?? []), ...state.podsByNode.keys()])]
    },
    reconcile(key: string, state: ClusterView, now: Date): Reconciliation {
      const result = reconcile(key, state, now)
      const next = result.requeueAfterMs
      return { actions: result.actions, ...(next !== undefined && { requeueAfterMs: Math.min(next, monitor) }) }
    },
  }
}

/**
 * Ready, MemoryPressure, DiskPressure and PIDPressure as Unknown (`NodeStatusUnknown`, or
 * `NodeStatusNeverUpdated` for a condition never posted), keeping the others; undefined when
 * they already are.
 */
function unknownConditions(node: Node, time: string): NodeCondition[] | undefined {
  const conditions = node.status?.conditions ?? []
  let changed = false
  const updated = conditions.map((c) => {
    if (!CONDITIONS.includes(c.type) || c.status === 'Unknown') return c
    changed = true
    return {
      ...c,
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastTransitionTime: time,
    }
  })
  for (const type of CONDITIONS) {
    if (conditions.some((c) => c.type === type)) continue
    changed = true
    const since = node.metadata?.creationTimestamp ?? time
    updated.push({
      type,
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      message: 'Kubelet never posted node status.',
      lastHeartbeatTime: since,
      lastTransitionTime: time,
    })
  }
  return changed ? updated : undefined
}

/** Pod GC of pods bound to a node that no longer exists: marked Failed, then force-deleted. */
function collectOrphans(pods: Pod[], now: Date): Reconciliation {
  if (pods.length === 0) return { actions: [] }
  const time = timestamp(now)
  const statuses: Action[] = pods.map((pod) => {
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
    const conditions: PodCondition[] = [
      ...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'),
      {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'DeletionByPodGC',
        message: 'PodGC: node no longer exists',
        lastTransitionTime: time,
      },
    ]
    const failed: Pod = { ...pod, status: { ...pod.status, ...(!terminal && { phase: 'Failed' }), conditions } }
    return { type: 'updateStatus', object: asJson(failed), actor: GC_ACTOR }
  })
  const deletes: Action[] = pods.map((pod) => ({
    type: 'delete',
    kind: 'Pod',
    namespace: namespaceOf(pod),
    name: nameOf(pod),
    options: { gracePeriodSeconds: 0, preconditions: { uid: uidOf(pod) } },
    actor: GC_ACTOR,
    reason: 'node no longer exists',
  }))
  return { actions: [statuses, deletes] }
}
