/**
 * `npm run bench -- cluster`: the control plane (controllers, scheduler, simulated kubelets) on the
 * local PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), in-process with
 * real time, each figure beside a baseline from the same run.
 *
 * 1. pods scheduled and Running per second when a Deployment scales from 0 to BENCH_PODS (default
 *    30,000) replicas on 1,000 and on 5,000 simulated nodes, beside creating as many pods with no
 *    controllers at all (the write path's own ceiling), and the events written per pod;
 * 2. the time for a 1,000-replica rolling update, beside bringing the 1,000 replicas up;
 * 3. memory with BENCH_MEMORY_PODS (default 150,000) pods on 5,000 nodes, beside the heap before;
 * 4. the scheduler alone, as Kubernetes' scheduler_perf measures it: BENCH_PODS pending pods created
 *    first, then only the scheduler runs and binds them to 5,000 nodes through the store, beside
 *    creating those pods.
 */
import pg from 'pg'
import { createLogger } from '../services/log.js'
import type { JsonObject } from '../services/json.js'
import { startServer, type RunningServer } from '../services/app/server.js'
import { realClock } from '../services/runtime/clock.js'
import { ControllerRunner } from '../services/runtime/runner.js'
import { createSimulatedNodes } from '../services/kubelet/simulated-nodes.js'
import { createScheduler } from '../services/scheduler/scheduler.controller.js'
import { fmt, machine, table } from './lib.js'

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const PODS = Number(process.env.BENCH_PODS ?? 30_000)
const MEMORY_PODS = Number(process.env.BENCH_MEMORY_PODS ?? 150_000)
const log = createLogger({ level: 'error' })
const schemas: string[] = []

export async function run(): Promise<void> {
  console.log(`\ncluster benchmark — ${url.replace(/:[^:@/]*@/, ':***@')}, ${machine()}`)
  try {
    const rows: string[][] = [['', 'pods/s scheduled', 'pods/s Running', 'seconds', 'events per pod']]
    const raw = await rawCreates(PODS)
    for (const nodes of [1000, 5000]) rows.push(await scaleUp(nodes, PODS))
    rows.push([`baseline: create ${fmt(PODS)} pods, no controllers`, '', fmt(raw.rate), raw.seconds.toFixed(1), '1'])
    console.log(`\nscale-up of a Deployment from 0 to ${fmt(PODS)} replicas`)
    table(rows)
    await schedulerAlone(5000, PODS)
    await rollingUpdate()
    await memory(5000, MEMORY_PODS)
  } finally {
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    for (const schema of schemas) await admin.query(`drop schema if exists "${schema}" cascade`)
    await admin.end()
  }
}

async function cluster(tag: string, nodes: number, controllers = true): Promise<RunningServer> {
  const schema = `bench_cluster_${tag}_${process.pid}`
  schemas.push(schema)
  const server = await startServer(
    { database: { backend: 'postgres', url, schema }, port: 0, host: '127.0.0.1', controllers, simNodes: 0 },
    log,
  )
  if (controllers) {
    while (!server.leading) await new Promise((r) => setTimeout(r, 50))
    for (let i = 0; i < nodes; i += 500) {
      await createSimulatedNodes(server.api, Math.min(500, nodes - i), {
        names: Array.from({ length: Math.min(500, nodes - i) }, (_, k) => `node-${i + k + 1}`),
      })
    }
    await server.settled(600_000)
  }
  return server
}

const deployment = (replicas: number, image = 'busybox:1') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'scale', namespace: 'default' },
  spec: {
    replicas,
    strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    selector: { matchLabels: { app: 'scale' } },
    template: {
      metadata: { labels: { app: 'scale' } },
      spec: { containers: [{ name: 'app', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
    },
  },
})

/** Polls the projection until `done` holds; returns the seconds it took. */
async function until(server: RunningServer, done: () => boolean, limitSeconds: number): Promise<number> {
  const started = performance.now()
  while (!done()) {
    if ((performance.now() - started) / 1000 > limitSeconds) throw new Error('the cluster did not get there in time')
    await new Promise((r) => setTimeout(r, 100))
  }
  return (performance.now() - started) / 1000
}

function podsOf(server: RunningServer): JsonObject[] {
  return [...(server.projection.state.objects.get('Pod')?.get('default')?.values() ?? [])]
}
const scheduled = (p: JsonObject) => Boolean((p.spec as JsonObject).nodeName)
const running = (p: JsonObject) => (p.status as JsonObject | undefined)?.phase === 'Running'

async function scaleUp(nodes: number, pods: number): Promise<string[]> {
  const server = await cluster(`n${nodes}`, nodes)
  try {
    const before = (await server.store.head()).revision
    const started = performance.now()
    await server.api.create({ actor: 'bench' }, deployment(pods))
    let scheduledAt = 0
    await until(
      server,
      () => {
        const all = podsOf(server)
        if (!scheduledAt && all.length >= pods && all.every(scheduled)) scheduledAt = performance.now()
        return all.length >= pods && all.every(running)
      },
      3600,
    )
    const seconds = (performance.now() - started) / 1000
    const events = (await server.store.head()).revision - before
    return [
      `${fmt(nodes)} nodes`,
      fmt(pods / ((scheduledAt - started) / 1000)),
      fmt(pods / seconds),
      seconds.toFixed(1),
      (events / pods).toFixed(1),
    ]
  } finally {
    await server.stop()
  }
}

async function rawCreates(pods: number): Promise<{ rate: number; seconds: number }> {
  const server = await cluster('raw', 0, false)
  try {
    const seconds = await createPods(server, pods, 'raw')
    return { rate: pods / seconds, seconds }
  } finally {
    await server.stop()
  }
}

async function createPods(server: RunningServer, count: number, prefix: string, extra: JsonObject = {}): Promise<number> {
  const started = performance.now()
  for (let i = 0; i < count; i += 256) {
    await Promise.all(
      Array.from({ length: Math.min(256, count - i) }, (_, k) =>
        server.api.create(
          { actor: 'bench' },
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: `${prefix}-${i + k}`, namespace: 'default', labels: { app: prefix } },
            spec: { containers: [{ name: 'app', image: 'busybox:1', ...extra }] },
          },
        ),
      ),
    )
  }
  return (performance.now() - started) / 1000
}

