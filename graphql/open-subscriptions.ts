import { GraphQLError, type ExecutionResult } from 'graphql'
import { isAsyncIterable, type Plugin } from 'graphql-yoga'

/** How a subscription reaches its client: GraphQL over SSE (HTTP) or graphql-ws (WebSocket). */
export type Transport = 'sse' | 'ws'

export const SHUTTING_DOWN = 'the server is shutting down'

const CLOSED = Symbol('closed')

/**
 * The subscriptions open on one server, counted by transport, and their orderly end: `close()`
 * makes each one send a last result, `{"errors":[{"message":"the server is shutting down",
 * "extensions":{"code":"SHUTTING_DOWN"}}]}`, and complete, so a client learns why its stream
 * ended and can resume elsewhere. Install `plugin` in yoga; it wraps every subscription's result
 * stream, on HTTP and WebSocket alike.
 */
export class OpenSubscriptions {
  private readonly open: Record<Transport, number> = { sse: 0, ws: 0 }
  private signalClose: () => void = () => {}
  private readonly closed = new Promise<typeof CLOSED>((resolve) => (this.signalClose = () => resolve(CLOSED)))
  private closing = false
  private readonly idle: Array<() => void> = []

  readonly plugin: Plugin = {
    onSubscribe: ({ args }) => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (isAsyncIterable(result)) setResult(this.track(result[Symbol.asyncIterator](), transportOf(args.contextValue)))
      },
    }),
  }

  /** Open subscriptions by transport. */
  counts(): Readonly<Record<Transport, number>> {
    return { ...this.open }
  }

  get size(): number {
    return this.open.sse + this.open.ws
  }

  /**
   * Ends every open subscription, and any started from now on, with the shutting-down result.
   * Resolves true once all have ended, false if some were still open at `deadline` (epoch ms).
   */
  async close(deadline: number): Promise<boolean> {
    this.closing = true
    this.signalClose()
    if (this.size === 0) return true
    let timer: NodeJS.Timeout | undefined
    const ended = await Promise.race([
      new Promise<true>((resolve) => this.idle.push(() => resolve(true))),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())))),
    ])
    clearTimeout(timer)
    return ended
  }

  private track(source: AsyncIterator<ExecutionResult>, transport: Transport): AsyncIterableIterator<ExecutionResult> {
    this.open[transport]++
    let state: 'open' | 'last' | 'done' = 'open'
    const finish = () => {
      if (state === 'done') return
      state = 'done'
      this.open[transport]--
      if (this.size === 0) for (const wake of this.idle.splice(0)) wake()
    }
    const last = (): IteratorResult<ExecutionResult> => {
      state = 'last'
      source.return?.().catch(() => {})
      return { done: false, value: { errors: [new GraphQLError(SHUTTING_DOWN, { extensions: { code: 'SHUTTING_DOWN' } })] } }
    }
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      next: async () => {
        if (state !== 'open') {
          finish()
          return { done: true, value: undefined }
        }
        if (this.closing) return last()
        try {
          const result = await Promise.race([source.next(), this.closed])
          if (result === CLOSED) return last()
          if (result.done) finish()
          return result
        } catch (error) {
          finish()
          throw error
        }
      },
      return: async () => {
        const wasOpen = state === 'open'
        finish()
        if (wasOpen) await source.return?.()
        return { done: true, value: undefined }
      },
      [Symbol.asyncIterator]: () => iterator,
    }
    return iterator
  }
}

/** graphql-ws operations carry the WebSocket in their context (see serveWebSockets in server.ts); the rest came over HTTP. */
function transportOf(context: unknown): Transport {
  return (context as { socket?: unknown }).socket ? 'ws' : 'sse'
}
