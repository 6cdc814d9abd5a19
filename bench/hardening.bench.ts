/**
 * `npm run bench -- hardening`: a revkube server (a child process, tokens and RBAC on, over the
 * local PostgreSQL: DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) under each
 * attack of the hardening issue in turn, every figure beside the same server with no attack in
 * the same run:
 *
 * - how fast the attack itself is answered (median ms per attacking request);
 * - /livez latency (p50, p99) from a probe every 20 ms while the attack runs;
 * - ordinary work meanwhile: `apply` of a ConfigMap from 4 authorized clients, per second.
 *
 * The log holds BENCH_EVENTS (default 3,000) events first, as in the report. BENCH_SECONDS
 * (default 5) is how long each attack runs.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import pg from 'pg'
import { fmt, machine, median, percentile, ratio, table } from './lib.js'

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const events = Number(process.env.BENCH_EVENTS ?? 3_000)

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 })

interface Server {
  base: string
  admin: string
  child: ChildProcess
}

/** One request over Node's HTTP client; resolves with the status once the body is read. */
function post(base: string, token: string | undefined, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${base}/graphql`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }), ...headers },
      },
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
      },
    )
    request.on('error', reject)
    request.end(body)
  })
}

function get(base: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${path}`, { agent }, (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
      })
      .on('error', reject)
  })
}

