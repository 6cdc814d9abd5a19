import { createClient } from 'graphql-ws'
import WebSocket from 'ws'
import type { GraphQLResult } from './graphql.js'

export type SubscriptionTransport = 'sse' | 'ws'

/** How a subscription's stream ended: the server completed it, failed it, or the connection went. */
export type StreamEnd = { how: 'complete' } | { how: 'error'; error: unknown } | { how: 'closed'; code?: number; reason?: string }

/** One subscription from a real client: its results as they arrive, and how it ended. */
export interface ClientSubscription {
  readonly results: GraphQLResult[]
  /** Resolves when the stream ends, however it ends. */
  readonly ended: Promise<StreamEnd>
  /** Leaves (the client goes away). */
  close(): void
}

export interface SubscribeOptions {
  /** `Authorization: Bearer <token>`: a header over SSE, the connection_init payload over WebSocket. */
  token?: string
  variables?: Record<string, unknown>
  /** Headers of the HTTP request (SSE) or of the WebSocket's upgrade request. */
  headers?: Record<string, string>
  /** More of the connection_init payload (WebSocket), e.g. `user` to impersonate. */
  connectionParams?: Record<string, unknown>
}

/** Subscribes over GraphQL-over-SSE (a POST answered with text/event-stream) or graphql-ws, to `url` (…/graphql). */
export function subscribe(
  transport: SubscriptionTransport,
  url: string,
  query: string,
  options: SubscribeOptions = {},
): ClientSubscription {
  return transport === 'sse' ? subscribeSse(url, query, options) : subscribeWs(url, query, options)
}

function subscribeSse(url: string, query: string, options: SubscribeOptions): ClientSubscription {
  const results: GraphQLResult[] = []
  const controller = new AbortController()
  const ended = (async (): Promise<StreamEnd> => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(options.token && { authorization: `Bearer ${options.token}` }),
          ...options.headers,
        },
        body: JSON.stringify({ query, variables: options.variables ?? {} }),
        signal: controller.signal,
      })
      if (!response.headers.get('content-type')?.includes('text/event-stream')) {
        results.push((await response.json()) as GraphQLResult)
        return { how: 'closed', code: response.status }
      }
      const reader = response.body!.getReader()
      const decoder = new TextDecoder()
      let buffer = ''
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return { how: 'closed' }
        buffer += decoder.decode(value, { stream: true })
        let boundary: number
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, boundary)
          buffer = buffer.slice(boundary + 2)
          const event = /^event: (.*)$/m.exec(frame)?.[1]
          const data = /^data: (.*)$/m.exec(frame)?.[1]
          if (event === 'next' && data) results.push(JSON.parse(data) as GraphQLResult)
          if (event === 'complete') {
            await reader.cancel()
            return { how: 'complete' }
          }
        }
      }
    } catch (error) {
      return controller.signal.aborted ? { how: 'closed' } : { how: 'error', error }
    }
  })()
  return { results, ended, close: () => controller.abort() }
}

function subscribeWs(url: string, query: string, options: SubscribeOptions): ClientSubscription {
  const results: GraphQLResult[] = []
  class WithHeaders extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: options.headers ?? {} })
    }
  }
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WithHeaders,
    connectionParams: { ...(options.token && { authorization: `Bearer ${options.token}` }), ...options.connectionParams },
    lazy: true,
    retryAttempts: 0,
  })
  const ended = new Promise<StreamEnd>((resolve) => {
    client.subscribe(
      { query, variables: options.variables ?? {} },
      {
        next: (result) => void results.push(result as GraphQLResult),
        complete: () => resolve({ how: 'complete' }),
        // graphql-ws fails the sink with the CloseEvent when the socket closes.
        error: (error) => {
          const close = error as { code?: unknown; reason?: unknown }
          resolve(
            typeof close?.code === 'number'
              ? { how: 'closed', code: close.code, reason: String(close.reason ?? '') }
              : { how: 'error', error },
          )
        },
      },
    )
  })
  void ended.then(() => client.dispose())
  return { results, ended, close: () => void client.dispose() }
}
