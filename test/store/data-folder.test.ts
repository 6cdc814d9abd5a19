import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Config } from '../../services/config.js'
import { createLogger } from '../../services/log.js'
import { startServer, type RunningServer } from '../../services/app/server.js'
import { backend, databaseUrl, dropSchema, uniqueSchema } from '../support/store.js'

/**
 * The data folder holds the log (PGlite), the admin token and the keys (both backends): a real
 * server on a fresh folder leaves nothing in it that another local user may read or enter.
 */

let parent: string | undefined
let server: RunningServer | undefined
let schema: string | undefined

afterEach(async () => {
  await server?.stop()
  server = undefined
  if (schema && databaseUrl) await dropSchema(databaseUrl, schema)
  schema = undefined
  if (parent) await rm(parent, { recursive: true, force: true })
  parent = undefined
})

/** A server with tokens (so it writes the admin token and its keys) whose data folder is `dataDir`. */
async function start(dataDir: string, lines: string[] = []): Promise<RunningServer> {
  schema = databaseUrl ? uniqueSchema() : undefined
  const database: Config['database'] = databaseUrl
    ? { backend: 'postgres', url: databaseUrl, schema: schema! }
    : { backend: 'pglite', dataDir }
  const log = createLogger({ level: 'warn', write: (line) => lines.push(line) })
  server = await startServer({ database, dataDir, port: 0, host: '127.0.0.1', controllers: false, simNodes: 0, auth: 'token' }, log)
  return server
}

/** Every folder and file under `dir` (itself included) whose mode is not 0700 (folders) or 0600 (files). */
async function notPrivate(dir: string): Promise<string[]> {
  const wrong: string[] = []
  const check = async (path: string) => {
    const info = await stat(path)
    const mode = info.mode & 0o777
    const wanted = info.isDirectory() ? 0o700 : 0o600
    if (mode !== wanted) wrong.push(`${path.slice(dir.length) || '/'} ${mode.toString(8)}`)
  }
  await check(dir)
  for (const entry of await readdir(dir, { recursive: true })) await check(join(dir, entry))
  return wrong
}

describe.skipIf(process.platform === 'win32')(`the data folder (${backend})`, () => {
  it('is 0700 with files 0600 after a server starts on a fresh one, writes, and stops', async () => {
    parent = await mkdtemp(join(tmpdir(), 'revkube-private-'))
    const dataDir = join(parent, 'data')
    const running = await start(dataDir)
    const files = await readdir(dataDir)
    expect(files).toEqual(expect.arrayContaining(['admin.token', 'service-account.key', 'encryption-keys.json']))
    if (backend === 'pglite') expect(files).toEqual(expect.arrayContaining(['PG_VERSION', 'base', 'pg_wal']))
    expect(await notPrivate(dataDir)).toEqual([])

    const admin = { actor: 'admin' }
    for (let i = 0; i < 20; i++) {
      await running.api.create(admin, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `c${i}`, namespace: 'default' },
        data: { i: String(i) },
      })
    }
    expect(await notPrivate(dataDir)).toEqual([])
    await running.stop()
    server = undefined
    expect(await notPrivate(dataDir)).toEqual([])
  })

  it('makes a folder that others could enter private at start, and says so', async () => {
    parent = await mkdtemp(join(tmpdir(), 'revkube-private-'))
    const dataDir = join(parent, 'data')
    await mkdir(dataDir)
    await chmod(dataDir, 0o755)
    await writeFile(join(dataDir, 'notes.txt'), 'kept\n')
    const lines: string[] = []
    await start(dataDir, lines)
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700)
    expect(lines.join('\n')).toContain('the data folder was open to other users (0755); it is now private (0700)')
  })
})
