import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnTs, type Child } from '../support/process.js'
import { backend, databaseUrl, dropSchema, uniqueSchema } from '../support/store.js'

describe(`npm start (${backend})`, () => {
  let server: Child
  let url: string
  const dataDir = mkdtempSync(join(tmpdir(), 'revkube-server-'))
  const schema = uniqueSchema('server')
  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = databaseUrl
      ? { DATABASE_URL: databaseUrl, REVKUBE_DB_SCHEMA: schema }
      : { DATABASE_URL: '', REVKUBE_DATA_DIR: dataDir }
    server = spawnTs('services/app/main.ts', [], { PORT: '0', LOG_FORMAT: 'json', REVKUBE_AUTH: 'none', ...env })
    const deadline = Date.now() + 30_000
    for (;;) {
      const line = server
        .stderr()
        .split('\n')
        .find((l) => l.includes('revkube is serving'))
      if (line) {
        url = JSON.parse(line).url
        break
      }
      if (server.process.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start: ${server.stderr()}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  })
  afterAll(async () => {
    if (server.process.exitCode === null) server.process.kill('SIGTERM')
    await server.exited
    rmSync(dataDir, { recursive: true, force: true })
    if (databaseUrl) await dropSchema(databaseUrl, schema)
  })

  it('answers /livez and /readyz like kube-apiserver, verbose on request', async () => {
    expect(await (await fetch(`${url}/livez`)).text()).toBe('ok')
    const ready = await fetch(`${url}/readyz?verbose`)
    expect(ready.status).toBe(200)
    expect(await ready.text()).toBe(
      '[+]ping ok\n[+]database ok\n[+]migrations ok\n[+]projections ok\n[+]bootstrap ok\n[+]shutdown ok\nreadyz check passed\n',
    )
    expect(await (await fetch(`${url}/readyz/database`)).text()).toBe('ok')
    expect((await fetch(`${url}/readyz/nonsense`)).status).toBe(404)
  })

  it('reports the database and the head revision', async () => {
    // Four namespaces, default/kubernetes and its IP address, then the service account controller's four `default` ServiceAccounts.
    const read = async () => (await (await fetch(url)).json()) as { database: string; revision: string }
    let info = await read()
    for (const deadline = Date.now() + 10_000; info.revision !== '10' && Date.now() < deadline; info = await read())
      await new Promise((r) => setTimeout(r, 50))
    expect(info).toMatchObject({ name: 'revkube', revision: '10' })
    expect(info.database).toMatch(backend === 'postgres' ? /^PostgreSQL at / : /^embedded PGlite in /)
  })

  it('stops cleanly on SIGTERM', async () => {
    server.process.kill('SIGTERM')
    const { code } = await server.exited
    expect(code).toBe(0)
    expect(server.stderr()).toContain('"msg":"stopping"')
  })
})
