import http from 'node:http'
import pg from 'pg'
import { fmt, machine, percentile, startServerProcess, table } from './lib.js'

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const seconds = Number(process.env.BENCH_SECONDS ?? 30)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 200)
const settings = (process.env.BENCH_INFLIGHT ?? '1000000,400,100,40').split(',').map(Number)
/** ConfigMaps in the database, each read by every list. */
const OBJECTS = 1_000
const light = process.env.BENCH_READS === 'light'
const READS = light
  ? ['{ objects(kind: "configmaps", first: 20) { edges { node { metadata { name } } } } }', '{ revision { revision } }']
  : [
      '{ objects(kind: "configmaps", first: 1000) { edges { node { metadata { name } raw } } } }',
      '{ log(first: 1000) { edges { node { revision kind name meta } } } }',
    ]

export async function run(): Promise<void> {
  const where = url.replace(/:[^:@/]*@/, ':***@')
  console.log(
    `\noverload benchmark — ${connections} connections of ${light ? 'light' : 'heavy'} reads, ${seconds} s each, ${where}, ${machine()}`,
  )
  const schema = `bench_overload_${process.pid}`
  const rows: string[][] = [['max in flight', 'answered/s', 'p50 ms', 'p99 ms', '200', '429', '503', '5xx or internal']]
  try {
    for (const inflight of settings) {
      const server = await startServerProcess(url, schema, { REVKUBE_MAX_REQUESTS_INFLIGHT: String(inflight) })
      try {
        const endpoint = `${server.url}/graphql`
        if (inflight === settings[0]) await load(endpoint)
        const r = await overload(endpoint)
        const setting = inflight >= 1_000_000 ? 'unbounded (baseline)' : fmt(inflight)
        rows.push([setting, fmt(r.perSecond), fmt(r.p50), fmt(r.p99), fmt(r.ok), fmt(r.tooMany), fmt(r.busy), fmt(r.failed)])
      } finally {
        server.child.kill('SIGTERM')
        await new Promise((resolve) => server.child.once('exit', resolve))
      }
    }
    table(rows)
  } finally {
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`drop schema if exists "${schema}" cascade`)
    await admin.end()
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: connections })

function post(endpoint: string, query: string): Promise<{ status: number; text: string }> {
  const body = JSON.stringify({ query })
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
    const request = http.request(endpoint, { method: 'POST', agent, headers }, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => (text += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }))
    })
    request.on('error', reject)
    request.end(body)
  })
}

async function load(endpoint: string): Promise<void> {
  for (let start = 0; start < OBJECTS; start += 500) {
    const manifest = (i: number) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${i}, namespace: default}\ndata: {k: "${'v'.repeat(500)}"}\n`
    const manifests = Array.from({ length: 500 }, (_, i) => manifest(start + i))
    const answer = await post(endpoint, `mutation { apply(manifest: ${JSON.stringify(manifests.join('---\n'))}) { revision } }`)
    if (answer.status !== 200 || answer.text.includes('"errors"')) throw new Error(`loading: ${answer.status} ${answer.text.slice(0, 300)}`)
  }
}

async function overload(endpoint: string) {
  const stopAt = performance.now() + seconds * 1000
  const started = performance.now()
  const latencies: number[] = []
  let ok = 0
  let tooMany = 0
  let busy = 0
  let failed = 0
  await Promise.all(
    Array.from({ length: connections }, async (_, slot) => {
      for (let i = slot; performance.now() < stopAt; i++) {
        const t = performance.now()
        const answer = await post(endpoint, READS[i % READS.length]!).catch(() => ({ status: 0, text: '' }))
        const internal = answer.text.includes('INTERNAL_SERVER_ERROR')
        if (answer.status === 429) tooMany++
        else if (answer.status === 503 || answer.text.includes('"UNAVAILABLE"')) busy++
        else if (answer.status >= 500 || answer.status === 0 || internal) failed++
        else if (answer.status === 200) {
          ok++
          latencies.push(performance.now() - t)
        }
        // A refused client waits as Retry-After asks.
        if (answer.status === 429 || answer.status === 503) await new Promise((resolve) => setTimeout(resolve, 1000))
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  const p = (n: number) => (latencies.length ? percentile(latencies, n) : 0)
  return { perSecond: ok / elapsed, p50: p(50), p99: p(99), ok, tooMany, busy, failed }
}