const body = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables })
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: default}\ndata: {k: v}\n`

let serial = 0
/** ~3 MB of `aN: __typename` selections. */
const manyTypenames = Array.from({ length: 100_000 }, (_, i) => `a${i}: __typename `).join('')

/** Each attack: how many attackers run it at once, and one attacking request. */
const attacks: Array<{ name: string; attackers: number; attack: (s: Server) => Promise<number> }> = [
  {
    name: 'token-less 3 MB documents',
    attackers: 4,
    // Unique documents (a cache would not help), built cheaply: the load generator shares the probe's event loop.
    attack: (s) => post(s.base, undefined, `{"query":"{ u${serial++}: __typename ${manyTypenames}}"}`),
  },
  {
    name: 'documents nested 100,000 deep',
    attackers: 4,
    attack: (s) => post(s.base, s.admin, body(`${'{ revision '.repeat(100_000)}${'}'.repeat(100_000)}`)),
  },
  {
    name: 'JSON-patch copy bombs (dry run)',
    attackers: 4,
    attack: (s) => {
      const ops: unknown[] = [{ op: 'add', path: '/metadata/annotations', value: { seed: 'x'.repeat(1000) } }]
      for (let i = 0; i < 24; i++) ops.push({ op: 'copy', from: '/metadata/annotations', path: `/metadata/annotations/c${i}` })
      return post(
        s.base,
        s.admin,
        body(
          'mutation($p: JSON!) { patch(kind: "ConfigMap", namespace: "default", name: "target", type: JSON, patch: $p, dryRun: true) { revision } }',
          { p: ops },
        ),
      )
    },
  },
  {
    name: '200 aliases of changes, no permissions',
    attackers: 4,
    attack: (s) =>
      post(
        s.base,
        'nobody-token',
        body(
          `{ ${Array.from({ length: 200 }, (_, i) => `c${i}: changes(from: { revision: "0" }, to: { revision: "${events}" }) { name }`).join(' ')} }`,
        ),
      ),
  },
  {
    name: 'reads from 200 clients at once',
    attackers: 200,
    attack: (s) => post(s.base, s.admin, body('{ objects(kind: "configmaps", first: 500) { edges { node { metadata { name } } } } }')),
  },
  {
    name: 'anonymous requests, 14 KB headers',
    attackers: 16,
    attack: (s) =>
      post(s.base, undefined, body('{ revision { revision } }'), {
        'user-agent': `${serial++}${'u'.repeat(7_000)}`,
        'x-request-id': 'r'.repeat(7_000),
      }),
  },
]

export async function run(): Promise<void> {
  console.log(`\nhardening benchmark — ${url.replace(/:[^:@/]*@/, ':***@')}, ${machine()}`)
  const schema = `bench_hardening_${process.pid}`
  const dir = await mkdtemp(join(tmpdir(), 'revkube-bench-hardening-'))
  let server: Server | undefined
  try {
    server = await startServer(schema, dir)
    await load(server)
    console.log(
      `a log of ${fmt(events)} events; each attack runs ${seconds} s; /livez probed every 20 ms; 4 clients apply ConfigMaps meanwhile`,
    )
    const rows = [['', 'attack answered in, ms', '/livez p50, ms', '/livez p99, ms', 'applies/s meanwhile', 'vs no attack']]
    const quiet = await measure(server, undefined)
    rows.push(['baseline: no attack', '—', fmt(quiet.livez50, 1), fmt(quiet.livez99, 1), fmt(quiet.applies), '1.00×'])
    for (const attack of attacks) {
      const m = await measure(server, attack)
      rows.push([
        attack.name,
        `${fmt(m.answered, 1)} (${m.statuses})`,
        fmt(m.livez50, 1),
        fmt(m.livez99, 1),
        fmt(m.applies),
        ratio(m.applies, quiet.applies),
      ])
    }
    table(rows)
    console.log('  (the statuses the attack got, in brackets; /livez must stay within 1 s under every attack)')
  } finally {
    server?.child.kill('SIGTERM')
    agent.destroy()
    await rm(dir, { recursive: true, force: true })
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`drop schema if exists "${schema}" cascade`)
    await admin.end()
  }
}

async function startServer(schema: string, dir: string): Promise<Server> {
  await writeFile(join(dir, 'tokens.csv'), 'nobody-token,nobody,uid-1,""\n')
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/app/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      REVKUBE_DB_SCHEMA: schema,
      REVKUBE_DATA_DIR: dir,
      REVKUBE_CONFIG: join(dir, 'cli.json'),
      REVKUBE_TOKEN_FILE: join(dir, 'tokens.csv'),
      PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      REVKUBE_CONTROLLERS: 'false',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const base = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.includes('revkube is serving')) resolve(JSON.parse(line).url)
    })
    child.once('exit', (code) => reject(new Error(`the server exited (${code})`)))
  })
  return { base, child, admin: (await readFile(join(dir, 'admin.token'), 'utf8')).trim() }
}

async function load(s: Server): Promise<void> {
  await post(s.base, s.admin, body('mutation($m: String!) { apply(manifest: $m) { revision } }', { m: configMap('target') }))
  for (let written = 1; written < events; written += 100) {
    const documents = Array.from({ length: 100 }, (_, i) => configMap(`history-${written + i}`)).join('---\n')
    const status = await post(s.base, s.admin, body('mutation($m: String!) { apply(manifest: $m) { revision } }', { m: documents }))
    if (status !== 200) throw new Error(`loading the log: HTTP ${status}`)
  }
}

/** Runs the attack (or nothing) for `seconds`, with the /livez probe and the ordinary writers beside it. */
async function measure(s: Server, attack: (typeof attacks)[number] | undefined) {
  const stopAt = performance.now() + seconds * 1000
  const livez: number[] = []
  const answered: number[] = []
  const statuses = new Map<number, number>()
  let applies = 0
  const probe = (async () => {
    while (performance.now() < stopAt) {
      const t = performance.now()
      await get(s.base, '/livez')
      livez.push(performance.now() - t)
      await new Promise((r) => setTimeout(r, 20))
    }
  })()
  const writers = Array.from({ length: 4 }, async (_, w) => {
    for (let i = 0; performance.now() < stopAt; i++) {
      const status = await post(
        s.base,
        s.admin,
        body('mutation($m: String!) { apply(manifest: $m) { revision } }', { m: configMap(`written-${w}-${i % 50}`) }),
      )
      if (status === 200) applies++
    }
  })
  const attackers = Array.from({ length: attack?.attackers ?? 0 }, async () => {
    while (performance.now() < stopAt) {
      const t = performance.now()
      const status = await attack!.attack(s)
      answered.push(performance.now() - t)
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    }
  })
  const started = performance.now()
  await Promise.all([probe, ...writers, ...attackers])
  const elapsed = (performance.now() - started) / 1000
  return {
    answered: answered.length ? median(answered) : 0,
    statuses: [...statuses].map(([status, n]) => `${status}×${fmt(n)}`).join(' '),
    livez50: percentile(livez, 50),
    livez99: percentile(livez, 99),
    applies: applies / elapsed,
  }
}
