import { timestamp } from '../api/context.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { isObject } from '../json.js'
import type { KubeletEvent, SimContainerStatus, SimPodStatus } from './container-status.js'
import { isTerminal, phaseOf, podConditions } from './pod-status.js'
import { DEFAULTS, podKnobs, type KubeletDefaults } from './sim-knobs.js'

/**
 * Graceful deletion as the kubelet carries it out (Kubernetes' pod lifecycle, termination): a pod with a
 * deletionTimestamp gets a `Killing` event per running container (SIGTERM), its containers stop
 * after `sim.revkube.io/shutdown-seconds` (at once by default), or are killed when the grace
 * period runs out, and the kubelet then reports the final status and deletes the pod with
 * gracePeriodSeconds 0. Pure, like the rest of the pod state machine.
 */
export interface PodStop {
  /** The Killing events, stamped with the time the deletion was asked for (so retries repeat them exactly). */
  events: KubeletEvent[]
  eventTime: Date
  /** The final status, once the containers have stopped; the pod is then to be deleted. */
  finalStatus?: SimPodStatus
  /** When the containers will have stopped (ms), while they are still stopping. */
  dueAt?: number
}

/** Where the graceful deletion of `pod` stands at `now`. */
export function stopPod(pod: Pod, now: Date, defaults: KubeletDefaults = DEFAULTS): PodStop {
  const deadline = Date.parse(String(pod.metadata?.deletionTimestamp))
  const grace = pod.metadata?.deletionGracePeriodSeconds ?? 0
  const requestedAt = deadline - grace * 1000
  const shutdown = podKnobs(pod, defaults).shutdownSeconds * 1000
  const stopAt = Math.min(requestedAt + shutdown, deadline)
  const current: SimPodStatus = pod.status ?? {}
  const containers = (current.containerStatuses ?? []).filter(isObject)
  const running = containers.filter((c) => c.state?.running)
  const events: KubeletEvent[] = isTerminal(pod)
    ? []
    : running.map((c) => ({ type: 'Normal', reason: 'Killing', message: `Stopping container ${String(c.name)}` }))
  const eventTime = new Date(requestedAt)
  if (now.getTime() < stopAt) return { events, eventTime, dueAt: stopAt }
  if (isTerminal(pod)) return { events, eventTime, finalStatus: current }

  const killed = requestedAt + shutdown > deadline
  const stopped = containers.map((c): SimContainerStatus => {
    const runningState = c.state?.running
    if (runningState) {
      const exitCode = killed ? 137 : 0
      const terminated = {
        exitCode,
        reason: killed ? 'Error' : 'Completed',
        ...(runningState.startedAt !== undefined && { startedAt: runningState.startedAt }),
        finishedAt: timestamp(new Date(stopAt)),
        ...(c.containerID !== undefined && { containerID: c.containerID }),
      }
      return { ...c, state: { terminated }, ready: false, started: false }
    }
    const last = c.lastState?.terminated
    return last && c.state?.waiting ? { ...c, state: { terminated: last }, ready: false, started: false } : c
  })
  const ended = stopped.length > 0 && phaseOf(stopped) !== 'Running' && phaseOf(stopped) !== 'Pending'
  const phase = ended ? phaseOf(stopped) : 'Failed'
  return {
    events,
    eventTime,
    finalStatus: {
      ...current,
      phase,
      conditions: podConditions(pod, phase, stopped, timestamp(now)),
      ...(stopped.length > 0 && { containerStatuses: stopped }),
    },
  }
}
