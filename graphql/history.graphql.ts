import { errors } from '../services/errors.js'
import { jsonDiff } from '../services/resources/json-diff.js'
import { deepEqual, type JsonObject } from '../services/json.js'
import { matchesLabels, parseLabelSelector, type LabelSelector } from '../services/resources/label-selector.js'
import type { LogEvent, ObjectKey } from '../services/store/commands.js'
import type { EventQuery, EventSummary } from '../services/store/reads.js'
import type { GraphQLContext, ObjectRef } from './context.js'
import { badRequest } from './errors.js'
import { pageSize } from './objects.graphql.js'
import type { QueryChangesArgs, QueryLogArgs, Resolvers } from './types/resolvers.generated.js'
import { listedEvents, metaShown, readScope, shown, visible, type ReadScope } from './visibility.js'

export const typeDefs = /* GraphQL */ `
  "One entry of the event log: what changed, who changed it, why, and what caused it."
  type LogEvent {
    revision: Revision!
    "The first revision of the transaction that committed this event (events committed together share it and their time)."
    txRevision: Revision!
    "When the event was committed."
    time: DateTime!
    "Created, Updated, StatusUpdated, DeletionRequested, Deleted."
    type: String!
    kind: String!
    namespace: String
    name: String!
    uid: String!
    actor: String
    "The actor's groups: for callers who may read the audit (list requests.audit.revkube.io), else null."
    groups: [String!]
    reason: String
    "The revision of the event that caused this one (a controller's trigger)."
    causationRevision: Revision
    correlationId: String
    "For callers who may read the audit, else null."
    requestId: String
    "create, update, patch, apply, delete."
    verb: String
    "Everything recorded about the change; the client's address, user agent, groups, uid and request id only for callers who may read the audit."
    meta: JSON!
    "The object after the change; for a deletion, its last state."
    object: Object!
  }

  type ObjectVersion {
    revision: Revision!
    time: DateTime!
    type: String!
    actor: String
    reason: String
    "The object as this version left it."
    object: Object!
    "RFC 6902 operations from the previous version (null for the first)."
    diff: JSON
    event: LogEvent!
  }

  enum ChangeType {
    CREATED
    MODIFIED
    DELETED
  }

  type Change {
    type: ChangeType!
    kind: String!
    namespace: String
    name: String!
    before: Object
    after: Object
    "RFC 6902 operations from before to after."
    diff: JSON
  }

  type LogEventEdge {
    cursor: String!
    node: LogEvent!
  }

  type LogEventConnection {
    edges: [LogEventEdge!]!
    pageInfo: PageInfo!
    "The last revision this listing covers (to, or the head when it started)."
    revision: Revision!
  }

  extend type Query {
    "Every version of one object name, across deletions and re-creations, oldest first."
    history(kind: String!, namespace: String, name: String!): [ObjectVersion!]!
    "What was created, modified and deleted between two points, with before and after: objects of kinds and namespaces the caller may list."
    changes(from: At!, to: At!, kind: String, namespace: String, labelSelector: String): [Change!]!
    "The revision a point in history names: a revision as given (no newer than the head), a time as the last revision committed at or before it."
    revisionAt(at: At!): Revision!
    "The raw event log after revision from, up to to (default: the head when the listing started), oldest first, filtered, in pages of first (default 1000): entries of kinds and namespaces the caller may list."
    log(from: Revision, to: Revision, kind: String, namespace: String, name: String, actor: String, first: Int, after: String): LogEventConnection!
    "The chain of events that led to this one, following causation: its cause first, the root last (entries the caller may list)."
    causes(revision: Revision!): [LogEvent!]!
    "The events this one caused, directly or through others, in revision order (entries the caller may list)."
    effects(revision: Revision!): [LogEvent!]!
  }
`

const MAX_CHAIN = 10_000
/** Rows per statement of a range read. */
const PAGE = 5000
/** Objects, or events, per statement of a read by key or by revision. */
const KEYS_PER_READ = 500

/** A version's diff leaves out resourceVersion, which is the revision itself. */
function versionDiff(before: JsonObject, after: JsonObject) {
  return jsonDiff(before, after).filter((op) => op.path !== '/metadata/resourceVersion')
}

