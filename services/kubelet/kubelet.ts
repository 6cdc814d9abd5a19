import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { eventObject, getObject, podsOnNode, type ClusterView } from '../../projections/cluster-state.js'
import type { Change } from '../../projections/projection.js'
import { recordEvent } from '../runtime/events.js'
import { asJson, nameOf, uidOf } from '../runtime/objects.js'
import type { Clock } from '../runtime/clock.js'
import type { Action, Controller, Reconciliation } from '../runtime/controller.js'
import { nothing } from '../runtime/controller.js'
import { freePodCIDR, freePodIP, podCIDRsOf } from './addresses.js'
import type { KubeletEvent } from './container-status.js'
import type { HeartbeatTable } from '../runtime/heartbeat-table.js'
import { hostIPOf, isNodeReady, nodeStartedEvents, postedNodeStatus, registeredNode } from './node-status.js'
import type { PodMetrics } from './pod-metrics.js'
import { isTerminal, isTerminating, stepPod } from './pod-status.js'
import { stopPod } from './pod-termination.js'
import { Reservations } from './reservations.js'
import { DEFAULTS, isNodeDown, podUsage, type KubeletDefaults } from './sim-knobs.js'

export interface KubeletOptions {
  /** Where the kubelets post their heartbeats (the node lifecycle controller reads them). */
  heartbeats: HeartbeatTable
  /** Where they report the usage of running pods (the HorizontalPodAutoscaler reads it). */
  metrics: PodMetrics
  /** The clock heartbeats run on; the runner's. */
  clock: Clock
  /** How often a node's kubelet renews its heartbeat. @default 10000 */
  heartbeatIntervalMs?: number
  /** Seconds from accepting a pod to its containers running, unless the pod says. @default 0 */
  startupSeconds?: number
  /** Run time of pods a Job controls, unless the pod says. @default 5 */
  jobRunSeconds?: number
}

export interface Kubelet extends Controller {
  /** Stops the heartbeats (they start when the runner first asks for the kubelet's keys). */
  stop(): void
}

/**
 * Simulated kubelets for every Node, like kwok: no containers run, but nodes register and stay
 * Ready, and pods bound to them go through Kubernetes' lifecycle (pod-status.ts,
 * pod-termination.ts), tuned by the knobs of sim-knobs.ts. Writes act as `system:node:<node>`.
 *
 * Heartbeats run on the clock apart from the work queue, as Kubernetes renews node leases apart
 * from pod syncs, so a kubelet busy with many pods still keeps its node alive. They go to the
 * HeartbeatTable, never to the log; the node's status is written only when it changes.
 */
