import { GraphQLError, type ExecutionResult } from 'graphql'
import { isAsyncIterable, type Plugin } from 'graphql-yoga'
import type { Ending } from './subscription-terms.js'

/** How a subscription reaches its client: GraphQL over SSE (HTTP) or graphql-ws (WebSocket). */
export type Transport = 'sse' | 'ws'

export const SHUTTING_DOWN = 'the server is shutting down'

const shuttingDown = () => new GraphQLError(SHUTTING_DOWN, { extensions: { code: 'SHUTTING_DOWN' } })

/** A subscription's last result, told apart from the results of its stream. */
class LastResult {
  constructor(readonly error: GraphQLError) {}
}

export interface OpenSubscriptionsOptions {
  /**
   * What may end one subscription earlier, with a last result of its own (graphql/subscription-terms.ts:
   * its lifetime, revoked credentials or permission). Called with the operation's context.
   */
  ending?: (context: unknown) => Ending
}

/**
 * The subscriptions open on one server, counted by transport, and their orderly end: `close()`
 * makes each one send a last result, `{"errors":[{"message":"the server is shutting down",
 * "extensions":{"code":"SHUTTING_DOWN"}}]}`, and complete, so a client learns why its stream
 * ended and can resume elsewhere; a subscription's own `ending` ends it the same way with its own
 * error. Install `plugin` in yoga; it wraps every subscription's result stream, on HTTP and
 * WebSocket alike.
 */
export class OpenSubscriptions {
  private readonly open: Record<Transport, number> = { sse: 0, ws: 0 }
  private signalClose: () => void = () => {}
  private readonly closed = new Promise<LastResult>((resolve) => (this.signalClose = () => resolve(new LastResult(shuttingDown()))))
  private closing = false
  private readonly idle: Array<() => void> = []

  constructor(private readonly options: OpenSubscriptionsOptions = {}) {}

  readonly plugin: Plugin = {
    onSubscribe: ({ args }) => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (isAsyncIterable(result)) setResult(this.track(result[Symbol.asyncIterator](), args.contextValue))
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

  private track(source: AsyncIterator<ExecutionResult>, context: unknown): AsyncIterableIterator<ExecutionResult> {
    const transport = transportOf(context)
    this.open[transport]++
    const own = this.options.ending?.(context)
    // The shutdown's or the subscription's own end, whichever comes first; listed before the source
    // in each race, so an end that is already known wins over a result that is already waiting.
    const stop = own ? Promise.race([this.closed, own.ended.then((error) => new LastResult(error))]) : this.closed
    let state: 'open' | 'last' | 'done' = 'open'
    const finish = () => {
      if (state === 'done') return
      state = 'done'
      own?.cancel()
      this.open[transport]--
      if (this.size === 0) for (const wake of this.idle.splice(0)) wake()
    }
    const last = (error: GraphQLError): IteratorResult<ExecutionResult> => {
      state = 'last'
      own?.cancel()
      source.return?.().catch(() => {})
      return { done: false, value: { errors: [error] } }
    }
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      next: async () => {
        if (state !== 'open') {
          finish()
          return { done: true, value: undefined }
        }
        if (this.closing) return last(shuttingDown())
        if (own?.error) return last(own.error)
        try {
          const result = await Promise.race([stop, source.next()])
          if (result instanceof LastResult) return last(result.error)
          // Ended while this result was on its way (access revoked by the change before it): it stays here.
          if (own?.error) return last(own.error)
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
