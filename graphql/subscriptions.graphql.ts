import { concatMap, filter, map, of, take } from 'rxjs'
import { boundedIterator } from '../projections/bounded-iterator.js'
import type { WatchEvent } from '../projections/watch.js'
import { StatusError } from '../services/errors.js'
import type { LogEvent } from '../services/store/commands.js'
import type { Resolvers } from './types/resolvers.generated.js'
import { shown } from './visibility.js'

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

  """
  Every subscription lasts at most a random time between REVKUBE_MIN_REQUEST_TIMEOUT and twice it, then ends
  with a last result whose error has extensions.code EXPIRED and, in extensions.revision, the revision to
  subscribe again from (fromRevision). One whose caller loses access ends with UNAUTHENTICATED (token expired,
  ServiceAccount deleted) or FORBIDDEN (permission or impersonation withdrawn).
  """
  type Subscription {
    "Changes to objects of a kind, with Kubernetes' watch semantics; resumable from any revision (events after it). Needs watch on the kind (in the namespace)."
    watch(kind: String!, namespace: String, labelSelector: String, fieldSelector: String, fromRevision: Revision): WatchEvent!
    """
    The event log as it grows, from any revision (events after it): the entries of kinds and namespaces the
    caller may watch. With a kind and a namespace (or a cluster-scoped kind), it needs watch on them.
    """
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
 * Counts a subscription from its start until it ends, however it ends, and tells `delivered` of
 * each value it hands on. Not an async generator: one of those cannot be returned while it waits
 * for its next value, so a client that left a quiet subscription would keep it open.
 */
function counted<T>(source: AsyncIterableIterator<T>, delivered: (value: T) => void = () => {}): AsyncIterableIterator<T> {
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
        else delivered(result.value)
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
  new StatusError(
    'Gone',
    `the subscription fell behind: more than ${SUBSCRIPTION_BUFFER} events were waiting; resume from revision ${last}`,
  )

export const resolvers: Resolvers = {
  Subscription: {
    watch: {
      subscribe: async (_, args, ctx) => {
        const authorize = () => ctx.authorize('watch', args.kind, args.namespace)
        authorize()
        const fromRevision = args.fromRevision ?? undefined
        // Without fromRevision the watch starts with ADDED for every current object, all at this
        // revision: until a later event (or a BOOKMARK) has gone out, a client resumes by starting afresh.
        const start = ctx.projection.revision
        let through = fromRevision
        ctx.subscription = { authorize, revision: () => through }
        const events = ctx.api.watchIterator(
          args.kind,
          {
            ...(args.namespace && { namespace: args.namespace }),
            ...(args.labelSelector && { labelSelector: args.labelSelector }),
            ...(args.fieldSelector && { fieldSelector: args.fieldSelector }),
            ...(fromRevision !== undefined && { fromRevision }),
          },
          SUBSCRIPTION_BUFFER,
        )
        return counted(events, (event) => {
          if (fromRevision !== undefined || event.revision > start || event.type === 'BOOKMARK') through = event.revision
        })
      },
      resolve: (event: WatchEvent) => ({
        type: event.type,
        revision: event.revision,
        object: { object: event.object, at: event.revision },
      }),
    },
    log: {
      subscribe: async (_, args, ctx) => {
        const definition = args.kind ? ctx.api.registry.resolve(args.kind) : undefined
        const kind = definition?.kind
        // Pinned to one kind in one namespace (or to a cluster-scoped kind), it is a watch of that
        // kind there, refused without watch as Kubernetes refuses one; otherwise entries are left out one by one.
        const pinned = definition !== undefined && (!definition.namespaced || args.namespace != null)
        const authorize = () => {
          if (pinned) ctx.authorize('watch', kind!, args.namespace)
        }
        authorize()
        const from = args.fromRevision ?? (await ctx.head())
        let through = from
        ctx.subscription = { authorize, revision: () => through }
        const wanted = (e: LogEvent) => (!kind || e.kind === kind) && (args.namespace == null || e.namespace === args.namespace)
        const events = ctx.store.tail(from).pipe(
          filter(wanted),
          // Each entry waits until the live state has it, so it is judged by the RBAC of its moment (or
          // later), and a revocation it follows has already ended the subscription (subscription-terms.ts).
          concatMap((e) =>
            ctx.projection.revision >= e.revision
              ? of(e)
              : ctx.projection.revision$.pipe(
                  filter((r) => r >= e.revision),
                  take(1),
                  map(() => e),
                ),
          ),
          // Kubernetes: get without list and watch means knowing the name; a stream of many objects needs watch.
          filter((e) => ctx.can('watch', e.kind, e.namespace)),
          map((e) => ({ ...e, object: shown(ctx, e.kind, e.namespace, e.name, e.object) })),
        )
        return counted(
          boundedIterator(events, SUBSCRIPTION_BUFFER, (last) => tooSlow(last?.revision ?? from)),
          (e) => (through = e.revision),
        )
      },
      resolve: (event: LogEvent) => event,
    },
  },
}
