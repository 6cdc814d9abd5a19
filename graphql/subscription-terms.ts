import { GraphQLError } from 'graphql'
import { filter, share, type Observable } from 'rxjs'
import type { Change } from '../projections/projection.js'
import { unauthorized } from '../services/auth/authenticator.js'
import { StatusError } from '../services/errors.js'
import type { Logger } from '../services/log.js'
import type { GraphQLContext } from './context.js'
import { toGraphQLError } from './errors.js'

/** What an operation authenticated with, kept for operations that last (subscriptions). */
export interface Credentials {
  /**
   * Checks them again as a new request would be checked (the token, its ServiceAccount,
   * impersonation): Unauthorized or Forbidden if such a request would be refused now.
   */
  recheck(): void
  /** When they stop being valid on their own (a ServiceAccount token's `exp`), if ever. */
  expiresAt(): Date | undefined
}

/** What a subscription's resolver tells the server about it (set on the context as `subscription`). */
export interface SubscriptionScope {
  /** Forbidden once the caller may no longer read what the subscription streams (re-checked as RBAC changes). */
  authorize(): void
  /**
   * The revision through which it has delivered everything, where a client resumes (`fromRevision`);
   * undefined while a watch's initial state is still going out (then the client starts afresh).
   */
  revision(): number | undefined
}

/** Why one subscription must end before its client or the server ends it: the last result it sends. */
export interface Ending {
  /**
   * The error it ended with, as soon as it did. Read before each result goes out (reading it runs a
   * re-check that is still pending), so no result after the cause slips out.
   */
  readonly error: GraphQLError | undefined
  /** Resolves with that error. */
  readonly ended: Promise<GraphQLError>
  /** Stops its timers and watches (the subscription ended otherwise). */
  cancel(): void
}

export interface SubscriptionTermsOptions {
  /** The live state's changes: the RBAC objects and ServiceAccounts a subscription's access depends on. */
  changes: Observable<Change>
  /** Shortest lifetime of a subscription, ms; each gets a random one in [min, 2·min), as kube-apiserver's --min-request-timeout. */
  minLifetimeMs: number
  log: Logger
  /** @default Math.random */
  random?: () => number
}

/** Kinds whose changes may revoke a subscriber's access: its ServiceAccount (and token), its roles and bindings. */
const REVOKING = new Set(['ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'])

/** setTimeout's longest delay (about 24.8 days); a longer lifetime is cut to it. */
const MAX_DELAY_MS = 2 ** 31 - 1

/**
 * The terms every subscription runs under, as kube-apiserver bounds its watches and more:
 *
 * - a lifetime, random between the minimum and twice it, so clients reconnect (and spread out
 *   while doing so); at its end the last result is `EXPIRED` with the revision to resume from;
 * - its credentials stay valid: checked again, as a new request's would be, after a ServiceAccount
 *   or an RBAC object changes (once per burst of changes, and before the subscription's next result
 *   goes out) and at the token's expiry: `UNAUTHENTICATED`, or `FORBIDDEN` when impersonation is no
 *   longer allowed;
 * - its permission (`SubscriptionScope.authorize`, e.g. `watch` on its kind) holds: `FORBIDDEN`.
 *
 * Returns the `ending` of graphql/open-subscriptions.ts, which sends the last result and completes.
 */
export function subscriptionTerms(options: SubscriptionTermsOptions): (context: GraphQLContext) => Ending {
  const revoking = options.changes.pipe(
    filter((change) => REVOKING.has(change.event.kind)),
    share(),
  )
  const random = options.random ?? Math.random
  return (ctx) => {
    let error: GraphQLError | undefined
    let resolve: (error: GraphQLError) => void = () => {}
    const ended = new Promise<GraphQLError>((r) => (resolve = r))
    const timers: NodeJS.Timeout[] = []
    const after = (ms: number, run: () => void) => timers.push(setTimeout(run, Math.min(Math.max(0, ms), MAX_DELAY_MS)).unref())
    let revocations: { unsubscribe(): void } | undefined
    let cancelled = false
    const cancel = () => {
      cancelled = true
      for (const timer of timers) clearTimeout(timer)
      revocations?.unsubscribe()
    }
    const end = (why: GraphQLError) => {
      if (error) return
      error = why
      cancel()
      resolve(why)
    }

    const min = options.minLifetimeMs
    after(min + Math.floor(random() * min), () => end(expired(ctx.subscription?.revision())))
    // A change that may revoke access marks the terms for a re-check, made once for a burst of
    // changes (a microtask later), or at once when a result is about to go out.
    let pending = false
    const check = () => {
      pending = false
      if (cancelled || !ctx.request.user) return
      try {
        ctx.credentials?.recheck()
        ctx.subscription?.authorize()
      } catch (failure) {
        end(refusal(failure, options.log))
      }
    }
    if (ctx.request.user) {
      revocations = revoking.subscribe(() => {
        if (pending) return
        pending = true
        queueMicrotask(() => {
          if (pending) check()
        })
      })
      const expiresAt = ctx.credentials?.expiresAt()
      if (expiresAt) after(expiresAt.getTime() - Date.now(), () => end(refusal(unauthorized('invalid bearer token: expired'), options.log)))
      // Access may have changed between the operation's own checks and now.
      check()
    }
    return {
      get error() {
        if (pending) check()
        return error
      },
      ended,
      cancel,
    }
  }
}

/** The last result of a subscription that reached its lifetime: resubscribe, from `revision` when it says one. */
function expired(revision: number | undefined): GraphQLError {
  const message =
    revision === undefined
      ? 'the subscription reached its maximum lifetime; subscribe again'
      : `the subscription reached its maximum lifetime; subscribe again from revision ${revision}`
  return new GraphQLError(message, { extensions: { code: 'EXPIRED', ...(revision !== undefined && { revision: String(revision) }) } })
}

/** Unauthorized and Forbidden as their GraphQL errors; anything else is a fault, logged and masked. */
function refusal(failure: unknown, log: Logger): GraphQLError {
  const mapped = failure instanceof StatusError ? toGraphQLError(failure) : undefined
  if (mapped instanceof GraphQLError) return mapped
  log.error('subscription: checking its access failed', { error: failure })
  return new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })
}
