import { spawn, type ChildProcess } from 'node:child_process'
import os from 'node:os'
import { createInterface } from 'node:readline'
import pg from 'pg'

/** Runs `worker` on `concurrency` concurrent loops for `seconds`; returns completed operations per second. */
export async function throughput(concurrency: number, seconds: number, worker: (slot: number) => Promise<number>): Promise<number> {
  const stopAt = performance.now() + seconds * 1000
  const started = performance.now()
  const counts = new Array<number>(concurrency).fill(0)
  await Promise.all(
    counts.map(async (_, slot) => {
      while (performance.now() < stopAt) {
        const done = await worker(slot) // count after the await: `x += await f()` would lose updates
        counts[slot]! += done
      }
    }),
  )
  const total = counts.reduce((a, b) => a + b, 0)
  return total / ((performance.now() - started) / 1000)
}

/** Milliseconds per call, one sample per repetition. */
export async function timings(reps: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < reps; i++) {
    const t = performance.now()
    await fn()
    out.push(performance.now() - t)
  }
  return out
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`

/** Prints rows as aligned columns. */
export function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  for (const row of rows)
    console.log(`  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   ')}`)
}

export function machine(): string {
  return `${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`
}

/** A Pod-shaped object of about `bytes` bytes of JSON. */
export function podObject(namespace: string, name: string, bytes = 1000, generation = 1) {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name.replace(/-\d+$/, ''), tier: 'web' }, annotations: { note: '' } },
    spec: {
      nodeName: `node-${name.length % 7}`,
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/team/app:1.4.2',
          ports: [{ containerPort: 8080 }],
          resources: { requests: { cpu: '250m', memory: '256Mi' } },
        },
      ],
    },
    status: { phase: 'Running', podIP: '10.0.0.1', observedGeneration: generation },
  }
  // The padding depends only on the lengths of the variable parts: measure each shape once, so
  // the load generator spends its CPU on the calls being measured, not on building their input.
  const shape = `${bytes}:${namespace.length}:${name.length}:${String(generation).length}`
  let note = notes.get(shape)
  if (note === undefined) {
    note = 'x'.repeat(Math.max(0, bytes - JSON.stringify(pod).length))
    notes.set(shape, note)
  }
  pod.metadata.annotations.note = note
  return pod
}

const notes = new Map<string, string>()

/**
 * A revkube server process, as users run it, on PostgreSQL `url` in `schema`: no controllers, no
 * authentication, no secure port, JSON logs; `env` adds to or overrides that. Resolves with its
 * base URL once it is serving.
 */
export function startServerProcess(
  url: string,
  schema: string,
  env: Record<string, string> = {},
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/app/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      REVKUBE_DB_SCHEMA: schema,
      PORT: '0',
      REVKUBE_SECURE_PORT: '0',
      REVKUBE_CONTROLLERS: 'false',
      REVKUBE_AUTH: 'none',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.includes('revkube is serving')) resolve({ url: JSON.parse(line).url, child })
    })
    child.once('exit', (code) => reject(new Error(`the server exited (${code})`)))
  })
}

/** Drops a benchmark's schemas from PostgreSQL `url`. */
export async function dropSchemas(url: string, ...schemas: string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  try {
    for (const schema of schemas) await admin.query(`drop schema if exists "${schema}" cascade`)
  } finally {
    await admin.end()
  }
}
