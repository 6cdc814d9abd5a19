import { StatusError } from '../services/errors.js'
import type { LogEvent } from '../services/store/commands.js'
import type { GraphQLContext } from './context.js'
import { badRequest } from './errors.js'
import type { QueryAuditArgs, Resolvers } from './types/resolvers.generated.js'
import { listedEvents } from './visibility.js'

export const typeDefs = /* GraphQL */ `
  "One thing a user did or tried: a change in the log (allowed), or a request the server refused."
  type AuditEntry {
    time: DateTime!
    "allowed (an event of the log), forbidden, unauthenticated or invalid."
    outcome: String!
    user: String
    groups: [String!]
    sourceAddress: String
    userAgent: String
    requestId: String
    "The event's verb, or the refused GraphQL operation."
    operation: String
    kind: String
    namespace: String
    name: String
    "The event's revision (allowed entries)."
    revision: Revision
    "The HTTP status of a refused request."
    status: Int
    message: String
    "How many such requests (same client address, user, reason, operation and status) were refused in the minute from time; 1 for a change."
    count: Int!
  }

  extend type Query {
    """
    Who did and tried what: changes users made (from the log; controllers' changes with user: "system:…")
    and the requests the server refused (401, 403, 422), oldest first. Needs list on audit.revkube.io/requests
    (cluster-admin has it).
    """
    audit(since: DateTime, until: DateTime, user: String, first: Int): [AuditEntry!]!
  }
`

const outcomes: Record<string, string> = { Forbidden: 'forbidden', Unauthorized: 'unauthenticated', Invalid: 'invalid' }

async function audit(ctx: GraphQLContext, args: QueryAuditArgs) {
  if (ctx.request.user && !ctx.security.can({ user: ctx.request.user, verb: 'list', apiGroup: 'audit.revkube.io', resource: 'requests' })) {
    throw new StatusError(
      'Forbidden',
      `requests.audit.revkube.io is forbidden: User "${ctx.request.user.name}" cannot list resource "requests" in API group "audit.revkube.io" at the cluster scope`,
    )
  }
  const first = args.first ?? 100
  if (!Number.isInteger(first) || first < 1 || first > 10_000) throw badRequest(`first must be between 1 and 10000, got ${first}`)
  const since = args.since ?? undefined
  const until = args.until ?? undefined
  const user = args.user ?? undefined
  const refused = await ctx.rejections.list({ since, until, user, limit: first })
  const from = since ? await ctx.store.revisionAt(since).catch(() => 0) : 0
  const to = until ? await ctx.store.revisionAt(until) : await ctx.head()
  const events: LogEvent[] = []
  // Users' changes only (controllers' when asked for by name), read page by page up to `first`.
  for (let after = from; events.length < first; ) {
    const page = await ctx.store.events({ after, to, limit: 1000, ...(user && { actor: user }) })
    events.push(...listedEvents(ctx, page).filter((e) => user || !String(e.meta.actor ?? '').startsWith('system:')))
    if (page.length < 1000) break
    after = page.at(-1)!.revision
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : null)
  const entries = [
    ...events.slice(0, first).map((e) => ({
      time: e.committedAt,
      outcome: 'allowed',
      user: str(e.meta.actor),
      groups: Array.isArray(e.meta.groups) ? e.meta.groups : null,
      sourceAddress: str(e.meta.sourceAddress),
      userAgent: str(e.meta.userAgent),
      requestId: str(e.meta.requestId),
      operation: str(e.meta.verb) ?? e.type,
      kind: e.kind,
      namespace: e.namespace || null,
      name: e.name,
      revision: e.revision,
      status: null,
      message: str(e.meta.reason),
      count: 1,
    })),
    ...refused.map((r) => ({
      time: r.at!,
      outcome: outcomes[r.reason] ?? r.reason.toLowerCase(),
      user: r.user ?? null,
      groups: r.groups ?? null,
      sourceAddress: r.sourceAddress ?? null,
      userAgent: r.userAgent ?? null,
      requestId: r.requestId ?? null,
      operation: r.operation ?? null,
      kind: null,
      namespace: null,
      name: null,
      revision: null,
      status: r.status,
      message: r.message,
      count: r.count ?? 1,
    })),
  ]
  return entries.sort((a, b) => a.time.getTime() - b.time.getTime()).slice(0, first)
}

export const resolvers: Resolvers = {
  Query: {
    audit: (_, args, ctx) => audit(ctx, args),
  },
}
