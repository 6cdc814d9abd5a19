import { annotationsOf, controllerOf } from '../runtime/objects.js'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { milliValue, parseQuantity, value } from '../resources/validation/quantity.js'

/**
 * Simulation knobs: annotations that tell a simulated kubelet how a pod's containers behave (set
 * them on a pod, or on a workload's pod template so every pod gets them) and whether a node is up.
 */
export const KNOBS = {
  /** Seconds from the kubelet accepting the pod to its containers running. */
  startupSeconds: 'sim.revkube.io/startup-seconds',
  /** `"true"`: the containers run but never pass readiness. */
  neverReady: 'sim.revkube.io/never-ready',
  /** Each container exits this many seconds after it starts (exit code 1 unless `exit-code` says). */
  crashAfterSeconds: 'sim.revkube.io/crash-after-seconds',
  /** The exit code of a container that exits (crash-after or run-seconds). */
  exitCode: 'sim.revkube.io/exit-code',
  /** Each container finishes this many seconds after it starts (exit code 0 unless `exit-code` says). */
  runSeconds: 'sim.revkube.io/run-seconds',
  /** CPU usage reported to PodMetrics, in millicores for the whole pod. */
  cpuMillis: 'sim.revkube.io/cpu-millis',
  /** Memory usage reported to PodMetrics, a quantity (`256Mi`) for the whole pod. */
  memory: 'sim.revkube.io/memory',
  /** Seconds the containers take to stop after SIGTERM (capped by the grace period, then SIGKILL). */
  shutdownSeconds: 'sim.revkube.io/shutdown-seconds',
  /** On a Node, `"true"`: its kubelet is down (no heartbeats, no pod updates) until removed. */
  down: 'sim.revkube.io/down',
} as const

export interface KubeletDefaults {
  /** @default 0 */
  startupSeconds: number
  /** Run time of pods a Job controls when no knob says otherwise. @default 5 */
  jobRunSeconds: number
}

export const DEFAULTS: KubeletDefaults = { startupSeconds: 0, jobRunSeconds: 5 }

export interface PodKnobs {
  startupSeconds: number
  neverReady: boolean
  /** When each container exits after it starts, and how; undefined: it runs until stopped. */
  exit?: { afterSeconds: number; code: number }
  shutdownSeconds: number
}

/** The behaviour the knobs (and the defaults) give a pod. */
export function podKnobs(pod: Pod, defaults: KubeletDefaults = DEFAULTS): PodKnobs {
  const a = annotationsOf(pod)
  const code = integer(a[KNOBS.exitCode])
  const crash = seconds(a[KNOBS.crashAfterSeconds])
  const run = seconds(a[KNOBS.runSeconds]) ?? (controllerOf(pod)?.kind === 'Job' ? defaults.jobRunSeconds : undefined)
  const exit =
    crash !== undefined ? { afterSeconds: crash, code: code ?? 1 } : run !== undefined ? { afterSeconds: run, code: code ?? 0 } : undefined
  return {
    startupSeconds: seconds(a[KNOBS.startupSeconds]) ?? defaults.startupSeconds,
    neverReady: a[KNOBS.neverReady] === 'true',
    ...(exit && { exit }),
    shutdownSeconds: seconds(a[KNOBS.shutdownSeconds]) ?? 0,
  }
}

/** Whether the simulation has taken this node's kubelet down. */
export const isNodeDown = (node: Node) => annotationsOf(node)[KNOBS.down] === 'true'

/**
 * The usage a running pod reports: the knobs, or else a tenth of what its containers request
 * (1m CPU and 8Mi memory for a container that requests nothing).
 */
export function podUsage(pod: Pod): { cpuMillis: number; memoryBytes: number } {
  const a = annotationsOf(pod)
  let cpu = 0
  let memory = 0
  for (const container of pod.spec?.containers ?? []) {
    const requests = container.resources?.requests ?? {}
    const c = quantity(requests.cpu)
    const m = quantity(requests.memory)
    cpu += c ? Math.ceil(milliValue(c) / 10) : 1
    memory += m ? Math.ceil(value(m) / 10) : 8 * 1024 * 1024
  }
  const cpuKnob = integer(a[KNOBS.cpuMillis])
  const memoryKnob = quantity(a[KNOBS.memory])
  return { cpuMillis: cpuKnob !== undefined && cpuKnob >= 0 ? cpuKnob : cpu, memoryBytes: memoryKnob ? value(memoryKnob) : memory }
}

function seconds(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined
  const n = Number(text)
  return Number.isFinite(n) && n >= 0 ? n : undefined
}

function integer(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*-?\d+\s*$/.test(text)) return undefined
  return Number(text)
}

function quantity(v: unknown) {
  return typeof v === 'string' || typeof v === 'number' ? parseQuantity(String(v)) : undefined
}
