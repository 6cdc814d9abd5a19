import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { sql } from 'kysely'
import type { Config } from '../config.js'
import type { Logger } from '../log.js'
import { graphiqlAsset } from '../../graphql/graphiql.js'
import { createGraphQLServer, GRAPHQL_PATH, type GraphQLServer } from '../../graphql/server.js'
import { Projection } from '../../projections/projection.js'
import { realEnvironment } from '../api/context.js'
import { bootstrapNamespaces } from '../api/namespaces.js'
import { createRestApi, type RestApi } from '../rest/rest-api.js'
import { noContainers } from '../rest/pod-subresources.js'
import { isRestPath } from '../rest/request-path.js'
import { startControlPlane, type ControlPlane } from './control-plane.js'
import { realClock, type Clock } from '../runtime/clock.js'
import { runWhenLeader, type Leadership } from '../runtime/leader-election.js'
import { serveHealth, type HealthCheck } from './health.js'
import { cliConfigPath, rememberServer } from '../auth/credentials.js'
import { ensureDefaultPolicy } from './default-policy.js'
import { createSecurity, type Security } from '../auth/security.js'
import { writeGuard } from '../api/write-guard.js'
import { RejectionLog, type Rejection } from '../audit/rejections.js'
import { createSimulatedNodes } from '../kubelet/simulated-nodes.js'
import { defaultLimits } from '../limits.js'
import { StatusError } from '../errors.js'
import { ServerMetrics } from './metrics.js'
import { ResourceApi } from '../api/resource-api.js'
import type { Database } from '../store/database.js'
import { openStore } from './open-store.js'
import type { Store } from '../store/store.js'
import { secureDataFolders } from '../store/data-folders.js'
import { listenSecurely, type SecureListener, writeKubeconfig } from './secure-listener.js'

export interface RunningServer {
  readonly url: string
  /** The secure listener's URL (`https://127.0.0.1:6443`), when there is one. */
  readonly secureUrl?: string
  /** The CA (PEM) the secure listener's certificate is verified with, when the server made it. */
  readonly certificateAuthority?: string
  /** The kubeconfig the server wrote for its admin (`<data-dir>/kubeconfig`), when it has a data folder and a secure listener. */
  readonly kubeconfigFile?: string
  readonly store: Store
  readonly api: ResourceApi
  readonly projection: Projection
  /** Authentication and authorization (the admin token is `security.adminToken` with --auth=token). */
  readonly security: Security
  /** Whether this process runs the controllers now (it holds the leader lock). */
  readonly leading: boolean
  /** Resolves when the controllers have nothing left to do (only while leading). */
  settled(timeoutMs?: number): Promise<void>
  /**
   * Shuts down gracefully: readiness fails, new requests get 503, every subscription gets a last
   * SHUTTING_DOWN result, open requests finish (for at most the configured grace period, then
   * their connections are cut), the controllers stop, pending appends commit, the database closes.
   */
  stop(): Promise<void>
}

/** Moments of start-up and shutdown a caller (a test) may look at; each is awaited. */
export interface ServerHooks {
  /** The HTTP server listens; nothing else has started, so it is live but not ready. */
  listening?(url: string): void | Promise<void>
  /** The store is open and migrated; the projection has not started. */
  storeOpened?(store: Store): void | Promise<void>
  /** stop() has begun: readiness fails and new requests are refused; nothing is closed yet. */
  draining?(): void | Promise<void>
}

export interface ServerOptions {
  /** The controllers' clock. @default real time */
  clock?: Clock
  hooks?: ServerHooks
}

/** @default grace period of a shutdown */
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000

/**
 * The composition root. Listens first, so `/livez` answers at once and `/readyz` tells what start-up
 * is waiting for; then opens the store (connect, migrate), starts the projection and waits until it
 * has the head of the log, creates the bootstrap namespaces, starts the controllers (when this
 * process leads) and becomes ready: GraphQL (HTTP, SSE and WebSocket on /graphql) answers 503
 * until then. Also serves `/metrics` (Prometheus). Resolves once ready.
 */
