import { randomUUID } from 'node:crypto'
import type { IncomingMessage, Server } from 'node:http'
import { GraphQLError } from 'graphql'
import { useServer } from 'graphql-ws/use/ws'
import { createYoga, maskError as yogaMask, type Plugin, type YogaServerInstance } from 'graphql-yoga'
import { WebSocketServer } from 'ws'
import type { RequestContext } from '../services/api/context.js'
import type { Logger } from '../services/log.js'
import { createContext, type ContextServices, type GraphQLContext } from './context.js'
import { maskError } from './errors.js'
import { costLimit, depthLimit, limits } from './limits.js'
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
function requestContext(headers: { get(name: string): string | null | undefined }, params?: Record<string, unknown>): RequestContext {
  const user = headers.get('x-remote-user') ?? (typeof params?.user === 'string' ? params.user : undefined)
  const requestId = headers.get('x-request-id') ?? randomUUID()
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
  /** Serves graphql-ws on the HTTP server's /graphql; returns the function that closes it. */
  attachWebSockets(http: Server): () => Promise<void>
}

/**
 * graphql-yoga with GraphiQL, SSE subscriptions, and graphql-ws over the same schema and plugins
 * (through yoga's envelop, so masking and limits apply to WebSocket operations too).
 */
export function createGraphQLServer(services: ContextServices, log: Logger): GraphQLServer {
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
      return createContext(services, requestContext(headers, params))
    },
    plugins: [limitsPlugin],
  })

  return {
    yoga,
    attachWebSockets: (http) => {
      const wss = new WebSocketServer({ server: http, path: GRAPHQL_PATH })
      const server = useServer(
        {
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
      return async () => {
        await server.dispose()
        await new Promise<void>((resolve) => wss.close(() => resolve()))
      }
    },
  }
}