export function createKubelet(options: KubeletOptions): Kubelet {
  const { heartbeats, metrics, clock } = options
  const interval = options.heartbeatIntervalMs ?? 10_000
  const defaults: KubeletDefaults = {
    startupSeconds: options.startupSeconds ?? DEFAULTS.startupSeconds,
    jobRunSeconds: options.jobRunSeconds ?? DEFAULTS.jobRunSeconds,
  }
  let cancel: (() => void) | undefined
  /** Pod IPs (pool `node:<name>`, owner the pod's key) and pod ranges (pool `podCIDR`, owner `node:<name>`) not yet in the state */
  const reservations = new Reservations()

  /** The lowest address of the node's range that no unfinished pod on it holds, nor was just given. */
  function freeIP(state: ClusterView, node: Node, podKey: string): string | undefined {
    const pick = (taken: ReadonlySet<string>) => freePodIP(String(node.spec?.podCIDR), taken)
    return reservations.take(`node:${nameOf(node)}`, podKey, usedIPs(state, node), pick)
  }

  function startHeartbeats(state: ClusterView): void {
    if (cancel) return
    const tick = () => {
      const now = clock.now()
      for (const node of state.objects.get('Node')?.get('')?.values() ?? []) if (!isNodeDown(node)) heartbeats.renew(nameOf(node), now)
      cancel = clock.after(interval, tick)
    }
    tick()
  }

  function reconcileNode(name: string, state: ClusterView, now: Date): Reconciliation {
    const node = getObject(state, 'Node', '', name)
    if (!node || typeof node.spec?.podCIDR === 'string') reservations.release(`node:${name}`)
    if (!node) {
      heartbeats.forget(name)
      return nothing
    }
    if (isNodeDown(node)) return nothing
    heartbeats.renew(name, now)
    const actor = `system:node:${name}`
    const freeRange = () =>
      reservations.take('podCIDR', `node:${name}`, podCIDRsOf(state.objects.get('Node')?.get('')?.values() ?? []), (taken) =>
        freePodCIDR(taken),
      )!
    const registered = registeredNode(node, freeRange)
    if (registered) return { actions: [{ type: 'update', object: asJson(registered), actor, reason: 'node registration' }] }
    const posted = postedNodeStatus(node, now)
    if (!posted) return nothing
    const events = isNodeReady(node)
      ? []
      : nodeStartedEvents(node).map((e) => ({ ...recordEvent(node, { ...e, component: 'kubelet', host: name }, now), actor }))
    const withStatus = { ...node, status: posted }
    return { actions: [{ type: 'updateStatus', object: asJson(withStatus), actor }, ...(events.length > 0 ? [events] : [])] }
  }

  function reconcilePod(key: string, state: ClusterView, now: Date): Reconciliation {
    const slash = key.indexOf('/')
    const pod = getObject(state, 'Pod', key.slice(0, slash), key.slice(slash + 1))
    const nodeName = pod?.spec?.nodeName
    const node = typeof nodeName === 'string' ? getObject(state, 'Node', '', nodeName) : undefined
    if (!pod || pod.status?.podIP || isTerminal(pod)) reservations.release(key)
    if (!pod || !node || isNodeDown(node) || typeof node.spec?.podCIDR !== 'string' || !isNodeReady(node)) {
      metrics.forget(key)
      return nothing
    }
    const actor = `system:node:${nameOf(node)}`
    const event = (e: KubeletEvent, at: Date): Action => ({
      ...recordEvent(pod, { ...e, component: 'kubelet', host: nameOf(node) }, at),
      actor,
    })

    if (isTerminating(pod)) {
      metrics.forget(key)
      const stop = stopPod(pod, now, defaults)
      const events = stop.events.map((e) => event(e, stop.eventTime))
      const actions: Array<Action | Action[]> = events.length > 0 ? [events] : []
      if (!stop.finalStatus)
        return { actions, ...(stop.dueAt !== undefined && { requeueAfterMs: Math.max(1, stop.dueAt - now.getTime()) }) }
      const [namespace, name] = [key.slice(0, slash), key.slice(slash + 1)]
      const stopped = { ...pod, status: stop.finalStatus }
      actions.push(
        { type: 'updateStatus', object: asJson(stopped), actor, reason: 'containers stopped' },
        { type: 'delete', kind: 'Pod', namespace, name, options: { gracePeriodSeconds: 0, preconditions: { uid: uidOf(pod) } }, actor },
      )
      return { actions }
    }

    const step = stepPod(pod, {
      now,
      hostIP: hostIPOf(node) ?? '',
      podIP: pod.status?.podIP ? undefined : freeIP(state, node, key),
      defaults,
    })
    const phase = step.status?.phase ?? pod.status?.phase
    if (phase === 'Running') metrics.report(key, { ...podUsage(pod), timestamp: now })
    else metrics.forget(key)
    const actions: Array<Action | Action[]> = []
    if (step.status) {
      const stepped = { ...pod, status: step.status }
      actions.push({ type: 'updateStatus', object: asJson(stepped), actor })
    }
    if (step.events.length > 0) actions.push(step.events.map((e) => event(e, now)))
    return { actions, ...(step.dueAt !== undefined && { requeueAfterMs: Math.max(1, step.dueAt - now.getTime()) }) }
  }

  return {
    name: 'kubelet',
    keysFor(change: Change, state: ClusterView): string[] {
      const { event } = change
      if (event.kind === 'Node') return [`node:${event.name}`, ...[...(state.podsByNode.get(event.name) ?? [])].map((k) => `pod:${k}`)]
      if (event.kind !== 'Pod') return []
      const pod: Pod | undefined = eventObject(event) ?? change.previous
      return pod?.spec?.nodeName ? [`pod:${event.namespace}/${event.name}`] : []
    },
    allKeys(state: ClusterView): string[] {
      startHeartbeats(state)
      const nodes = [...(state.objects.get('Node')?.get('')?.keys() ?? [])].map((name) => `node:${name}`)
      const pods = [...state.podsByNode.values()].flatMap((keys) => [...keys].map((k) => `pod:${k}`))
      return [...nodes, ...pods]
    },
    reconcile(key: string, state: ClusterView, now: Date): Reconciliation {
      if (key.startsWith('node:')) return reconcileNode(key.slice(5), state, now)
      if (key.startsWith('pod:')) return reconcilePod(key.slice(4), state, now)
      return nothing
    },
    stop(): void {
      cancel?.()
      cancel = undefined
    },
  }
}

/** The IPs unfinished pods on the node hold. */
function usedIPs(state: ClusterView, node: Node): Set<string> {
  const used = new Set<string>()
  for (const pod of podsOnNode(state, nameOf(node))) {
    const ip = pod.status?.podIP
    if (typeof ip === 'string' && !isTerminal(pod)) used.add(ip)
  }
  return used
}