function keyOf(ctx: GraphQLContext, kind: string, namespace: string | null | undefined, name: string) {
  const definition = ctx.api.registry.resolve(kind)
  return { kind: definition.kind, namespace: definition.namespaced ? (namespace ?? 'default') : '', name }
}

/** Every row of a query in revision order, page by page, each page read against the operation's scan budget. */
async function readAll<T extends { revision: number }>(
  ctx: GraphQLContext,
  query: EventQuery,
  read: (query: EventQuery) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = []
  for (let after = query.after ?? 0; ; ) {
    let asked = 0
    const page = await ctx.scan(PAGE, (limit) => read({ ...query, after, limit: (asked = limit) }))
    out.push(...page)
    if (page.length < asked) return out
    after = page.at(-1)!.revision
  }
}

/** What a query's events are (which objects, what caused them), without their objects. */
const scanSummaries = (ctx: GraphQLContext, query: EventQuery) => readAll(ctx, query, (q) => ctx.store.eventSummaries(q))

/**
 * Reads something about each of `items`, at most KEYS_PER_READ a statement (fewer while other reads
 * of the operation hold much of its budget), each item a row against the operation's scan budget.
 */
async function readEach<I, T>(ctx: GraphQLContext, items: readonly I[], read: (items: I[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = []
  for (let i = 0; i < items.length; ) {
    let asked = 0
    out.push(...(await ctx.scan(Math.min(KEYS_PER_READ, items.length - i), (n) => read(items.slice(i, i + (asked = n))))))
    i += asked
  }
  return out
}

/** The events at these revisions (those the log has), objects and all, against the operation's scan budget. */
const eventsAt = (ctx: GraphQLContext, revisions: number[]) => readEach(ctx, revisions, (page) => ctx.store.eventsAt(page))

/** The events of kinds and namespaces the caller may list, as the store filters them. */
const within = (scope: ReadScope) => (scope.filter ? { scope: scope.filter } : {})

async function changes(ctx: GraphQLContext, args: QueryChangesArgs) {
  const from = await ctx.revisionOf(args.from)
  const to = await ctx.revisionOf(args.to)
  if (from > to) throw badRequest(`from (${from}) is after to (${to})`)
  const kind = args.kind ? ctx.api.registry.resolve(args.kind).kind : undefined
  const selector = args.labelSelector ? parseLabelSelector(args.labelSelector) : undefined
  const scope = readScope(ctx)
  if (scope.none) return []
  // Which objects the range touched (without reading their objects), then their states at both ends.
  const touched = await scanSummaries(ctx, {
    after: from,
    to,
    ...(kind && { kind }),
    ...(args.namespace && { namespace: args.namespace }),
    ...within(scope),
  })
  const keys = new Map<string, ObjectKey>()
  for (const e of touched) keys.set(`${e.kind}\u0000${e.namespace}\u0000${e.name}`, { kind: e.kind, namespace: e.namespace, name: e.name })
  const sorted = [...keys.values()].sort((a, b) => (`${a.kind}/${a.namespace}/${a.name}` < `${b.kind}/${b.namespace}/${b.name}` ? -1 : 1))
  const statesAt = (at: number) => readEach(ctx, sorted, (page) => ctx.store.getAll(page, { at }))
  const [befores, afters] = [await statesAt(from), await statesAt(to)]
  return sorted.flatMap((key, i) => change(ctx, key, befores[i], afters[i], { from, to }, selector))
}

/** One entry of `changes`, as the Change type's fields read it (its parent in the generated resolver types). */
export interface Change {
  type: 'CREATED' | 'MODIFIED' | 'DELETED'
  kind: string
  namespace: string | null
  name: string
  before: ObjectRef | null
  after: ObjectRef | null
  /** RFC 6902 operations, worked out only when the client asks for them (graphql-js calls a function-valued field). */
  diff: (() => unknown) | null
}

/** What happened to one object between `from` and `to`, given its states then and now; what the selector picks. */
function change(
  ctx: GraphQLContext,
  key: ObjectKey,
  then: JsonObject | undefined,
  now: JsonObject | undefined,
  range: { from: number; to: number },
  selector: LabelSelector | undefined,
): Change[] {
  const look = (o: JsonObject | undefined) => o && shown(ctx, key.kind, key.namespace, key.name, o)
  const before = look(then)
  const after = look(now)
  // Only a side where the object exists can match: a creation has no before, a deletion no after.
  const selected = (o: JsonObject | undefined) => o !== undefined && (!selector || matchesLabels(selector, labelsOf(o)))
  const ref = (object: JsonObject, at: number): ObjectRef => ({ object, at })
  const base = { kind: key.kind, namespace: key.namespace || null, name: key.name }
  if (before && after && uidOf(before) === uidOf(after)) {
    if (deepEqual(before, after) || (!selected(before) && !selected(after))) return []
    return [
      { ...base, type: 'MODIFIED', before: ref(before, range.from), after: ref(after, range.to), diff: () => versionDiff(before, after) },
    ]
  }
  // Deleted and created again in the range (another uid): two entries.
  const out: Change[] = []
  if (before && selected(before)) out.push({ ...base, type: 'DELETED', before: ref(before, range.from), after: null, diff: null })
  if (after && selected(after)) out.push({ ...base, type: 'CREATED', before: null, after: ref(after, range.to), diff: null })
  return out
}

const labelsOf = (o: JsonObject) => ((o.metadata ?? {}) as JsonObject).labels as Record<string, string> | undefined
const uidOf = (o: JsonObject) => ((o.metadata ?? {}) as JsonObject).uid

async function log(ctx: GraphQLContext, args: QueryLogArgs) {
  const limit = pageSize(args.first)
  let after = args.from ?? 0
  let to = args.to ?? undefined
  if (args.after) {
    const match = /^(\d+):(\d+)$/.exec(Buffer.from(args.after, 'base64url').toString())
    if (!match) throw badRequest('after is not a cursor of this listing')
    after = Number(match[1])
    to = Number(match[2])
  }
  to ??= await ctx.head()
  const kind = args.kind ? ctx.api.registry.resolve(args.kind).kind : undefined
  const scope = readScope(ctx)
  const query = {
    after,
    to,
    ...(kind && { kind }),
    ...(args.namespace !== undefined && args.namespace !== null && { namespace: args.namespace }),
    ...(args.name && { name: args.name }),
    ...(args.actor && { actor: args.actor }),
    ...within(scope),
  }
  // One more than the page tells whether another follows; while other fields of the operation hold
  // much of its scan budget, the page may come shorter (and says that more follow).
  let asked = 0
  const page = scope.none ? [] : await ctx.scan(limit + 1, (rows) => ctx.store.events({ ...query, limit: (asked = rows) }))
  const more = page.length > limit || (page.length === asked && asked > 0)
  const events = listedEvents(ctx, page.slice(0, limit))
  const cursor = (e: LogEvent) => Buffer.from(`${e.revision}:${to}`).toString('base64url')
  const edges = events.map((e) => ({ cursor: cursor(e), node: e }))
  const last = page.slice(0, limit).at(-1)
  return { edges, pageInfo: { hasNextPage: more, endCursor: last ? cursor(last) : null }, revision: to }
}

/** The event at `revision`, read against the operation's scan budget; NotFound if the log has none. */
async function mustEvent(ctx: GraphQLContext, revision: number): Promise<LogEvent> {
  const [event] = await eventsAt(ctx, [revision])
  if (!event) throw errors.notFound({ resource: 'events', group: 'revkube' }, String(revision))
  return event
}

/** Causes and effects are followed through every event (an invisible one may link visible ones); only what the caller may list is shown. */
async function causes(ctx: GraphQLContext, revision: number): Promise<LogEvent[]> {
  await mustEvent(ctx, revision)
  const scope = readScope(ctx)
  if (scope.none) return []
  const chain: EventSummary[] = []
  for (let from = revision; chain.length < MAX_CHAIN; ) {
    let asked = 0
    const part = await ctx.scan(MAX_CHAIN - chain.length, (limit) => ctx.store.causes(from, (asked = limit)))
    chain.push(...part)
    if (part.length < asked) break
    from = part.at(-1)!.revision
  }
  // Objects are read only for the entries shown, and put back in the chain's order.
  const place = new Map(chain.map((e, i) => [e.revision, i]))
  const listed = await eventsAt(
    ctx,
    chain.filter((e) => scope.includes(e.kind, e.namespace)).map((e) => e.revision),
  )
  return listedEvents(
    ctx,
    listed.sort((a, b) => place.get(a.revision)! - place.get(b.revision)!),
  )
}

async function effects(ctx: GraphQLContext, revision: number): Promise<LogEvent[]> {
  await mustEvent(ctx, revision)
  const scope = readScope(ctx)
  if (scope.none) return []
  const found = new Map<number, EventSummary>()
  let frontier = [revision]
  while (frontier.length > 0 && found.size < MAX_CHAIN) {
    const next: number[] = []
    for (let i = 0; i < frontier.length; i += KEYS_PER_READ) {
      for (const event of await scanSummaries(ctx, { after: Math.min(...frontier) - 1, causedBy: frontier.slice(i, i + KEYS_PER_READ) })) {
        if (found.has(event.revision)) continue
        found.set(event.revision, event)
        next.push(event.revision)
      }
    }
    frontier = next
  }
  // Objects are read only for the entries shown.
  const listed = [...found.values()].filter((e) => scope.includes(e.kind, e.namespace)).map((e) => e.revision)
  return listedEvents(
    ctx,
    await eventsAt(
      ctx,
      listed.sort((a, b) => a - b),
    ),
  )
}

const str = (v: unknown) => (typeof v === 'string' ? v : null)

/** One entry of `history`, as the ObjectVersion type's fields read it (its parent in the generated resolver types). */
export interface ObjectVersion {
  revision: number
  time: Date
  type: string
  actor: string | null
  reason: string | null
  object: ObjectRef
  /** RFC 6902 operations from the previous version, worked out only when the client asks for them (graphql-js calls a function-valued field). */
  diff: (() => unknown) | null
  event: LogEvent
}

export const resolvers: Resolvers = {
  LogEvent: {
    time: (e) => e.committedAt,
    namespace: (e) => e.namespace || null,
    actor: (e) => str(e.meta.actor),
    groups: (e, _, ctx) => {
      const groups = metaShown(ctx, e.meta).groups
      return Array.isArray(groups) ? groups : null
    },
    reason: (e) => str(e.meta.reason),
    causationRevision: (e) => (typeof e.meta.causationRevision === 'number' ? e.meta.causationRevision : null),
    correlationId: (e, _, ctx) => str(metaShown(ctx, e.meta).correlationId),
    requestId: (e, _, ctx) => str(metaShown(ctx, e.meta).requestId),
    verb: (e) => str(e.meta.verb),
    meta: (e, _, ctx) => metaShown(ctx, e.meta),
    object: (e) => ({ object: e.object, at: e.revision }),
  },
  Query: {
    history: async (_, args, ctx) => {
      const key = keyOf(ctx, args.kind, args.namespace, args.name)
      if (!visible(ctx, key.kind, key.namespace, key.name)) ctx.authorize('get', key.kind, key.namespace, key.name)
      const read = await readAll(ctx, key, (q) => ctx.store.events(q))
      const events = read.map((e) => ({ ...e, object: shown(ctx, e.kind, e.namespace, e.name, e.object) }))
      return events.map(
        (event, i): ObjectVersion => ({
          revision: event.revision,
          time: event.committedAt,
          type: event.type,
          actor: str(event.meta.actor),
          reason: str(event.meta.reason),
          object: { object: event.object, at: event.revision },
          // Worked out only if the client asks for it (graphql-js calls a function-valued field).
          diff: i === 0 ? null : () => versionDiff(events[i - 1]!.object, event.object),
          event,
        }),
      )
    },
    changes: (_, args, ctx) => changes(ctx, args),
    revisionAt: (_, args, ctx) => ctx.revisionOf(args.at),
    log: (_, args, ctx) => log(ctx, args),
    causes: (_, args, ctx) => causes(ctx, args.revision),
    effects: (_, args, ctx) => effects(ctx, args.revision),
  },
}
