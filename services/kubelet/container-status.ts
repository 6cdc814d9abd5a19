import { createHash } from 'node:crypto'
import { timestamp } from '../api/context.js'
import type { Container, ContainerState, ContainerStatus, PodStatus } from 'kubernetes-types/core/v1.js'
import type { PodKnobs } from './sim-knobs.js'

/**
 * One container of a simulated pod, as a pure step: from its last reported status, the knobs and
 * the time, its status now, the events the kubelet records on the way, and when it next changes.
 * Containers start, pass readiness, exit, back off and restart (Kubernetes' pod lifecycle); everything
 * is derived from the timestamps in the status, so the same inputs always give the same result.
 */

export interface KubeletEvent {
  type: 'Normal' | 'Warning'
  reason: string
  message: string
}

export interface ContainerContext {
  now: Date
  pod: { name: string; namespace: string; uid: string }
  /** When the kubelet accepted the pod (status.startTime), in ms. */
  acceptedAt: number
  knobs: PodKnobs
  restartPolicy: string
}

/** A container's status as the simulation reports it: no imageID until the container has started. */
export type SimContainerStatus = Omit<ContainerStatus, 'imageID'> & { imageID?: string }

/** A pod's status with the container statuses the simulation reports. */
export type SimPodStatus = Omit<PodStatus, 'containerStatuses' | 'initContainerStatuses'> & {
  containerStatuses?: SimContainerStatus[]
  initContainerStatuses?: SimContainerStatus[]
}

export interface ContainerStep {
  status: SimContainerStatus
  events: KubeletEvent[]
  /** When the container changes next (ms), if time alone will change it. */
  dueAt?: number
}

const MAX_BACKOFF_SECONDS = 300
/** A container that ran this long without trouble starts its back-off over. */
const BACKOFF_RESET_SECONDS = 600

/** The container's status at `ctx.now`, given the one last reported (undefined before the first). */
export function stepContainer(container: Container, previous: SimContainerStatus | undefined, ctx: ContainerContext): ContainerStep {
  const state = previous?.state
  const waiting = state?.waiting
  const restartCount = previous?.restartCount ?? 0
  if (!previous || waiting?.reason === 'ContainerCreating') {
    const startAt = ctx.acceptedAt + ctx.knobs.startupSeconds * 1000
    if (ctx.now.getTime() < startAt) {
      return {
        status: {
          ...identity(container),
          state: { waiting: { reason: 'ContainerCreating' } },
          lastState: {},
          ready: false,
          restartCount: 0,
          started: false,
        },
        events: [],
        dueAt: startAt,
      }
    }
    return start(container, 0, {}, ctx)
  }
  const running = state?.running
  if ((running || waiting) && previous.image !== normalizedImage(String(container.image ?? '')))
    return replaced(container, previous, restartCount, ctx)
  if (running) return whileRunning(container, previous, Date.parse(String(running.startedAt)), ctx)
  if (waiting?.reason === 'CrashLoopBackOff') {
    const last = previous.lastState?.terminated
    const finishedAt = Date.parse(String(last?.finishedAt))
    const restartAt = finishedAt + backOffSeconds(restartCount, (finishedAt - Date.parse(String(last?.startedAt))) / 1000) * 1000
    if (ctx.now.getTime() < restartAt) return { status: previous, events: [], dueAt: restartAt }
    return start(container, restartCount + 1, previous.lastState, ctx)
  }
  return { status: previous, events: [] }
}

/**
 * Kubernetes' restart back-off before restart number `restartCount + 1`: 10 s doubling to 5 min,
 * starting over after a run of 10 minutes.
 */
export function backOffSeconds(restartCount: number, ranSeconds: number): number {
  if (ranSeconds >= BACKOFF_RESET_SECONDS) return 10
  return Math.min(10 * 2 ** restartCount, MAX_BACKOFF_SECONDS)
}

/** A duration as Go prints it: `10s`, `1m20s`, `5m0s`. */
export function goDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60)
  return minutes > 0 ? `${minutes}m${seconds - minutes * 60}s` : `${seconds}s`
}

