import { filter, map } from 'rxjs'
import { boundedIterator } from '../projections/bounded-iterator.js'
import type { WatchEvent } from '../projections/watch.js'
import { StatusError } from '../services/errors.js'
import type { LogEvent } from '../services/store/commands.js'
import type { GraphQLContext, ObjectRef } from './context.js'
import { shown, visible } from './visibility.js'

export const typeDefs = /* GraphQL */ `
  enum WatchEventType {
    ADDED
    MODIFIED
    DELETED
    "Carries only the current revision, so a quiet watch can resume near the head."
    BOOKMARK
  }

  type WatchEvent {
    type: WatchEventType!
    object: Object!
    revision: Revision!
  }

  type Subscription {
    "Changes to objects of a kind, with Kubernetes' watch semantics; resumable from any revision (events after it)."
    watch(kind: String!, namespace: String, labelSelector: String, fieldSelector: String, fromRevision: Revision): WatchEvent!
    "The event log as it grows, from any revision (events after it)."
    log(fromRevision: Revision, kind: String, namespace: String): LogEvent!
  }
`

/** Events a subscriber may fall behind by before it is cut off (and told where to resume). */
export const SUBSCRIPTION_BUFFER = 1000

let active = 0

/** Subscriptions currently open on this server (each released when its client goes). */
export function activeSubscriptions(): number {
  return active
}

/**
 * Counts a subscription from its start until it ends, however it ends. Not an async generator:
 * one of those cannot be returned while it waits for its next value, so a client that left a
 * quiet subscription would keep it open.
 */
function counted<T>(source: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
  active++
  let open = true
  const close = () => {
    if (open) {
      open = false
      active--
    }
  }
  const iterator: AsyncIterableIterator<T> = {
    next: async () => {
      try {
        const result = await source.next()
        if (result.done) close()
        return result
      } catch (error) {
        close()
        throw error
      }
    },
    return: async (value?: unknown) => {
      close()
      return (await source.return?.(value)) ?? { done: true, value: undefined }
    },
    [Symbol.asyncIterator]: () => iterator,
  }
  return iterator
}

const tooSlow = (last: number | undefined) =>
  new StatusError('Gone', `the subscription fell behind: more than ${SUBSCRIPTION_BUFFER} events were waiting; resume from revision ${last}`)

export const resolvers = {
  Subscription: {
    watch: {
      subscribe: async (
        _: unknown,
        args: { kind: string; namespace?: string; labelSelector?: string; fieldSelector?: string; fromRevision?: number },
        ctx: GraphQLContext,
      ) => {
        ctx.authorize('watch', args.kind, args.namespace)
        return counted(
          ctx.api.watchIterator(
            args.kind,
            {
              ...(args.namespace && { namespace: args.namespace }),
              ...(args.labelSelector && { labelSelector: args.labelSelector }),
              ...(args.fieldSelector && { fieldSelector: args.fieldSelector }),
              ...(args.fromRevision !== undefined && args.fromRevision !== null && { fromRevision: args.fromRevision }),
            },
            SUBSCRIPTION_BUFFER,
          ),
        )
      },
      resolve: (event: WatchEvent) => ({ type: event.type, revision: event.revision, object: { object: event.object, at: event.revision } satisfies ObjectRef }),
    },
    log: {
      subscribe: async (_: unknown, args: { fromRevision?: number; kind?: string; namespace?: string }, ctx: GraphQLContext) => {
        const kind = args.kind ? ctx.api.registry.resolve(args.kind).kind : undefined
        const from = args.fromRevision ?? (await ctx.head())
        const wanted = (e: LogEvent) => (!kind || e.kind === kind) && (args.namespace == null || e.namespace === args.namespace)
        // Only what the caller may read (checked against the RBAC of the moment each event arrives), redacted where it must be.
        const events = ctx.store.tail(from).pipe(
          filter(wanted),
          filter((e) => visible(ctx, e.kind, e.namespace, e.name)),
          map((e) => ({ ...e, object: shown(ctx, e.kind, e.namespace, e.name, e.object) })),
        )
        return counted(boundedIterator(events, SUBSCRIPTION_BUFFER, (last) => tooSlow(last?.revision ?? from)))
      },
      resolve: (event: LogEvent) => event,
    },
  },
}