async function schedulerAlone(nodes: number, pods: number): Promise<void> {
  const server = await cluster('scheduler', 0, false)
  try {
    for (let i = 0; i < nodes; i += 250) {
      await Promise.all(
        Array.from({ length: Math.min(250, nodes - i) }, async (_, k) => {
          const name = `node-${i + k + 1}`
          const node = await server.api.create(
            { actor: 'bench' },
            { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {} },
          )
          const capacity = { cpu: '32', memory: '128Gi', pods: '110' }
          await server.api.updateStatus(
            { actor: 'bench' },
            { ...node, status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True' }] } },
          )
        }),
      )
    }
    const createSeconds = await createPods(server, pods, 'pending', { resources: { requests: { cpu: '100m', memory: '64Mi' } } })
    await server.projection.waitFor((await server.store.head()).revision)
    const runner = new ControllerRunner({
      api: server.api,
      projection: server.projection,
      controllers: [createScheduler()],
      clock: realClock,
      log,
    })
    const started = performance.now()
    runner.start()
    try {
      await until(server, () => podsOf(server).every(scheduled), 3600)
    } finally {
      await runner.stop()
    }
    const seconds = (performance.now() - started) / 1000
    console.log(
      `\nthe scheduler alone: ${fmt(pods)} pending pods onto ${fmt(nodes)} nodes, bound through the store (binding, PodScheduled, Scheduled event)`,
    )
    table([
      ['', 'pods/s', 'seconds'],
      ['scheduled and bound', fmt(pods / seconds), seconds.toFixed(1)],
      [`baseline: creating the ${fmt(pods)} pods`, fmt(pods / createSeconds), createSeconds.toFixed(1)],
    ])
    console.log('  (target: ≥ 1,000 pods/s; Kubernetes scheduler_perf at 5,000 nodes: 680–1,100)')
  } finally {
    await server.stop()
  }
}

async function rollingUpdate(): Promise<void> {
  const server = await cluster('rollout', 100)
  try {
    const up = await (async () => {
      const started = performance.now()
      await server.api.create({ actor: 'bench' }, deployment(1000))
      await until(server, () => podsOf(server).filter(running).length === 1000, 600)
      return (performance.now() - started) / 1000
    })()
    await server.settled(600_000)
    const current = await server.api.get('deploy', 'default', 'scale')
    const started = performance.now()
    await server.api.update(
      { actor: 'bench' },
      {
        ...current,
        metadata: { ...(current.metadata as JsonObject), resourceVersion: undefined },
        spec: deployment(1000, 'busybox:2').spec,
      },
    )
    await until(
      server,
      () => {
        const all = podsOf(server).filter((p) => !(p.metadata as JsonObject).deletionTimestamp)
        return (
          all.length === 1000 &&
          all.every((p) => running(p) && ((p.spec as JsonObject).containers as JsonObject[])[0]!.image === 'busybox:2')
        )
      },
      1800,
    )
    const rollout = (performance.now() - started) / 1000
    console.log('\na 1,000-replica Deployment on 100 nodes (maxSurge 25%, maxUnavailable 25%)')
    table([
      ['', 'seconds'],
      ['rolling update to a new image', rollout.toFixed(1)],
      ['baseline: bringing the 1,000 replicas up', up.toFixed(1)],
    ])
  } finally {
    await server.stop()
  }
}

async function memory(nodes: number, pods: number): Promise<void> {
  global.gc?.()
  const before = process.memoryUsage()
  const server = await cluster('memory', nodes)
  try {
    await server.api.create({ actor: 'bench' }, deployment(pods))
    await until(server, () => podsOf(server).filter(running).length >= pods, 7200)
    await server.settled(600_000)
    global.gc?.()
    const after = process.memoryUsage()
    console.log(`\nmemory of the process with ${fmt(nodes)} nodes and ${fmt(pods)} pods (controllers, scheduler, kubelets, projection)`)
    table([
      ['', 'MiB'],
      ['heap used', fmt(after.heapUsed / 2 ** 20)],
      ['resident set', fmt(after.rss / 2 ** 20)],
      ['baseline: heap used before the cluster', fmt(before.heapUsed / 2 ** 20)],
    ])
    console.log('  (target: 150,000 pods on 5,000 nodes within 8 GiB)')
  } finally {
    await server.stop()
  }
}