/** The image as the runtime reports it: `nginx:1.25` → `docker.io/library/nginx:1.25`. */
export function normalizedImage(image: string): string {
  const slash = image.indexOf('/')
  const first = slash === -1 ? '' : image.slice(0, slash)
  const hasDomain = slash !== -1 && (/[.:]/.test(first) || first === 'localhost')
  const named = hasDomain ? image : slash === -1 ? `docker.io/library/${image}` : `docker.io/${image}`
  const lastPart = named.slice(named.lastIndexOf('/') + 1)
  return named.includes('@') || lastPart.includes(':') ? named : `${named}:latest`
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

function identity(container: Container): { name: string; image: string } {
  const image = normalizedImage(String(container.image ?? ''))
  return { name: container.name, image }
}

function start(container: Container, restartCount: number, lastState: ContainerState | undefined, ctx: ContainerContext): ContainerStep {
  const name = String(container.name)
  const { image } = identity(container)
  const repository = image.includes('@') ? image.slice(0, image.indexOf('@')) : image.slice(0, image.lastIndexOf(':'))
  const status: SimContainerStatus = {
    ...identity(container),
    imageID: `${repository}@sha256:${sha256(image)}`,
    containerID: `containerd://${sha256(`${ctx.pod.uid}/${name}/${restartCount}`)}`,
    state: { running: { startedAt: timestamp(ctx.now) } },
    ...(lastState && { lastState }),
    ready: false,
    restartCount,
    started: false,
  }
  const events: KubeletEvent[] = [
    { type: 'Normal', reason: 'Pulled', message: `Container image "${String(container.image)}" already present on machine` },
    { type: 'Normal', reason: 'Created', message: `Created container: ${name}` },
    { type: 'Normal', reason: 'Started', message: `Started container ${name}` },
  ]
  const next = whileRunning(container, status, Date.parse(timestamp(ctx.now)), ctx)
  return { ...next, events: [...events, ...next.events] }
}

/** The pod's image changed: the kubelet stops the container and starts the new image. */
function replaced(container: Container, previous: SimContainerStatus, restartCount: number, ctx: ContainerContext): ContainerStep {
  const running = previous.state?.running
  const lastState: ContainerState | undefined = running
    ? {
        terminated: {
          exitCode: 0,
          reason: 'Completed',
          ...(running.startedAt !== undefined && { startedAt: running.startedAt }),
          finishedAt: timestamp(ctx.now),
          ...(previous.containerID !== undefined && { containerID: previous.containerID }),
        },
      }
    : previous.lastState
  const next = start(container, restartCount + 1, lastState, ctx)
  const killing: KubeletEvent = {
    type: 'Normal',
    reason: 'Killing',
    message: `Container ${String(container.name)} definition changed, will be restarted`,
  }
  return { ...next, events: running ? [killing, ...next.events] : next.events }
}

function whileRunning(container: Container, current: SimContainerStatus, startedAt: number, ctx: ContainerContext): ContainerStep {
  const now = ctx.now.getTime()
  const exit = ctx.knobs.exit
  const exitAt = exit ? startedAt + exit.afterSeconds * 1000 : Infinity
  if (exit && now >= exitAt) return exited(container, current, startedAt, exitAt, exit.code, ctx)
  const startedBy = startedAt + probeDelay(container, 'startupProbe')
  const readyBy = startedBy + probeDelay(container, 'readinessProbe')
  const started = now >= startedBy
  const ready = started && !ctx.knobs.neverReady && now >= readyBy
  const due = [startedBy, ctx.knobs.neverReady ? Infinity : readyBy, exitAt].filter((t) => t > now)
  return {
    status: { ...current, ready, started },
    events: [],
    ...(due.length > 0 && Number.isFinite(Math.min(...due)) && { dueAt: Math.min(...due) }),
  }
}

function exited(
  container: Container,
  current: SimContainerStatus,
  startedAt: number,
  finishedAt: number,
  code: number,
  ctx: ContainerContext,
): ContainerStep {
  const terminated = {
    exitCode: code,
    reason: code === 0 ? 'Completed' : 'Error',
    startedAt: timestamp(new Date(startedAt)),
    finishedAt: timestamp(new Date(finishedAt)),
    ...(current.containerID !== undefined && { containerID: current.containerID }),
  }
  const restarts = ctx.restartPolicy === 'Always' || (ctx.restartPolicy === 'OnFailure' && code !== 0)
  if (!restarts) return { status: { ...current, state: { terminated }, ready: false, started: false }, events: [] }
  const restartCount = current.restartCount ?? 0
  const delay = backOffSeconds(restartCount, (finishedAt - startedAt) / 1000)
  const name = String(container.name)
  const pod = `${ctx.pod.name}_${ctx.pod.namespace}(${ctx.pod.uid})`
  return {
    status: {
      ...current,
      state: {
        waiting: { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(delay)} restarting failed container=${name} pod=${pod}` },
      },
      lastState: { terminated },
      ready: false,
      started: false,
    },
    events: [{ type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container ${name} in pod ${pod}` }],
    dueAt: Math.max(Date.parse(terminated.finishedAt), finishedAt) + delay * 1000,
  }
}

/** How long after the start a probe first succeeds in the simulation: its initial delay. */
function probeDelay(container: Container, probe: 'startupProbe' | 'readinessProbe'): number {
  const delay = container[probe]?.initialDelaySeconds ?? 0
  return delay > 0 ? delay * 1000 : 0
}
