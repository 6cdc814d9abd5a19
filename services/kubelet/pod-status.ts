import { timestamp } from '../api/context.js'
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js'
import { nameOf, namespaceOf, uidOf } from '../runtime/objects.js'
import { deepEqual, isObject } from '../json.js'
import { stepContainer, type ContainerStep, type KubeletEvent, type SimContainerStatus, type SimPodStatus } from './container-status.js'
import { DEFAULTS, podKnobs, type KubeletDefaults } from './sim-knobs.js'

/**
 * The simulated kubelet's pod state machine, pure: from a pod bound to a running node and the
 * time, the status the kubelet reports now (phase, conditions, IPs, container statuses), the
 * events it records, and when time alone will change the pod next. Pending → (start-up delay) →
 * Running → (exits, back-off, restarts per restartPolicy) → Succeeded or Failed.
 */

export interface PodContext {
  now: Date
  /** The node's InternalIP. */
  hostIP: string
  /** The pod's IP: the one it has, or a free one of its node's range; undefined when none is free. */
  podIP: string | undefined
  defaults?: KubeletDefaults
}

export interface PodStep {
  /** The new status, when it differs from the stored one. */
  status?: SimPodStatus
  events: KubeletEvent[]
  /** When the pod changes next (ms), if time alone will change it. */
  dueAt?: number
}

/** Whether the pod has ended for good (Succeeded or Failed). */
export const isTerminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'

/** One step of the state machine for a pod that is not being deleted (see pod-termination.ts for that). */
export function stepPod(pod: Pod, ctx: PodContext): PodStep {
  const current: SimPodStatus = pod.status ?? {}
  if (isTerminal(pod)) return { events: [] }
  const ip = typeof current.podIP === 'string' ? current.podIP : ctx.podIP
  if (ip === undefined) return { events: [] }
  const time = timestamp(ctx.now)
  const startTime = typeof current.startTime === 'string' ? current.startTime : time
  const knobs = podKnobs(pod, ctx.defaults ?? DEFAULTS)
  const previous = new Map((current.containerStatuses ?? []).filter(isObject).map((c) => [String(c.name), c]))
  const containerCtx = {
    now: ctx.now,
    pod: { name: nameOf(pod), namespace: namespaceOf(pod), uid: uidOf(pod) },
    acceptedAt: Date.parse(startTime),
    knobs,
    restartPolicy: String(pod.spec?.restartPolicy ?? 'Always'),
  }
  const steps: ContainerStep[] = (pod.spec?.containers ?? [])
    .filter(isObject)
    .map((c) => stepContainer(c, previous.get(String(c.name)), containerCtx))
  const containerStatuses = steps.map((s) => s.status)
  const phase = phaseOf(containerStatuses)
  const next: SimPodStatus = {
    ...current,
    phase,
    conditions: podConditions(pod, phase, containerStatuses, time),
    hostIP: ctx.hostIP,
    hostIPs: [{ ip: ctx.hostIP }],
    podIP: ip,
    podIPs: [{ ip }],
    startTime,
    ...((pod.spec?.initContainers ?? []).length > 0 && { initContainerStatuses: initContainerStatuses(pod, startTime) }),
    containerStatuses,
  }
  const due = steps.flatMap((s) => (s.dueAt === undefined ? [] : [s.dueAt]))
  return {
    ...(!deepEqual(next, current) && { status: next }),
    events: steps.flatMap((s) => s.events),
    ...(due.length > 0 && { dueAt: Math.min(...due) }),
  }
}

/** Pending until a container starts; Succeeded or Failed once all have ended for good; else Running. */
export function phaseOf(containerStatuses: readonly SimContainerStatus[]): string {
  const states = containerStatuses.map((c) => c.state ?? {})
  if (states.every((s) => s.waiting?.reason === 'ContainerCreating')) return 'Pending'
  const ended = states.map((s) => s.terminated)
  if (ended.every((t) => t !== undefined)) return ended.every((t) => t!.exitCode === 0) ? 'Succeeded' : 'Failed'
  return 'Running'
}

