/**
 * `node --import tsx bench/scheduler-micro.ts`: the scheduler's decisions alone, no database —
 * BENCH_PODS pending pods (default 30,000, owned by ReplicaSets of 100, 100–500m cpu) onto
 * BENCH_NODES nodes (default 5,000 in 3 zones) through the scheduler controller's `reconcile`
 * (batches of 256, the incremental node-info cache fed through `keysFor` with each binding, as the
 * runner would), beside the same for a tenth of the pods with every feasible node scored
 * (percentageOfNodesToScore 100), for a third of the pods with required anti-affinity between the
 * pods of each ReplicaSet, and Kubernetes' published floor for 5,000 nodes (scheduler_perf
 * SchedulingBasic: 680 pods/s).
 */
import { getObject, type ClusterState } from '../projections/cluster-state.js'
import type { Change } from '../projections/projection.js'
import type { Action } from '../services/runtime/controller.js'
import { asJson } from '../services/runtime/objects.js'
import type { JsonObject } from '../services/json.js'
import { createScheduler } from '../services/scheduler/scheduler.controller.js'
import { apply, node, pod, stateOf } from '../test/scheduler/fixtures.js'
import { fmt, machine, table } from './lib.js'

const NODES = Number(process.env.BENCH_NODES ?? 5_000)
const PODS = Number(process.env.BENCH_PODS ?? 30_000)

const antiAffinity = (app: string) => ({
  podAntiAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey: 'kubernetes.io/hostname' }],
  },
})

function cluster(pods: number, apart: boolean): ClusterState {
  const objects: JsonObject[] = []
  for (let i = 0; i < NODES; i++) {
    objects.push(
      node(`node-${String(i).padStart(5, '0')}`, {
        cpu: '32',
        memory: '128Gi',
        labels: { 'topology.kubernetes.io/zone': `zone-${i % 3}` },
      }),
    )
  }
  for (let i = 0; i < pods; i++) {
    const rs = Math.floor(i / 100)
    const app = `web-${rs}`
    objects.push(
      pod(`web-${i}`, {
        cpu: `${100 + (i % 5) * 100}m`,
        memory: '256Mi',
        labels: { app },
        owner: `rs-${rs}`,
        ...(apart && { affinity: antiAffinity(app) }),
      }),
    )
  }
  return stateOf(objects)
}

/** Schedules every pending pod as the runner would; returns pods/s and how many were bound. */
function run(pods: number, percentageOfNodesToScore: number, apart = false): { rate: number; bound: number; ms: number } {
  const state = cluster(pods, apart)
  const scheduler = createScheduler({ percentageOfNodesToScore })
  const now = new Date('2026-11-26T12:00:00Z')
  const keys = [...scheduler.allKeys(state)]
  let bound = 0
  const started = performance.now()
  for (const key of keys) {
    const { actions } = scheduler.reconcile(key, state, now)
    for (const step of actions) {
      for (const action of (Array.isArray(step) ? step : [step]) as Action[]) {
        // Bindings and PodScheduled conditions go into the state as the runner's writes would; events are left out.
        if (action.type === 'update') bound++
        else if (action.type !== 'patch') continue
        const [namespace, name] =
          action.type === 'update'
            ? [(action.object.metadata as JsonObject).namespace, (action.object.metadata as JsonObject).name]
            : [action.namespace, action.name]
        const previous = getObject(state, 'Pod', String(namespace), String(name))!
        const next =
          action.type === 'update'
            ? action.object
            : {
                ...asJson(previous),
                status: { ...previous.status, conditions: (action.patch as { status: JsonObject }).status.conditions },
              }
        const event = apply(state, next, action.type === 'update' ? 'Updated' : 'StatusUpdated')
        for (const _ of scheduler.keysFor({ event, previous: asJson(previous) } satisfies Change, state)) void _
      }
    }
  }
  const ms = performance.now() - started
  return { rate: (bound / ms) * 1000, bound, ms }
}

console.log(`\nscheduler micro benchmark — ${fmt(PODS)} pods onto ${fmt(NODES)} nodes, ${machine()}`)
const adaptive = run(PODS, 0)
// Scoring every node is slow: the baseline schedules a tenth of the pods.
const all = run(Math.ceil(PODS / 10), 100)
const apart = run(Math.ceil(PODS / 3), 0, true)
table([
  ['', 'pods bound', 'seconds', 'pods/s'],
  ['adaptive sample (50 − nodes/125 %, ≥ 100 nodes)', fmt(adaptive.bound), fmt(adaptive.ms / 1000, 2), fmt(adaptive.rate)],
  ['every feasible node scored (baseline)', fmt(all.bound), fmt(all.ms / 1000, 2), fmt(all.rate)],
  ['adaptive, each ReplicaSet’s pods apart (required anti-affinity)', fmt(apart.bound), fmt(apart.ms / 1000, 2), fmt(apart.rate)],
  ['Kubernetes scheduler_perf floor, 5,000 nodes', '', '', '680'],
])
