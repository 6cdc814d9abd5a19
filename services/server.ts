import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Config } from './config.js'
import type { Logger } from './log.js'
import { createGraphQLServer, GRAPHQL_PATH } from '../graphql/server.js'
import { Projection } from '../projections/projection.js'
import { realEnvironment } from './api/context.js'
import { bootstrapNamespaces } from './api/namespaces.js'
import { startControlPlane, type ControlPlane } from './controllers/control-plane.js'
import { realClock, type Clock } from './controllers/runtime/clock.js'
import { runWhenLeader } from './controllers/runtime/leader-election.js'
import { createSimulatedNodes } from './kubelet/simulated-nodes.js'
import { ResourceApi } from './api/resource-api.js'
import { openStore, type Store } from './store/store.js'

export interface RunningServer {
  readonly url: string
  readonly store: Store
  readonly api: ResourceApi
  readonly projection: Projection
  /** Whether this process runs the controllers now (it holds the leader lock). */
  readonly leading: boolean
  /** Resolves when the controllers have nothing left to do (only while leading). */
  settled(timeoutMs?: number): Promise<void>
  /** Stops accepting requests, waits for pending appends, closes the database. */
  stop(): Promise<void>
}

/**
 * The composition root: opens the store (connect + migrate), starts the projection, creates the
 * bootstrap namespaces and serves GraphQL (HTTP, SSE and WebSocket on /graphql) and health.
 * Health endpoints follow kube-apiserver: `/livez` (the process is up) and `/readyz`
 * (the database answers); `?verbose` lists the checks.
 */
export interface ServerOptions {
  /** The controllers' clock. @default real time */
  clock?: Clock
}

export async function startServer(config: Config, log: Logger, options: ServerOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? realClock
  const store = await openStore({ database: config.database, log })
  const projection = await Projection.start(store, { log })
  const api = new ResourceApi({ store, projection, env: { ...realEnvironment, now: () => clock.now() } })
  await bootstrapNamespaces(api)
  let plane: ControlPlane | undefined
  const leadership = config.controllers
    ? runWhenLeader(
        store.database,
        async () => {
          const running = startControlPlane({ api, projection, clock, log })
          plane = running
          if (config.simNodes > 0) await createSimulatedNodes(api, config.simNodes)
          return async () => {
            plane = undefined
            await running.stop()
          }
        },
        { log },
      )
    : undefined
  const graphql = createGraphQLServer({ api, store, projection }, log)
  const http = createServer((req, res) => {
    if (req.url === GRAPHQL_PATH || req.url?.startsWith(`${GRAPHQL_PATH}?`)) return void graphql.yoga(req, res)
    handle(store, req, res).catch((error) => {
      log.error('request failed', { url: req.url, error })
      if (!res.headersSent) send(res, 500, { message: 'internal error' })
      else res.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(config.port, config.host, () => resolve())
  }).catch(async (error) => {
    await leadership?.stop()
    projection.stop()
    await store.close()
    throw error
  })
  const closeWebSockets = graphql.attachWebSockets(http)
  const address = http.address() as AddressInfo
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`
  const head = await store.head()
  log.info('revkube is serving', { url, graphql: `${url}${GRAPHQL_PATH}`, database: store.database.description, revision: head.revision })

  return {
    url,
    store,
    api,
    projection,
    get leading() {
      return leadership?.leading ?? false
    },
    settled: async (timeoutMs) => {
      if (!plane) throw new Error('this process does not run the controllers')
      await plane.settled(timeoutMs)
    },
    stop: async () => {
      await closeWebSockets()
      await closeHttp(http)
      await leadership?.stop()
      projection.stop()
      await store.close()
    },
  }
}

async function handle(store: Store, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const verbose = url.searchParams.has('verbose')
  switch (url.pathname) {
    case '/livez':
      return sendCheck(res, [['ping', true]], verbose)
    case '/readyz': {
      const database = await store.head().then(
        () => true,
        () => false,
      )
      return sendCheck(res, [['ping', true], ['database', database]], verbose)
    }
    case '/': {
      const head = await store.head()
      return send(res, 200, {
        name: 'revkube',
        database: store.database.description,
        revision: String(head.revision),
        committedAt: head.committedAt,
      })
    }
    default:
      return send(res, 404, { message: `no route for ${url.pathname}` })
  }
}

function sendCheck(res: ServerResponse, checks: Array<[string, boolean]>, verbose: boolean): void {
  const ok = checks.every(([, passed]) => passed)
  res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' })
  if (!verbose) return void res.end(ok ? 'ok' : 'failed')
  const lines = checks.map(([name, passed]) => `[${passed ? '+' : '-'}]${name} ${passed ? 'ok' : 'failed'}`)
  res.end(`${lines.join('\n')}\n${ok ? 'check passed' : 'check failed'}\n`)
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

function closeHttp(http: Server): Promise<void> {
  return new Promise((resolve) => {
    http.close(() => resolve())
    http.closeIdleConnections()
  })
}
