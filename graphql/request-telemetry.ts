import { randomUUID } from 'node:crypto'
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql'
import { isAsyncIterable, type Plugin } from 'graphql-yoga'
import type { Logger } from '../services/log.js'

/** Told of every finished GraphQL operation (e.g. a latency histogram). */
export type OperationObserver = (operationType: string, operationName: string, seconds: number) => void

export interface RequestTelemetryOptions {
  log: Logger
  observe?: OperationObserver
  /**
   * Distinct operation names reported to `observe`; later ones are reported as "other", so clients
   * inventing names cannot grow the metrics without bound. @default 100
   */
  maxOperationNames?: number
}

/** One GraphQL operation on its way through the server. */
export interface Operation {
  /** The client's X-Request-Id, else a new UUID. */
  readonly requestId: string
  readonly transport: 'http' | 'ws'
  readonly started: number
  type: string
  name: string
  errors?: ExecutionResult['errors']
}

type Headers = { get(name: string): string | null | undefined }

/** Operation names reported as themselves; any other (longer, or not a GraphQL name) is reported as "other". */
const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/

/** Requests refused for want of a valid token are reported under this name: their own names are never read. */
export const UNAUTHENTICATED = 'unauthenticated'

/**
 * Request ids, logs and latency of GraphQL operations, as a yoga plugin. Over HTTP an operation
 * is the request: it gets its id on arrival, the response carries it back in `x-request-id`, and
 * it is logged and timed when the response is ready (for a subscription: once it is set up).
 * Over graphql-ws each operation is timed from its context to its result. Successes are logged at
 * debug, clients' mistakes at warn, server failures at error.
 */
export class RequestTelemetry {
  private readonly byRequest = new WeakMap<Request, Operation>()
  private readonly byContext = new WeakMap<object, Operation>()
  private readonly names = new Set<string>()

  constructor(private readonly options: RequestTelemetryOptions) {}

  /**
   * The operation whose context is being built from yoga's initial context: the HTTP request's,
   * or a new one for a graphql-ws operation.
   */
  operationFor(initial: { request?: Request }, headers: Headers): Operation {
    const http = initial.request && this.byRequest.get(initial.request)
    if (http) return http
    return {
      requestId: headers.get('x-request-id') || randomUUID(),
      transport: 'ws',
      started: performance.now(),
      type: 'unknown',
      name: 'anonymous',
    }
  }

  /** Ties the operation to a key its GraphQL context carries (the context's RequestContext). */
  link(key: object, operation: Operation): void {
    this.byContext.set(key, operation)
  }

  readonly plugin: Plugin = {
    onRequest: ({ request }) => {
      this.byRequest.set(request, {
        requestId: request.headers.get('x-request-id') || randomUUID(),
        transport: 'http',
        started: performance.now(),
        type: 'unknown',
        name: 'anonymous',
      })
    },
    onParams: ({ request, params }) => {
      const operation = this.byRequest.get(request)
      if (operation && params.operationName) operation.name = NAME.test(params.operationName) ? params.operationName : 'other'
    },
    onExecute: ({ args }) => {
      const operation = this.describe(args.contextValue, args.document, args.operationName)
      if (operation?.transport !== 'ws') return
      return {
        onExecuteDone: ({ result }) => {
          if (!isAsyncIterable(result)) this.finish(operation, result.errors)
        },
      }
    },
    onSubscribe: ({ args }) => {
      const operation = this.describe(args.contextValue, args.document, args.operationName)
      if (operation?.transport !== 'ws') return
      return { onSubscribeResult: ({ result }) => this.finish(operation, isAsyncIterable(result) ? undefined : result.errors) }
    },
    onExecutionResult: ({ request, result }) => {
      const operation = this.byRequest.get(request)
      if (operation && !isAsyncIterable(result) && !Array.isArray(result)) operation.errors = (result as ExecutionResult).errors
    },
    onResponse: ({ request, response }) => {
      const operation = this.byRequest.get(request)
      if (!operation) return
      response.headers.set('x-request-id', operation.requestId)
      if (response.status === 401) operation.name = UNAUTHENTICATED
      this.finish(operation, operation.errors, response.status)
    },
  }

  private describe(context: unknown, document: DocumentNode, operationName: string | null | undefined): Operation | undefined {
    const key = (context as { request?: object }).request
    const operation = key && this.byContext.get(key)
    if (!operation) return undefined
    const ast = getOperationAST(document, operationName)
    if (ast) {
      operation.type = ast.operation
      operation.name = ast.name ? (NAME.test(ast.name.value) ? ast.name.value : 'other') : 'anonymous'
    }
    return operation
  }

  private finish(operation: Operation, errors: ExecutionResult['errors'], status?: number): void {
    const seconds = (performance.now() - operation.started) / 1000
    this.options.observe?.(operation.type, this.capped(operation.name), seconds)
    const fields = {
      requestId: operation.requestId,
      transport: operation.transport,
      operationType: operation.type,
      operationName: operation.name,
      durationMs: Math.round(seconds * 10_000) / 10,
      ...(status !== undefined && { status }),
    }
    const { log } = this.options
    if (status === 401 || status === 429) {
      // Anyone can send these as fast as they like, and an overload brings 429s by the thousand: not worth a warning each.
      log.debug('graphql request refused', fields)
    } else if (errors && errors.length > 0) {
      // Codes, not messages: a message may quote what the request carried (a patch, a Secret's
      // value). The client has it; the request id ties the two together.
      const described = errors.map((e) => ({
        code: String(e.extensions?.code ?? 'UNKNOWN'),
        ...(e.extensions?.reason !== undefined && { reason: String(e.extensions.reason) }),
        ...(e.path && { path: e.path.join('.') }),
      }))
      const serverFault = (status ?? 200) >= 500 || described.some((e) => e.code === 'INTERNAL_SERVER_ERROR' || e.code === 'UNAVAILABLE')
      log[serverFault ? 'error' : 'warn']('graphql request failed', { ...fields, errors: described })
    } else if (status !== undefined && status >= 400) {
      log[status >= 500 ? 'error' : 'warn']('graphql request failed', fields)
    } else {
      log.debug('graphql request', fields)
    }
  }

  private capped(name: string): string {
    if (this.names.has(name)) return name
    if (this.names.size >= (this.options.maxOperationNames ?? 100)) return 'other'
    this.names.add(name)
    return name
  }
}
