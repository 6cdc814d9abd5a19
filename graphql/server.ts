import { STATUS_CODES, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { GraphQLError, type DocumentNode, type OperationDefinitionNode } from 'graphql'
import type { Context as WsContext } from 'graphql-ws'
import { useServer } from 'graphql-ws/use/ws'
import { createYoga, maskError as yogaMask, type Plugin, type YogaServerInstance } from 'graphql-yoga'
import { WebSocketServer } from 'ws'
import type { RequestContext } from '../services/api/context.js'
import type { Security } from '../services/auth/security.js'
import type { UserInfo } from '../services/auth/user.js'
import { StatusError } from '../services/errors.js'
import { certificateOf } from '../services/auth/certificates.js'
import { defaultLimits, type Limits } from '../services/limits.js'
import type { Logger } from '../services/log.js'
import { createContext, type ContextServices, type GraphQLContext } from './context.js'
import { useAuthenticationFirst, WWW_AUTHENTICATE } from './authentication.js'
import { BoundedDocumentCache, useDocumentLimits } from './document-limits.js'
import { maskError } from './errors.js'
import { renderGraphiQL } from './graphiql.js'
import { InflightLimit } from './inflight-limit.js'
import { costError, depthLimit, fixedLimits, inputError } from './limits.js'
import { OpenSubscriptions, SHUTTING_DOWN } from './open-subscriptions.js'
import { RequestTelemetry, type OperationObserver } from './request-telemetry.js'
import { subscriptionTerms } from './subscription-terms.js'
import { useWarnings } from './warnings.js'
import { buildSchema } from './schema.js'

export const GRAPHQL_PATH = '/graphql'

const examples = /* GraphQL */ `# revkube: the cluster as an event log, at any revision.
# Try the queries below (select one and run), then open the Docs panel.

query Now {
  revision { revision time }
  objects(kind: "pods", first: 20) {
    revision
    edges { node { kind metadata { namespace name } revision ... on Pod { phase node { metadata { name } } } } }
  }
}

query AsOfAMoment {
  objects(kind: "deployments", at: { time: "2026-11-26T14:02:00Z" }) {
    edges { node { metadata { name } ... on Deployment { replicas images } } }
  }
}

query WhoChangedIt {
  history(kind: "deploy", namespace: "default", name: "web") { revision time type actor reason diff }
}

query WhatChanged {
  changes(from: { revision: "1" }, to: { revision: "100" }) { type kind namespace name diff }
}

mutation Apply {
  apply(manifest: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: hello, namespace: default}\\ndata: {greeting: hi}\\n") { kind metadata { name } revision }
}

subscription WatchPods {
  watch(kind: "pods") { type revision object { metadata { namespace name } } }
}
`

type Headers = { get(name: string): string | null | undefined; keys(): Iterable<string> }

/**
 * Who is asking: the user the bearer token (and any impersonation) names, checked on every
 * request; with --auth=none, whoever Impersonate-User or X-Remote-User says, unchecked. Unauthenticated requests fail
 * here, before anything runs, with UNAUTHENTICATED and HTTP 401.
 */
function requestContext(
  security: Security,
  headers: Headers,
  params: Record<string, unknown> | undefined,
  requestId: string,
  sourceAddress: string | undefined,
  certificate: UserInfo | undefined,
): RequestContext {
  let user: UserInfo
  try {
    user = security.identify(headers, params, certificate)
  } catch (error) {
    throw authenticationError(error)
  }
  const userAgent = headers.get('user-agent') ?? undefined
  const client = { ...(sourceAddress && { sourceAddress }), ...(userAgent && { userAgent }) }
  if (security.mode === 'none') return { actor: user.name, requestId, ...client }
  return { actor: user.name, groups: user.groups, user, requestId, ...client }
}

/** Unauthorized (401), Forbidden (403: impersonation not allowed) or BadRequest (400: impersonation without a user). */
function authenticationError(error: unknown): GraphQLError {
  if (!(error instanceof StatusError)) throw error
  const status = error.code
  return new GraphQLError(error.message, {
    extensions: {
      code: status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST',
      reason: error.reason,
      status,
      http: { status, ...(status === 401 && { headers: { 'www-authenticate': 'Bearer realm="revkube"' } }) },
    },
  })
}

function nodeHeaders(req: IncomingMessage | undefined): Headers {
  return { get: (name: string) => (req?.headers[name] as string | undefined) ?? null, keys: () => Object.keys(req?.headers ?? {}) }
}

/**
 * Depth (when validating) and cost (before running, once the variables are known) of every
 * operation, HTTP and WebSocket alike, and inputs that cannot be stored.
 */
function useOperationLimits(limits: Limits): Plugin {
  const refusal = (args: Parameters<typeof costError>[0] & { variableValues?: unknown }) =>
    inputError(args.document, args.variableValues) ?? costError(args, limits)
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(depthLimit(limits.queryDepth))
    },
    onExecute({ args, setResultAndStopExecution }) {
      const refused = refusal(args)
      if (refused) setResultAndStopExecution({ errors: [refused] })
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = refusal(args)
      if (refused) setResultAndStopExecution({ errors: [refused] })
    },
  }
}

