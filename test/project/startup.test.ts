import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore } from '../../services/app/open-store.js'
import { spawnTs } from '../support/process.js'
import { backend, databaseUrl, dropSchema, uniqueSchema } from '../support/store.js'

const dirs: string[] = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'revkube-start-'))
  dirs.push(dir)
  return dir
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

/** Runs `npm start`'s entry point with the given environment until it exits. */
async function start(env: NodeJS.ProcessEnv, args: string[] = []) {
  const child = spawnTs('services/app/main.ts', args, {
    PORT: '0',
    DATABASE_URL: '',
    REVKUBE_DATA_DIR: tempDir(),
    REVKUBE_AUTH: 'none',
    ...env,
  })
  const { code } = await child.exited
  return { code, stderr: child.stderr() }
}

/** A start-up failure: exit status 1 and exactly one line that says what is wrong. */
function expectOneLine(result: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(result.code).toBe(1)
  const lines = result.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(pattern)
  expect(result.stderr).not.toMatch(/\n\s+at /)
}

describe('start-up failures print one line and exit non-zero', () => {
  it('names a malformed DATABASE_URL', async () => {
    expectOneLine(await start({ DATABASE_URL: 'postgres://localhost:notaport/db' }), /^revkube: DATABASE_URL is not a valid URL/)
    expectOneLine(await start({ DATABASE_URL: 'mysql://localhost/db' }), /^revkube: DATABASE_URL must start with postgres:\/\//)
  })

  it('names an unreachable database', async () => {
    expectOneLine(
      await start({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' }),
      /^revkube: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/test: connection refused/,
    )
  })

  it('names an invalid port', async () => {
    expectOneLine(await start({ PORT: 'eighty' }), /^revkube: PORT must be a number/)
  })

  it('names an unknown flag and a flag without its value', async () => {
    expectOneLine(await start({}, ['--sim-node', '3']), /^revkube: unknown argument "--sim-node" \(flags: --sim-nodes, /)
    expectOneLine(await start({}, ['--sim-nodes']), /^revkube: --sim-nodes needs a value/)
    expectOneLine(await start({}, ['--sim-nodes=lots']), /^revkube: REVKUBE_SIM_NODES must be a whole number/)
  })

  it('refuses a database migrated by a newer revkube', async () => {
    const env: NodeJS.ProcessEnv = {}
    let cleanup = async () => {}
    if (backend === 'postgres') {
      const schema = uniqueSchema('newer')
      Object.assign(env, { DATABASE_URL: databaseUrl, REVKUBE_DB_SCHEMA: schema })
      cleanup = () => dropSchema(databaseUrl!, schema)
    } else {
      env.REVKUBE_DATA_DIR = tempDir()
    }
    const database =
      backend === 'postgres'
        ? { backend: 'postgres' as const, url: databaseUrl!, schema: env.REVKUBE_DB_SCHEMA! }
        : { backend: 'pglite' as const, dataDir: env.REVKUBE_DATA_DIR! }
    const store = await openStore({ database })
    await sql`insert into kysely_migration (name, timestamp) values ('0999-later', now()::text)`.execute(store.database.db)
    await store.close()
    try {
      expectOneLine(await start(env), /^revkube: .* was migrated by a newer revkube \(unknown migrations: 0999-later\)/)
    } finally {
      await cleanup()
    }
  })

  it('refuses a data folder another revkube process is using', async () => {
    const dataDir = tempDir()
    const first = spawnTs('services/app/main.ts', [], { PORT: '0', DATABASE_URL: '', REVKUBE_DATA_DIR: dataDir, REVKUBE_AUTH: 'none' })
    try {
      await waitForServing(first)
      expectOneLine(
        await start({ REVKUBE_DATA_DIR: dataDir }),
        /^revkube: the data folder .* is in use by another revkube process \(pid \d+\)/,
      )
    } finally {
      first.process.kill('SIGTERM')
      expect((await first.exited).code).toBe(0)
    }
  })
})

async function waitForServing(child: ReturnType<typeof spawnTs>) {
  const deadline = Date.now() + 30_000
  while (!child.stderr().includes('revkube is serving')) {
    if (child.process.exitCode !== null) throw new Error(`server exited: ${child.stderr()}`)
    if (Date.now() > deadline) throw new Error('server did not start')
    await new Promise((r) => setTimeout(r, 50))
  }
}
