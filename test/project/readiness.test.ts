import pg from 'pg'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { Config } from '../../services/config.js'
import { createLogger } from '../../services/log.js'
import { startServer, type RunningServer } from '../../services/app/server.js'
import { openStore } from '../../services/app/open-store.js'
import type { AppendCommand } from '../../services/store/commands.js'
import { backend, databaseUrl, dropSchema, freshDatabaseConfig, makeObject } from '../support/store.js'
import { waitFor } from '../support/wait.js'

const logger = createLogger({ level: 'error' })

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url)
  return { status: response.status, body: await response.text() }
}

async function postQuery(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ revision { revision } }' }),
  })
  return { status: response.status, body: await response.json() }
}

/** Opens a WebSocket on /graphql; resolves with the HTTP status that refused it, or 101. */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws')
    socket.on('open', () => {
      socket.close()
      resolve(101)
    })
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      socket.terminate()
    })
    socket.on('error', () => undefined)
  })
}

const configMaps = (count: number, prefix: string): AppendCommand[] =>
  Array.from({ length: count }, (_, i) => ({
    op: 'put',
    type: 'Created',
    kind: 'ConfigMap',
    namespace: 'default',
    name: `${prefix}-${i}`,
    object: makeObject('ConfigMap', 'default', `${prefix}-${i}`),
  }))

async function withServer(config: Config, run: (server: RunningServer) => Promise<void>, hooks: Parameters<typeof startServer>[2] = {}) {
  const server = await startServer(config, logger, hooks)
  try {
    await run(server)
  } finally {
    await server.stop()
  }
}

describe(`readiness (${backend})`, () => {
  it('is live at once, but not ready and refuses GraphQL until the store is open and the projection has the head of the log', async () => {
    const database = await freshDatabaseConfig()
    const seen: Record<string, any> = {}
    let seeded = 0
    await withServer(
      { database, port: 0, host: '127.0.0.1', controllers: false, simNodes: 0 },
      async (server) => {
        expect(seen.livez).toEqual({ status: 200, body: 'ok' })
        expect(seen.readyz.status).toBe(503)
        expect(seen.readyz.body).toContain(
          '[+]ping ok\n[-]database failed: not connected yet\n[-]migrations failed: not done yet\n[-]projections failed: not started\n',
        )
        expect(seen.readyz.body).toMatch(/readyz check failed\n$/)
        expect(seen.graphql).toEqual({
          status: 503,
          body: { errors: [{ message: expect.stringMatching(/not ready/), extensions: { code: 'UNAVAILABLE' } }] },
        })
        expect(seen.upgrade).toBe(503)

        expect(seen.loading.status).toBe(503)
        expect(seen.loading.body).toContain(
          '[+]database ok\n[+]migrations ok\n[-]projections failed: loading the current objects\n[-]bootstrap failed:',
        )

        // startServer resolves once ready: the projection has everything written before it started.
        expect(await get(`${server.url}/readyz`)).toEqual({ status: 200, body: 'ok' })
        expect(server.projection.revision).toBeGreaterThanOrEqual(seeded)
        expect(server.projection.revision).toBe((await server.store.head()).revision)
        expect((await postQuery(server.url)).status).toBe(200)
        expect(await upgradeStatus(server.url)).toBe(101)
      },
      {
        hooks: {
          listening: async (url) => {
            seen.url = url
            seen.livez = await get(`${url}/livez`)
            seen.readyz = await get(`${url}/readyz`)
            seen.graphql = await postQuery(url)
            seen.upgrade = await upgradeStatus(url)
          },
          storeOpened: async (store) => {
            const outcomes = await store.append(configMaps(200, 'seed'))
            seeded = Math.max(...outcomes.map((o) => (o.ok ? o.event.revision : 0)))
            seen.loading = await get(`${seen.url}/readyz?verbose`)
          },
        },
      },
    )
    if (database.backend === 'postgres' && database.schema) await dropSchema(database.url, database.schema)
  })

  it('turns not ready, and refuses new GraphQL requests, as soon as stop() begins', async () => {
    const database = await freshDatabaseConfig()
    const seen: Record<string, any> = {}
    let url = ''
    await withServer(
      { database, port: 0, host: '127.0.0.1', controllers: false, simNodes: 0 },
      async (server) => {
        url = server.url
      },
      {
        hooks: {
          draining: async () => {
            seen.readyz = await get(`${url}/readyz?verbose`)
            seen.livez = await get(`${url}/livez`)
            seen.graphql = await postQuery(url)
          },
        },
      },
    )
    expect(seen.readyz.status).toBe(503)
    expect(seen.readyz.body).toContain('[+]database ok\n')
    expect(seen.readyz.body).toContain('[-]shutdown failed: the server is shutting down\n')
    expect(seen.livez).toEqual({ status: 200, body: 'ok' })
    expect(seen.graphql).toEqual({
      status: 503,
      body: { errors: [{ message: 'the server is shutting down', extensions: { code: 'SHUTTING_DOWN' } }] },
    })
    if (database.backend === 'postgres' && database.schema) await dropSchema(database.url, database.schema)
  })

  it.runIf(backend === 'postgres')(
    'stays not ready while another transaction keeps the projection from reading the current objects',
    async () => {
      const database = await freshDatabaseConfig()
      if (database.backend !== 'postgres') return
      const store = await openStore({ database })
      await store.append(configMaps(20, 'locked'))
      await store.close()

      const blocker = new pg.Client({ connectionString: databaseUrl })
      await blocker.connect()
      let url = ''
      try {
        await blocker.query('begin')
        await blocker.query(`lock table "${database.schema}".objects in access exclusive mode`)
        const starting = startServer({ database, port: 0, host: '127.0.0.1', controllers: false, simNodes: 0 }, logger, {
          hooks: { listening: (u) => void (url = u) },
        })
        let body = ''
        await waitFor(
          async () =>
            url !== '' && (body = (await get(`${url}/readyz?verbose`)).body).includes('[-]projections failed: loading the current objects'),
          'readyz to name the projection',
        )
        expect(body).toContain('[+]database ok\n[+]migrations ok\n')
        expect((await get(`${url}/readyz`)).status).toBe(503)
        await blocker.query('rollback')
        const server = await starting
        expect(await get(`${url}/readyz`)).toEqual({ status: 200, body: 'ok' })
        expect((await server.api.list('configmaps', { namespace: 'default' })).items).toHaveLength(20)
        await server.stop()
      } finally {
        await blocker.end()
        await dropSchema(database.url, database.schema!)
      }
    },
  )
})