export interface GraphQLServer {
  yoga: YogaServerInstance<Record<string, unknown>, GraphQLContext>
  /** The subscriptions open on this server; `close()` ends them with a last SHUTTING_DOWN result. */
  subscriptions: OpenSubscriptions
  /** The operations running now, by pool (reads, mutations), each bounded. */
  inflight: InflightLimit
  /** graphql-ws on /graphql: hand it the HTTP server's upgrade requests for that path. */
  webSockets: GraphQLWebSockets
}

export interface GraphQLWebSockets {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /**
   * Closes every connection with 1001 "the server is shutting down", once their operations have
   * ended (or at `deadline`, epoch ms), and stops serving WebSockets.
   */
  close(deadline: number): Promise<void>
}

export interface GraphQLServerOptions {
  /** Told of every finished operation (type, name, seconds), e.g. for a latency histogram. */
  observe?: OperationObserver
  /** Bounds on documents, bodies, messages and subscriptions. @default defaultLimits */
  limits?: Limits
}

/**
 * graphql-yoga with GraphiQL, SSE subscriptions, and graphql-ws over the same schema and plugins
 * (through yoga's envelop, so masking, limits, request logs and the shutdown message apply to
 * WebSocket operations too).
 */
export function createGraphQLServer(services: ContextServices, log: Logger, options: GraphQLServerOptions = {}): GraphQLServer {
  const limits = options.limits ?? defaultLimits
  const telemetry = new RequestTelemetry({ log, ...(options.observe && { observe: options.observe }) })
  const inflight = new InflightLimit({ reads: limits.maxRequestsInflight, mutations: limits.maxMutatingRequestsInflight })
  const terms = subscriptionTerms({ changes: services.projection.changes, minLifetimeMs: limits.minRequestTimeoutMs, log })
  const subscriptions = new OpenSubscriptions({ ending: (context) => terms(context as GraphQLContext) })
  const yoga = createYoga<Record<string, unknown>, GraphQLContext>({
    schema: buildSchema() as never,
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: { defaultQuery: examples, subscriptionsProtocol: 'WS', title: 'revkube' },
    renderGraphiQL,
    landingPage: false,
    maxRequestBodySize: limits.requestBytes,
    // Parsed documents are cached by their text: keep only small ones, within a bounded total.
    parserAndValidationCache: { documentCache: new BoundedDocumentCache(), errorCache: new BoundedDocumentCache() },
    maskedErrors: {
      maskError: (error, message, isDev) =>
        maskError(
          error,
          (e) => yogaMask(e, message, isDev),
          (unexpected) => log.error('graphql: unexpected error', { error: unexpected }),
        ),
    },
    // Yoga reports every error it masks, clients' errors too, whose messages may quote what the
    // request carried: those are not logged. Unexpected ones are logged by maskError above.
    logging: {
      debug: (...args) => log.debug(args.map(String).join(' ')),
      info: (...args) => log.debug(args.map(String).join(' ')),
      warn: (...args) => log.debug(args.map(String).join(' ')),
      error: () => {},
    },
    context: (initial) => {
      const fetchRequest = (initial as { request?: Request }).request
      const headers = fetchRequest?.headers ?? nodeHeaders((initial as { req?: IncomingMessage }).req)
      const params = (initial as { connectionParams?: Record<string, unknown> }).connectionParams
      const operation = telemetry.operationFor(initial as { request?: Request }, headers)
      const req = (initial as { req?: IncomingMessage }).req ?? (initial as { extra?: { request?: IncomingMessage } }).extra?.request
      const certificate = certificateOf(req)
      let request: RequestContext
      try {
        request = requestContext(services.security, headers, params, operation.requestId, req?.socket?.remoteAddress, certificate)
      } catch (error) {
        const e = error as GraphQLError
        services.reject({
          status: Number(e.extensions?.status ?? 401),
          reason: String(e.extensions?.reason ?? 'Unauthorized'),
          message: e.message,
          requestId: operation.requestId,
          sourceAddress: req?.socket?.remoteAddress,
          userAgent: headers.get('user-agent') ?? undefined,
        })
        throw error
      }
      const context = createContext(services, request, limits)
      context.credentials = {
        recheck: () => void services.security.identify(headers, params, certificate),
        expiresAt: () => services.security.expiresAt(headers, params),
      }
      telemetry.link(context.request, operation)
      return context
    },
    // Authentication first (after telemetry has given the request its id): nothing is parsed for a caller without a token.
    plugins: [
      telemetry.plugin,
      useAuthenticationFirst(services.security, services.reject),
      useDocumentLimits(limits.documentTokens),
      useOperationLimits(limits),
      inflight.plugin,
      subscriptions.plugin,
      auditPlugin,
      useWarnings(),
    ],
  })

  return { yoga, subscriptions, inflight, webSockets: serveWebSockets(yoga, services, limits) }
}

/** Reasons a refused request is audited for: it was not allowed, or not valid. */
const AUDITED: Record<string, true> = { Forbidden: true, Invalid: true, Unauthorized: true }

