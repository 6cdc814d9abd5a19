import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { GraphQLError } from 'graphql'
import type { Context as WsContext } from 'graphql-ws'
import { useServer } from 'graphql-ws/use/ws'
import { createYoga, maskError as yogaMask, type Plugin, type YogaServerInstance } from 'graphql-yoga'
import { WebSocketServer } from 'ws'
import type { RequestContext } from '../services/api/context.js'
import type { Logger } from '../services/log.js'
import { createContext, type ContextServices, type GraphQLContext } from './context.js'
import { maskError } from './errors.js'
import { costLimit, depthLimit, limits } from './limits.js'
import { OpenSubscriptions, SHUTTING_DOWN } from './open-subscriptions.js'
import { RequestTelemetry, type OperationObserver } from './request-telemetry.js'
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

/** Who is asking, until real authentication exists: an authenticating proxy's X-Remote-User header, else "anonymous". */
function requestContext(headers: { get(name: string): string | null | undefined }, params: Record<string, unknown> | undefined, requestId: string): RequestContext {
  const user = headers.get('x-remote-user') ?? (typeof params?.user === 'string' ? params.user : undefined)
  return { actor: user || 'anonymous', requestId }
}

function nodeHeaders(req: IncomingMessage | undefined) {
  return { get: (name: string) => (req?.headers[name] as string | undefined) ?? null }
}

/** Depth and cost limits on every operation, HTTP and WebSocket alike. */
const limitsPlugin: Plugin = {
  onValidate({ addValidationRule }) {
    addValidationRule(depthLimit)
    addValidationRule(costLimit)
  },
}

export interface GraphQLServer {
  yoga: YogaServerInstance<Record<string, unknown>, GraphQLContext>
  /** The subscriptions open on this server; `close()` ends them with a last SHUTTING_DOWN result. */
  subscriptions: OpenSubscriptions
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
}

/**
 * graphql-yoga with GraphiQL, SSE subscriptions, and graphql-ws over the same schema and plugins
 * (through yoga's envelop, so masking, limits, request logs and the shutdown message apply to
 * WebSocket operations too).
 */
export function createGraphQLServer(services: ContextServices, log: Logger, options: GraphQLServerOptions = {}): GraphQLServer {
  const telemetry = new RequestTelemetry({ log, ...(options.observe && { observe: options.observe }) })
  const subscriptions = new OpenSubscriptions()
  const yoga = createYoga<Record<string, unknown>, GraphQLContext>({
    schema: buildSchema() as never,
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: { defaultQuery: examples, subscriptionsProtocol: 'WS', title: 'revkube' },
    landingPage: false,
    maxRequestBodySize: limits.bodyBytes,
    maskedErrors: {
      maskError: (error, message, isDev) =>
        maskError(error, (e) => yogaMask(e, message, isDev), (unexpected) => log.error('graphql: unexpected error', { error: unexpected })),
    },
    // Yoga reports clients' errors too; unexpected ones are logged by maskError above.
    logging: {
      debug: (...args) => log.debug(args.map(String).join(' ')),
      info: (...args) => log.debug(args.map(String).join(' ')),
      warn: (...args) => log.debug(args.map(String).join(' ')),
      error: (...args) => log.debug(args.map(String).join(' ')),
    },
    context: (initial) => {
      const fetchRequest = (initial as { request?: Request }).request
      const headers = fetchRequest?.headers ?? nodeHeaders((initial as { req?: IncomingMessage }).req)
      const params = (initial as { connectionParams?: Record<string, unknown> }).connectionParams
      const operation = telemetry.operationFor(initial as { request?: Request }, headers)
      const context = createContext(services, requestContext(headers, params, operation.requestId))
      telemetry.link(context.request, operation)
      return context
    },
    plugins: [limitsPlugin, telemetry.plugin, subscriptions.plugin],
  })

  return { yoga, subscriptions, webSockets: serveWebSockets(yoga) }
}

function serveWebSockets(yoga: GraphQLServer['yoga']): GraphQLWebSockets {
  const wss = new WebSocketServer({ noServer: true })
  const connections = new Set<WsContext>()
  const server = useServer(
    {
      onConnect: (ctx) => {
        connections.add(ctx)
      },
      onClose: (ctx) => {
        connections.delete(ctx)
      },
      execute: (args) => (args.rootValue as { execute: (a: unknown) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: unknown) => unknown }).subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        // graphql-ws lists the operation being subscribed in ctx.subscriptions already.
        if (Object.keys(ctx.subscriptions).length > limits.subscriptionsPerConnection) {
          return [new GraphQLError(`this connection already holds ${limits.subscriptionsPerConnection} subscriptions, the limit`, { extensions: { code: 'BAD_REQUEST' } })]
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
    handleUpgrade: (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)),
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