const ORDER = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']

/**
 * The pod's conditions in the kubelet's order, keeping each one's lastTransitionTime while its
 * status holds, and any condition others own (DisruptionTarget, readiness gates) after them.
 */
export function podConditions(pod: Pod, phase: string, containerStatuses: readonly SimContainerStatus[], time: string): PodCondition[] {
  const existing = (pod.status?.conditions ?? []).filter(isObject)
  const want = wantedConditions(pod, phase, containerStatuses, existing)
  const own = ORDER.map((type) => {
    const before = existing.find((c) => c.type === type)
    if (type === 'PodScheduled' && before) return before
    const next = want[type]!
    const same = before && before.status === next.status
    const lastTransitionTime = same ? before.lastTransitionTime : time
    return { type, ...next, ...(lastTransitionTime !== undefined && { lastTransitionTime }) }
  })
  return [...own, ...existing.filter((c) => !ORDER.includes(c.type))]
}

type Wanted = Record<string, { status: string; reason?: string; message?: string }>

function wantedConditions(pod: Pod, phase: string, containerStatuses: readonly SimContainerStatus[], existing: PodCondition[]): Wanted {
  if (phase === 'Succeeded' || phase === 'Failed') {
    return {
      PodReadyToStartContainers: { status: 'False' },
      Initialized: { status: 'True', reason: 'PodCompleted' },
      Ready: { status: 'False', reason: 'PodCompleted' },
      ContainersReady: { status: 'False', reason: 'PodCompleted' },
      PodScheduled: { status: 'True' },
    }
  }
  const unready = containerStatuses.filter((c) => c.ready !== true).map((c) => c.name)
  const containers =
    unready.length === 0
      ? { status: 'True' }
      : { status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` }
  return {
    PodReadyToStartContainers: { status: 'True' },
    Initialized: { status: 'True' },
    Ready: unready.length > 0 ? containers : readinessGates(pod, existing),
    ContainersReady: containers,
    PodScheduled: { status: 'True' },
  }
}

/** Ready once the containers are: unless a readiness gate's condition is missing or not True. */
function readinessGates(pod: Pod, existing: PodCondition[]): Wanted[string] {
  for (const gate of (pod.spec?.readinessGates ?? []).filter(isObject)) {
    const type = gate.conditionType
    const found = existing.find((c) => c.type === type)
    if (!found)
      return {
        status: 'False',
        reason: 'ReadinessGatesNotReady',
        message: `corresponding condition of pod readiness gate "${type}" does not exist.`,
      }
    if (found.status !== 'True')
      return {
        status: 'False',
        reason: 'ReadinessGatesNotReady',
        message: `the status of pod readiness gate "${type}" is not "True", but ${found.status}`,
      }
  }
  return { status: 'True' }
}

/** Init containers complete the moment the pod is accepted (the simulation runs no init work). */
function initContainerStatuses(pod: Pod, startTime: string): SimContainerStatus[] {
  const previous = (pod.status?.initContainerStatuses ?? []).filter(isObject)
  return (pod.spec?.initContainers ?? []).filter(isObject).map((c) => {
    const before = previous.find((p) => p.name === c.name)
    if (before) return before
    const started = stepContainer(c, undefined, {
      now: new Date(startTime),
      pod: { name: nameOf(pod), namespace: namespaceOf(pod), uid: `${uidOf(pod)}/init` },
      acceptedAt: Date.parse(startTime),
      knobs: { startupSeconds: 0, neverReady: false, shutdownSeconds: 0 },
      restartPolicy: 'Never',
    }).status
    const running = started.state?.running
    return {
      ...started,
      state: {
        terminated: {
          exitCode: 0,
          reason: 'Completed',
          startedAt: running?.startedAt ?? startTime,
          finishedAt: startTime,
          ...(started.containerID !== undefined && { containerID: started.containerID }),
        },
      },
      ready: true,
      started: false,
    }
  })
}

/** Whether the deletion of this pod has been requested. */
export const isTerminating = (pod: Pod) => pod.metadata?.deletionTimestamp !== undefined
