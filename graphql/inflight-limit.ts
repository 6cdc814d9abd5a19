import type { ServerResponse } from 'node:http'
import { getOperationAST, GraphQLError } from 'graphql'
import type { Plugin } from 'graphql-yoga'

/** How many operations may run at once, as kube-apiserver's --max-requests-inflight and --max-mutating-requests-inflight. */
export interface InflightLimits {
  /** Queries (over HTTP or WebSocket). */
  reads: number
  /** Mutations. */
  mutations: number
}

/** The answer when a pool is full: HTTP 429 with Retry-After, GraphQL over HTTP's shape. */
export const TOO_MANY_REQUESTS = 'too many requests, please try again later'

const tooManyRequests = () =>
  new GraphQLError(TOO_MANY_REQUESTS, { extensions: { code: 'TOO_MANY_REQUESTS', http: { status: 429, headers: { 'Retry-After': '1' } } } })

/**
 * Bounds the operations that run at once, in two pools: queries and mutations, so a flood of reads
 * never keeps a write out. An operation past its pool's bound is answered 429 at once instead of
 * waiting for a database connection. Over HTTP an operation holds its place until its response has
 * been sent, as in kube-apiserver (the answer is held in memory until then); over WebSocket until
 * its result is ready. Subscriptions (SSE and WebSocket) are long-running and counted in neither,
 * as kube-apiserver leaves watches out; parsing and validating before (bounded by the document's
 * token limit) is not counted either.
 */
export class InflightLimit {
  private readonly running = { reads: 0, mutations: 0 }

  constructor(private readonly limits: InflightLimits) {}

  /** Operations running now, by pool. */
  get inflight(): Readonly<{ reads: number; mutations: number }> {
    return { ...this.running }
  }

  /**
   * A place in `pool` for a request served elsewhere (the Kubernetes REST API shares these pools):
   * the function that gives it back, or undefined when the pool is full (answer 429).
   */
  acquire(pool: 'reads' | 'mutations'): (() => void) | undefined {
    if (this.running[pool] >= this.limits[pool]) return undefined
    this.running[pool]++
    let released = false
    return () => {
      if (!released) this.running[pool]--
      released = true
    }
  }

  readonly plugin: Plugin = {
    onExecute: ({ args, executeFn, setExecuteFn }) => {
      const pool = getOperationAST(args.document, args.operationName)?.operation === 'mutation' ? 'mutations' : 'reads'
      // Counted around the execution itself, so a slot is always given back, whatever happens to it.
      setExecuteFn(async (execution) => {
        if (this.running[pool] >= this.limits[pool]) return { errors: [tooManyRequests()] }
        this.running[pool]++
        let released = false
        const release = () => {
          if (!released) this.running[pool]--
          released = true
        }
        try {
          return await executeFn(execution)
        } finally {
          const res = (execution.contextValue as { res?: ServerResponse } | undefined)?.res
          if (res && !res.destroyed && !res.writableFinished) res.once('close', release)
          else release()
        }
      })
    },
  }
}
