import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnTs, type Child } from './process.js'
import { sampleValue, scrape } from './prometheus-text.js'
import { databaseUrl, dropSchema, uniqueSchema } from './store.js'
import { waitFor } from './wait.js'

export interface ServerProcess {
  child: Child
  /** The server's base URL (`http://127.0.0.1:PORT`). */
  url: string
  /** The admin's token, and each user's (`<name>-token`). */
  tokens: Record<string, string>
  /** A sample of the server's own /metrics (`process_resident_memory_bytes`, `nodejs_heap_size_used_bytes`, …). */
  metric(name: string, labels?: Record<string, string>): Promise<number | undefined>
  /** SIGTERM, wait for the exit, drop what it created. */
  stop(): Promise<void>
}

/**
 * `npm start`'s entry point in a process of its own (tokens and RBAC on, no controllers), over a
 * fresh database (PGlite in a temporary folder, or a schema of its own on DATABASE_URL), with
 * `env` added: for what only a process of its own can show, such as the server's memory.
 */
export async function startServerProcess(users: Record<string, string[]> = {}, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'revkube-process-'))
  const cleanup: Array<() => unknown> = [() => rmSync(dir, { recursive: true, force: true })]
  writeFileSync(
    join(dir, 'tokens.csv'),
    Object.entries(users)
      .map(([name, groups], i) => `${name}-token,${name},uid-${i},"${groups.join(',')}"`)
      .join('\n'),
  )
  let database: NodeJS.ProcessEnv = { DATABASE_URL: '', REVKUBE_DATA_DIR: dir }
  if (databaseUrl) {
    const schema = uniqueSchema('process')
    cleanup.push(() => dropSchema(databaseUrl!, schema))
    database = { DATABASE_URL: databaseUrl, REVKUBE_DB_SCHEMA: schema, REVKUBE_DATA_DIR: dir }
  }
  const child = spawnTs('services/app/main.ts', ['--no-controllers'], {
    ...database,
    PORT: '0',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    REVKUBE_AUTH: 'token',
    REVKUBE_TOKEN_FILE: join(dir, 'tokens.csv'),
    REVKUBE_CONFIG: join(dir, 'cli.json'),
    ...env,
  })
  let url = ''
  const stop = async () => {
    if (child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGTERM')
      await child.exited
    }
    for (const step of cleanup.reverse()) await step()
  }
  try {
    await waitFor(
      () => {
        if (child.process.exitCode !== null) throw new Error(`the server exited: ${child.stderr()}`)
        const line = child
          .stderr()
          .split('\n')
          .find((l) => l.includes('"revkube is serving"'))
        if (line) url = JSON.parse(line).url
        return url !== ''
      },
      'the server to serve',
      60_000,
    )
  } catch (error) {
    await stop()
    throw error
  }
  const tokens: Record<string, string> = { admin: readFileSync(join(dir, 'admin.token'), 'utf8').trim() }
  for (const name of Object.keys(users)) tokens[name] = `${name}-token`
  return {
    child,
    url,
    tokens,
    metric: async (name, labels) => sampleValue(await scrape(url), name, labels),
    stop,
  }
}