/** Records every operation refused with Forbidden, Invalid or Unauthorized in the audit table (not the event log). */
const auditPlugin: Plugin<GraphQLContext> = {
  onExecute({ args }) {
    return { onExecuteDone: ({ result }) => auditResult(args.contextValue, args.document, result) }
  },
  onSubscribe({ args }) {
    return {
      onSubscribeResult: ({ result }) => auditResult(args.contextValue, args.document, result),
      onSubscribeError: ({ error }) => auditResult(args.contextValue, args.document, { errors: [error as GraphQLError] }),
    }
  },
}

function auditResult(ctx: GraphQLContext, document: DocumentNode, result: unknown): void {
  const errors = (result as { errors?: readonly GraphQLError[] } | undefined)?.errors
  if (!errors) return
  for (const error of errors) {
    const original = error.originalError
    if (!(original instanceof StatusError) || !AUDITED[original.reason]) continue
    const definition = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode | undefined
    ctx.reject({
      user: ctx.request.actor,
      groups: ctx.request.groups,
      sourceAddress: ctx.request.sourceAddress,
      userAgent: ctx.request.userAgent,
      requestId: ctx.request.requestId,
      operation: `${definition?.operation ?? 'query'} ${definition?.name?.value ?? error.path?.[0] ?? 'anonymous'}`,
      status: original.code,
      reason: original.reason,
      message: original.message,
    })
  }
}

/** A WebSocket close reason: at most 123 bytes of UTF-8, cut at a character boundary. */
function closeReason(message: string): string {
  let reason = message
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1)
  return reason
}

function serveWebSockets(yoga: GraphQLServer['yoga'], services: ContextServices, limits: Limits): GraphQLWebSockets {
  const security = services.security
  // No message larger than a request body is read, before authentication or after (ws closes with 1009).
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.requestBytes })
  const connections = new Set<WsContext>()
  const server = useServer(
    {
      onConnect: (ctx) => {
        // The token comes in the connection_init payload ({"authorization": "Bearer …"}) or the upgrade's headers.
        try {
          security.identify(nodeHeaders(ctx.extra.request), ctx.connectionParams, certificateOf(ctx.extra.request))
        } catch (error) {
          // Refused as over HTTP: 401, 403 (impersonation not allowed) or 400; closed with graphql-ws' 4401, 4403 or 4400.
          const refused = error instanceof StatusError ? error : new StatusError('InternalError', 'Internal server error')
          const { remoteAddress } = ctx.extra.request.socket
          services.reject({
            status: refused.code,
            reason: refused.reason,
            message: refused.message,
            operation: 'websocket connection_init',
            sourceAddress: remoteAddress,
            userAgent: ctx.extra.request.headers['user-agent'],
          })
          ctx.extra.socket.close(4000 + refused.code, closeReason(refused.message))
          return false
        }
        connections.add(ctx)
        return true
      },
      onClose: (ctx) => {
        connections.delete(ctx)
      },
      execute: (args) => (args.rootValue as { execute: (a: unknown) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: unknown) => unknown }).subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        // graphql-ws lists the operation being subscribed in ctx.subscriptions already.
        if (Object.keys(ctx.subscriptions).length > fixedLimits.subscriptionsPerConnection) {
          return [
            new GraphQLError(`this connection already holds ${fixedLimits.subscriptionsPerConnection} subscriptions, the limit`, {
              extensions: { code: 'BAD_REQUEST' },
            }),
          ]
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
          connectionParams: ctx.connectionParams,
        })
        let document
        try {
          document = parse(params.query)
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))]
        }
        const errors = validate(schema, document)
        if (errors.length > 0) return errors
        return {
          schema,
          operationName: params.operationName ?? null,
          document,
          variableValues: params.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        }
      },
    },
    wss,
  )
  return {
    handleUpgrade: (req, socket, head) => {
      // A token in the upgrade's headers is checked now, as over HTTP; without one, connection_init must bring it.
      if (req.headers.authorization !== undefined) {
        try {
          security.identify(nodeHeaders(req), undefined, certificateOf(req))
        } catch (error) {
          const refused = error instanceof StatusError ? error : new StatusError('InternalError', 'Internal server error')
          services.reject({
            status: refused.code,
            reason: refused.reason,
            message: refused.message,
            operation: 'websocket upgrade',
            sourceAddress: req.socket.remoteAddress,
            userAgent: req.headers['user-agent'],
          })
          const challenge = refused.code === 401 ? `WWW-Authenticate: ${WWW_AUTHENTICATE}\r\n` : ''
          return void socket.end(
            `HTTP/1.1 ${refused.code} ${STATUS_CODES[refused.code]}\r\n${challenge}Connection: close\r\nContent-Length: 0\r\n\r\n`,
          )
        }
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
    },
    close: async (deadline) => {
      // Each subscription has sent its last result; let graphql-ws send its `complete` before the socket goes.
      const busy = () => [...connections].some((c) => Object.keys(c.subscriptions).length > 0)
      while (busy() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
      for (const client of wss.clients) client.close(1001, SHUTTING_DOWN)
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
      for (const client of wss.clients) client.terminate()
      await server.dispose()
    },
  }
}
