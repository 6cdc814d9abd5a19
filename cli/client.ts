import { createClient, type Client } from 'graphql-ws'
import WebSocket from 'ws'
import { CliError, ServerError } from './errors.js'

export const DEFAULT_SERVER = 'http://127.0.0.1:4000'

interface GraphQLErrorShape {
  message: string
  extensions?: Record<string, unknown>
}

/** The revkube server as the CLI sees it: GraphQL over HTTP for reads and writes, graphql-ws for watches. */
export class RevkubeClient {
  private ws: Client | undefined
  readonly endpoint: string
  /** Told each warning a response carries (`extensions.warnings`), as kubectl prints `Warning: …` on stderr. */
  onWarning: (warning: string) => void = () => undefined

  constructor(
    readonly server: string,
    private readonly token: string | undefined,
    /** --as: the user to act as, sent as Impersonate-User (the server checks that the caller may impersonate). */
    private readonly as?: string,
  ) {
    let url: URL
    try {
      url = new URL(server)
    } catch {
      throw new CliError(`--server "${server}" is not a URL (expected e.g. http://127.0.0.1:4000)`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`--server "${server}" must be an http:// or https:// URL`)
    this.endpoint = new URL('/graphql', url).toString()
  }

  private headers(): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      'user-agent': 'revkube-cli',
      ...(this.token && { authorization: `Bearer ${this.token}` }),
      ...(this.as && { 'impersonate-user': this.as }),
    }
  }

  /** Runs a query or mutation; a GraphQL error becomes a ServerError with Kubernetes' reason. */
  async request<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response
    try {
      response = await fetch(this.endpoint, { method: 'POST', headers: this.headers(), body: JSON.stringify({ query, variables }) })
    } catch (error) {
      throw this.unreachable(error)
    }
    let body: { data?: T; errors?: GraphQLErrorShape[]; extensions?: { warnings?: unknown } }
    if (response.status === 401) {
      const why = await response.json().then(
        (b: { errors?: GraphQLErrorShape[] }) => b.errors?.[0]?.message,
        () => undefined,
      )
      throw new CliError(
        `You must be logged in to the server (Unauthorized)${why ? `: ${why.replace(/^Unauthorized: /, '')}` : ''}; check --token or $REVKUBE_TOKEN`,
      )
    }
    try {
      body = (await response.json()) as typeof body
    } catch {
      throw new CliError(
        `the server at ${this.server} answered HTTP ${response.status} without a GraphQL response: is it a revkube server?`,
      )
    }
    if (Array.isArray(body.extensions?.warnings)) for (const warning of body.extensions.warnings) this.onWarning(String(warning))
    if (body.errors?.length) throw fromGraphQL(body.errors[0]!)
    if (!body.data) throw new CliError(`the server answered HTTP ${response.status} with no data`)
    return body.data
  }

  /**
   * Runs a subscription over WebSocket; ends when the server completes it or the caller stops iterating.
   * One that reaches its lifetime (EXPIRED) is subscribed again from the revision the server names, in
   * the `fromRevision` variable, as client-go's watchers re-watch: `get -w` and `log --follow` go on.
   */
  async *subscribe<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): AsyncGenerator<T> {
    const client = (this.ws ??= createClient({
      url: this.endpoint.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      connectionParams: { ...(this.token && { authorization: `Bearer ${this.token}` }), ...(this.as && { user: this.as }) },
    }))
    for (let current = variables; ; ) {
      const iterator = client.iterate<T>({ query, variables: current })
      let resumeFrom: string | undefined
      try {
        for (;;) {
          let next: Awaited<ReturnType<typeof iterator.next>>
          try {
            next = await iterator.next()
          } catch (error) {
            throw this.streamError(error)
          }
          if (next.done) return
          const error = next.value.errors?.[0] as GraphQLErrorShape | undefined
          if (error?.extensions?.code === 'EXPIRED' && typeof error.extensions.revision === 'string') {
            resumeFrom = error.extensions.revision
            break
          }
          if (error) throw fromGraphQL(error)
          if (next.value.data) yield next.value.data
        }
      } finally {
        await iterator.return?.()
      }
      current = { ...current, fromRevision: resumeFrom }
    }
  }

  async close(): Promise<void> {
    await this.ws?.dispose()
  }

  private unreachable(error: unknown): CliError {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    const why = cause?.code ?? cause?.message ?? (error as Error).message
    return new CliError(
      `cannot reach the revkube server at ${this.server} (${why}): is it running? Start one with "revkube server", or pass --server`,
    )
  }

  private streamError(error: unknown): CliError {
    if (Array.isArray(error) && error[0]) return fromGraphQL(error[0] as GraphQLErrorShape)
    if (error instanceof Error) return this.unreachable(error)
    const close = error as { code?: number; reason?: string }
    if (close?.code === 4401) return new CliError('You must be logged in to the server (Unauthorized): check --token or $REVKUBE_TOKEN')
    // 4403 and 4400: an impersonation (--as) the server refused; the reason says why.
    if ((close?.code === 4403 || close?.code === 4400) && close.reason)
      return new ServerError(close.code === 4403 ? 'Forbidden' : 'BadRequest', close.reason)
    if (close?.code !== undefined)
      return new CliError(`the watch was closed by the server (${close.code}${close.reason ? `: ${close.reason}` : ''})`)
    return this.unreachable(error)
  }
}

const reasons: Record<string, string> = {
  NOT_FOUND: 'NotFound',
  ALREADY_EXISTS: 'AlreadyExists',
  CONFLICT: 'Conflict',
  INVALID: 'Invalid',
  FORBIDDEN: 'Forbidden',
  UNAUTHENTICATED: 'Unauthorized',
  GONE: 'Gone',
  BAD_REQUEST: 'BadRequest',
  BAD_USER_INPUT: 'BadRequest',
  GRAPHQL_VALIDATION_FAILED: 'BadRequest',
  TOO_MANY_REQUESTS: 'TooManyRequests',
  UNAVAILABLE: 'ServiceUnavailable',
  SHUTTING_DOWN: 'ServiceUnavailable',
}

function fromGraphQL(error: GraphQLErrorShape): ServerError {
  const extensions = error.extensions ?? {}
  const reason = typeof extensions.reason === 'string' ? extensions.reason : (reasons[String(extensions.code)] ?? 'InternalError')
  return new ServerError(reason, error.message, extensions)
}