export async function startServer(config: Config, log: Logger, options: ServerOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? realClock
  const hooks = options.hooks ?? {}
  const graceMs = config.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS
  const metrics = new ServerMetrics()
  const limits = config.limits ?? defaultLimits

  let database: Database | undefined
  let store: Store | undefined
  let projection: Projection | undefined
  let caughtUp = false
  let graphql: GraphQLServer | undefined
  let security: Security | undefined
  let rejectRequest: ((rejection: Rejection) => void) | undefined
  let rejections: RejectionLog | undefined
  let rest: RestApi | undefined
  let ready = false
  let draining = false

  const liveness: HealthCheck[] = [{ name: 'ping', run: () => undefined }]
  const readiness: HealthCheck[] = [
    ...liveness,
    {
      name: 'database',
      run: async () => {
        if (!database) return 'not connected yet'
        await sql`select 1`.execute(database.db)
        return undefined
      },
    },
    { name: 'migrations', run: () => (store ? undefined : 'not done yet') },
    {
      name: 'projections',
      // Once caught up at start-up, a projection a few revisions behind under load is still ready.
      run: async () => {
        if (caughtUp) return undefined
        if (!store || !projection) return store ? 'loading the current objects' : 'not started'
        const head = (await store.head()).revision
        if (projection.revision >= head) caughtUp = true
        return caughtUp ? undefined : `at revision ${projection.revision}, the log at ${head}`
      },
    },
    { name: 'bootstrap', run: () => (ready ? undefined : 'bootstrap namespaces and controllers not started yet') },
    { name: 'shutdown', run: () => (draining ? 'the server is shutting down' : undefined) },
  ]

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = pathOf(req)
    if (draining) res.shouldKeepAlive = false
    if (path === GRAPHQL_PATH) {
      if (ready && graphql && !draining) return void graphql.yoga(req, res)
      const requestId = (req.headers['x-request-id'] as string | undefined) || randomUUID()
      log.debug('graphql request refused', { requestId, reason: draining ? 'shutting down' : 'starting' })
      if (draining) return unavailable(res, requestId, 'the server is shutting down', 'SHUTTING_DOWN')
      return unavailable(res, requestId, 'revkube is starting and not ready yet (see /readyz?verbose)', 'UNAVAILABLE')
    }
    route(req, res, path).catch((error) => {
      log.error('request failed', { url: req.url, error })
      if (!res.headersSent) send(res, 500, { message: 'internal error' })
      else res.end()
    })
  }
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = pathOf(req)
    // kubectl exec, attach and port-forward upgrade the connection: say why there is nothing to reach.
    const container = /^\/api\/v1\/namespaces\/[^/]+\/pods\/([^/]+)\/(exec|attach|portforward)$/.exec(path)
    if (container) return refuseUpgrade(socket, '400 Bad Request', noContainers(decodeURIComponent(container[1]!)).toStatus())
    if (path !== GRAPHQL_PATH) return refuseUpgrade(socket, '404 Not Found')
    if (draining || !ready || !graphql) return refuseUpgrade(socket, '503 Service Unavailable')
    graphql.webSockets.handleUpgrade(req, socket, head)
  }
  const http = createServer(handler)
  http.on('upgrade', onUpgrade)

  const openPaths = new Set(config.openPaths ?? ['/livez', '/readyz', '/metrics'])
  const isOpen = (path: string) => openPaths.has(path) || [...openPaths].some((open) => path.startsWith(`${open}/`))

  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    // GraphiQL's scripts and styles are open, like its page on /graphql; every operation it sends needs the token.
    const asset = req.method === 'GET' || req.method === 'HEAD' ? await graphiqlAsset(path) : undefined
    if (asset) {
      res.writeHead(200, {
        'content-type': asset.contentType,
        'content-length': asset.body.length,
        'cache-control': 'public, max-age=86400',
      })
      return void res.end(req.method === 'HEAD' ? undefined : asset.body)
    }
    if (isRestPath(path)) {
      if (rest && ready && !draining) {
        if (!(await rest.handle(req, res, path)))
          sendStatus(res, new StatusError('NotFound', 'the server could not find the requested resource'))
        return
      }
      return sendStatus(
        res,
        new StatusError(
          'ServiceUnavailable',
          draining ? 'the server is shutting down' : 'revkube is starting and not ready yet (see /readyz?verbose)',
        ),
      )
    }
    if (security?.mode !== 'none' && !isOpen(path)) {
      // Paths other than the open ones need a token, like everything on /graphql.
      if (!security) return send(res, 503, { message: 'starting: not ready to authenticate yet' })
      try {
        security.identify({ get: (name) => (req.headers[name] as string | undefined) ?? null, keys: () => Object.keys(req.headers) })
      } catch (error) {
        // 401, or 403/400 for an impersonation that is not allowed or malformed.
        const refused = error instanceof StatusError ? error : new StatusError('Unauthorized', 'Unauthorized')
        rejectRequest?.({
          status: refused.code,
          reason: refused.reason,
          message: refused.message,
          operation: `GET ${path}`,
          sourceAddress: req.socket.remoteAddress,
          userAgent: req.headers['user-agent'],
        })
        return send(res, refused.code, { message: refused.message })
      }
    }
    if (path === '/livez' || path.startsWith('/livez/')) return serveHealth('livez', liveness, url, res)
    if (path === '/readyz' || path.startsWith('/readyz/')) return serveHealth('readyz', readiness, url, res)
    if (path === '/metrics') {
      const body = await metrics.metrics()
      res.writeHead(200, { 'content-type': metrics.contentType })
      return void res.end(body)
    }
    if (path === '/') {
      if (!store) return send(res, 503, { name: 'revkube', message: 'starting: the database is not open yet' })
      const head = await store.head()
      return send(res, 200, {
        name: 'revkube',
        database: store.database.description,
        revision: String(head.revision),
        committedAt: head.committedAt,
      })
    }
    send(res, 404, { message: `no route for ${path}` })
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(config.port, config.host, () => {
      http.off('error', reject)
      resolve()
    })
  })
  const address = http.address() as AddressInfo
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`
  log.debug('listening; starting up', { url })
  let secure: SecureListener | undefined
  try {
    secure = config.securePort ? await listenSecurely(config, keysDir(config), handler, onUpgrade) : undefined
  } catch (error) {
    await closeHttp(http, Date.now())
    throw error
  }

  let leadership: Leadership | undefined
  let plane: ControlPlane | undefined
  let api: ResourceApi
  try {
    await hooks.listening?.(url)
    secureDataFolders(config, log)
    store = await openStore({
      database: config.database,
      log,
      onAppended: metrics.observeAppend,
      onConnected: (d) => (database = d),
      statementTimeoutMs: limits.statementTimeoutMs,
      ...(config.dataDir && { dataDir: config.dataDir }),
    })
    metrics.watchStore(store)
    await hooks.storeOpened?.(store)
    projection = await Projection.start(store, { log })
    metrics.watchProjection(projection)
    await projection.waitFor((await store.head()).revision, 120_000)
    const live = projection
    security = createSecurity({
      mode: config.auth ?? 'none',
      dataDir: keysDir(config),
      tokenFile: config.tokenFile,
      state: () => live.state,
    })
    // The control plane's writes drop unknown fields silently: an object stored before writes were
    // decoded may carry some, and a controller writing it back must not be stuck on them.
    api = new ResourceApi({
      store,
      projection,
      env: { ...realEnvironment, now: () => clock.now() },
      guard: writeGuard(security, () => live.state),
      objectBytes: limits.objectBytes,
      fieldValidation: 'Ignore',
    })
    await bootstrapNamespaces(api)
    if (security.mode === 'token') await ensureDefaultPolicy(api)
    rejections = new RejectionLog(store.database.db, {
      retentionMs: limits.auditRetentionMs,
      onError: (error) => log.warn('could not record or prune refused requests for audit', { error }),
    })
    const reject = rejections.record.bind(rejections)
    rejectRequest = reject
    const services = { api, store, projection, security, reject, rejections }
    graphql = createGraphQLServer(services, log, { observe: metrics.observeOperation, limits })
    rest = createRestApi({
      api,
      security,
      reject,
      log,
      requestBytes: limits.requestBytes,
      minRequestTimeoutMs: limits.minRequestTimeoutMs,
      acquire: (pool) => graphql!.inflight.acquire(pool),
    })
    const { subscriptions, inflight } = graphql
    metrics.watchSubscriptions(() => subscriptions.counts())
    metrics.watchInflight(() => inflight.inflight)
    leadership = config.controllers
      ? runWhenLeader(
          store.database,
          async () => {
            const running = startControlPlane({ api, projection: services.projection, clock, log, stats: metrics.controllers })
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
    // Ready means the projection holds everything written so far, the bootstrap's writes included.
    await live.waitFor((await store.head()).revision, 120_000)
    caughtUp = true
    ready = true
  } catch (error) {
    draining = true
    await leadership?.stop()
    projection?.stop()
    metrics.close()
    await rejections?.close()
    await store?.close().catch(() => {})
    await closeHttp(http, Date.now())
    if (secure) await closeHttp(secure.server, Date.now())
    throw error
  }

  const head = await store.head()
  log.info('revkube is serving', {
    url,
    ...(secure && { secureUrl: secure.url }),
    graphql: `${url}${GRAPHQL_PATH}`,
    database: store.database.description,
    revision: head.revision,
  })
  announceAuth(security!, config, url, log)
  const kubeconfigFile = secure && keysDir(config) ? writeKubeconfig(keysDir(config)!, secure, security!, log) : undefined

  const running = { store, projection, graphql }
  const shutdown = async () => {
    const deadline = Date.now() + graceMs
    draining = true
    await hooks.draining?.()
    const subscriptionsEnded = await running.graphql.subscriptions.close(deadline)
    await running.graphql.webSockets.close(deadline)
    const [requestsEnded, secureEnded] = await Promise.all([closeHttp(http, deadline), secure ? closeHttp(secure.server, deadline) : true])
    if (!subscriptionsEnded || !requestsEnded || !secureEnded) {
      log.warn('shutdown: the grace period ran out; cut the connections still open', { graceSeconds: graceMs / 1000 })
    }
    await leadership?.stop()
    running.projection.stop()
    metrics.close()
    await rejections?.close()
    await running.store.close()
  }
  let stopping: Promise<void> | undefined

  return {
    url,
    ...(secure && { secureUrl: secure.url, certificateAuthority: secure.tls.serverCa }),
    ...(kubeconfigFile && { kubeconfigFile }),
    store,
    api,
    projection,
    security: security!,
    get leading() {
      return leadership?.leading ?? false
    },
    settled: async (timeoutMs) => {
      if (!plane) throw new Error('this process does not run the controllers')
      await plane.settled(timeoutMs)
    },
    stop: () => (stopping ??= shutdown()),
  }
}

/** Where the keys and the admin token live: the configured data folder, the PGlite folder, or (in memory) nowhere. */
function keysDir(config: Config): string | undefined {
  if (config.dataDir) return config.dataDir
  if (config.database.backend === 'pglite' && !config.database.dataDir.startsWith('memory://')) return config.database.dataDir
  return undefined
}

/** Says how to authenticate: where the admin token is (and records it for the CLI on this machine), or loudly that nobody must. */
function announceAuth(security: Security, config: Config, url: string, log: Logger): void {
  if (security.mode === 'none') {
    if (config.auth === 'none')
      log.warn('AUTHENTICATION IS OFF (--auth=none): anyone who can reach this port may read and change everything, Secrets included')
    return
  }
  if (config.cliConfig && security.adminToken) {
    const local = url.replace(/\/\/(0\.0\.0\.0|\[::\])/, '//127.0.0.1')
    rememberServer(config.cliConfig, local, security.adminToken)
  }
  log.info('the admin token (group system:masters) is in the data folder; the revkube CLI on this machine uses it', {
    adminTokenFile: security.adminTokenFile,
    ...(config.cliConfig && { cliConfig: config.cliConfig }),
  })
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/'
  const query = url.indexOf('?')
  return query < 0 ? url : url.slice(0, query)
}

/** GraphQL over HTTP's shape, so clients show the message: `{"errors":[{"message":…,"extensions":{"code":…}}]}`. */
function unavailable(res: ServerResponse, requestId: string, message: string, code: string): void {
  res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1', 'x-request-id': requestId })
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }))
}

function refuseUpgrade(socket: Duplex, status: string, body?: object): void {
  const text = body ? JSON.stringify(body) : ''
  const type = body ? 'Content-Type: application/json\r\n' : ''
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${type}Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`)
}

/** A Kubernetes `Status` answer, for the REST API's paths. */
function sendStatus(res: ServerResponse, error: StatusError): void {
  res.writeHead(error.code, { 'content-type': 'application/json', ...(error.code === 503 && { 'retry-after': '1' }) })
  res.end(JSON.stringify(error.toStatus()))
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/**
 * Stops listening and waits for open requests to finish, closing connections as they fall idle;
 * at `deadline` cuts the rest. Resolves whether every request finished in time.
 */
async function closeHttp(http: Server | HttpsServer, deadline: number): Promise<boolean> {
  const closed = new Promise<void>((resolve) => http.close(() => resolve()))
  http.closeIdleConnections()
  const sweep = setInterval(() => http.closeIdleConnections(), 25)
  let timer: NodeJS.Timeout | undefined
  const inTime = await Promise.race([
    closed.then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())))),
  ])
  clearInterval(sweep)
  clearTimeout(timer)
  if (!inTime) {
    http.closeAllConnections()
    await closed
  }
  return inTime
}
