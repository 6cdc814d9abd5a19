import { errors } from '../services/errors.js'
import { jsonDiff } from '../services/resources/json-diff.js'
import { deepEqual, type JsonObject } from '../services/resources/json.js'
import { matchesLabels, parseLabelSelector } from '../services/resources/label-selector.js'
import type { LogEvent } from '../services/store/commands.js'
import type { AtInput, GraphQLContext, ObjectRef } from './context.js'
import { badRequest } from './errors.js'
import { pageSize } from './objects.graphql.js'
import { shown, visible, visibleEvents } from './visibility.js'

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
    groups: [String!]
    reason: String
    "The revision of the event that caused this one (a controller's trigger)."
    causationRevision: Revision
    correlationId: String
    requestId: String
    "create, update, patch, apply, delete."
    verb: String
    "Everything recorded about the change."
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
    "What was created, modified and deleted between two points, with before and after."
    changes(from: At!, to: At!, kind: String, namespace: String, labelSelector: String): [Change!]!
    "The revision a point in history names: a revision as given (no newer than the head), a time as the last revision committed at or before it."
    revisionAt(at: At!): Revision!
    "The raw event log after revision from, up to to (default: the head when the listing started), oldest first, filtered, in pages of first (default 1000)."
    log(from: Revision, to: Revision, kind: String, namespace: String, name: String, actor: String, first: Int, after: String): LogEventConnection!
    "The chain of events that led to this one, following causation: its cause first, the root last."
    causes(revision: Revision!): [LogEvent!]!
    "The events this one caused, directly or through others, in revision order."
    effects(revision: Revision!): [LogEvent!]!
  }
`

const MAX_CHAIN = 10_000

/** A version's diff leaves out resourceVersion, which is the revision itself. */
function versionDiff(before: JsonObject, after: JsonObject) {
  return jsonDiff(before, after).filter((op) => op.path !== '/metadata/resourceVersion')
}

function keyOf(ctx: GraphQLContext, kind: string, namespace: string | null | undefined, name: string) {
  const definition = ctx.api.registry.resolve(kind)
  return { kind: definition.kind, namespace: definition.namespaced ? (namespace ?? 'default') : '', name }
}

async function allEvents(ctx: GraphQLContext, query: Parameters<GraphQLContext['store']['events']>[0]): Promise<LogEvent[]> {
  const out: LogEvent[] = []
  for (let after = query?.after ?? 0; ; ) {
    const page = await ctx.store.events({ ...query, after, limit: 5000 })
    out.push(...page)
    if (page.length < 5000) return out
    after = page.at(-1)!.revision
    if (out.length > 1_000_000) throw badRequest('the range holds more than 1,000,000 events: narrow it')
  }
}

async function changes(ctx: GraphQLContext, args: { from: AtInput; to: AtInput; kind?: string; namespace?: string; labelSelector?: string }) {
  const from = await ctx.revisionOf(args.from)
  const to = await ctx.revisionOf(args.to)
  if (from > to) throw badRequest(`from (${from}) is after to (${to})`)
  const kind = args.kind ? ctx.api.registry.resolve(args.kind).kind : undefined
  const selector = args.labelSelector ? parseLabelSelector(args.labelSelector) : undefined
  const touched = await allEvents(ctx, { after: from, to, ...(kind && { kind }), ...(args.namespace && { namespace: args.namespace }) })
  const keys = new Map<string, { kind: string; namespace: string; name: string }>()
  for (const e of touched) {
    if (visible(ctx, e.kind, e.namespace, e.name)) keys.set(`${e.kind}\u0000${e.namespace}\u0000${e.name}`, { kind: e.kind, namespace: e.namespace, name: e.name })
  }
  const out = []
  const labelsOf = (o: JsonObject | undefined) => ((o?.metadata ?? {}) as JsonObject).labels as Record<string, string> | undefined
  for (const key of [...keys.values()].sort((a, b) => (`${a.kind}/${a.namespace}/${a.name}` < `${b.kind}/${b.namespace}/${b.name}` ? -1 : 1))) {
    const look = (o: JsonObject | undefined) => o && shown(ctx, key.kind, key.namespace, key.name, o)
    const [before, after] = (await Promise.all([ctx.store.get(key, { at: from }), ctx.store.get(key, { at: to })])).map(look)
    if (selector && !matchesLabels(selector, labelsOf(before)) && !matchesLabels(selector, labelsOf(after))) continue
    const uid = (o: JsonObject | undefined) => ((o?.metadata ?? {}) as JsonObject).uid
    const ref = (object: JsonObject | undefined, at: number): ObjectRef | null => (object ? { object, at } : null)
    const base = { kind: key.kind, namespace: key.namespace || null, name: key.name }
    if (before && after && uid(before) === uid(after)) {
      if (deepEqual(before, after)) continue
      out.push({ ...base, type: 'MODIFIED', before: ref(before, from), after: ref(after, to), diff: versionDiff(before, after) })
      continue
    }
    if (before) out.push({ ...base, type: 'DELETED', before: ref(before, from), after: null, diff: null })
    if (after) out.push({ ...base, type: 'CREATED', before: null, after: ref(after, to), diff: null })
  }
  return out
}

async function log(ctx: GraphQLContext, args: { from?: number; to?: number; kind?: string; namespace?: string; name?: string; actor?: string; first?: number; after?: string }) {
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
  const page = await ctx.store.events({
    after,
    to,
    limit: limit + 1,
    ...(kind && { kind }),
    ...(args.namespace !== undefined && args.namespace !== null && { namespace: args.namespace }),
    ...(args.name && { name: args.name }),
    ...(args.actor && { actor: args.actor }),
  })
  const more = page.length > limit
  // What the caller may not read is left out of the page (its cursor still moves past it).
  const events = visibleEvents(ctx, page.slice(0, limit))
  const cursor = (e: LogEvent) => Buffer.from(`${e.revision}:${to}`).toString('base64url')
  const edges = events.map((e) => ({ cursor: cursor(e), node: e }))
  const last = page.slice(0, limit).at(-1)
  return { edges, pageInfo: { hasNextPage: more, endCursor: last ? cursor(last) : null }, revision: to }
}

async function mustEvent(ctx: GraphQLContext, revision: number): Promise<LogEvent> {
  const event = await ctx.store.event(revision)
  if (!event) throw errors.notFound({ resource: 'events', group: 'revkube' }, String(revision))
  return event
}

async function causes(ctx: GraphQLContext, revision: number): Promise<LogEvent[]> {
  const chain: LogEvent[] = []
  let cause = (await mustEvent(ctx, revision)).meta.causationRevision
  while (typeof cause === 'number' && chain.length < MAX_CHAIN) {
    const event = await ctx.store.event(cause)
    if (!event) break
    chain.push(event)
    cause = event.meta.causationRevision
  }
  return visibleEvents(ctx, chain)
}

async function effects(ctx: GraphQLContext, revision: number): Promise<LogEvent[]> {
  await mustEvent(ctx, revision)
  const found = new Map<number, LogEvent>()
  let frontier = [revision]
  while (frontier.length > 0 && found.size < MAX_CHAIN) {
    const next: number[] = []
    for (let i = 0; i < frontier.length; i += 500) {
      for (const event of await allEvents(ctx, { after: Math.min(...frontier) - 1, causedBy: frontier.slice(i, i + 500) })) {
        if (found.has(event.revision)) continue
        found.set(event.revision, event)
        next.push(event.revision)
      }
    }
    frontier = next
  }
  return visibleEvents(ctx, [...found.values()].sort((a, b) => a.revision - b.revision))
}

const str = (v: unknown) => (typeof v === 'string' ? v : null)

export const resolvers = {
  LogEvent: {
    time: (e: LogEvent) => e.committedAt,
    namespace: (e: LogEvent) => e.namespace || null,
    actor: (e: LogEvent) => str(e.meta.actor),
    groups: (e: LogEvent) => (Array.isArray(e.meta.groups) ? e.meta.groups : null),
    reason: (e: LogEvent) => str(e.meta.reason),
    causationRevision: (e: LogEvent) => (typeof e.meta.causationRevision === 'number' ? e.meta.causationRevision : null),
    correlationId: (e: LogEvent) => str(e.meta.correlationId),
    requestId: (e: LogEvent) => str(e.meta.requestId),
    verb: (e: LogEvent) => str(e.meta.verb),
    meta: (e: LogEvent) => e.meta,
    object: (e: LogEvent): ObjectRef => ({ object: e.object, at: e.revision }),
  },
  Query: {
    history: async (_: unknown, args: { kind: string; namespace?: string; name: string }, ctx: GraphQLContext) => {
      const key = keyOf(ctx, args.kind, args.namespace, args.name)
      if (!visible(ctx, key.kind, key.namespace, key.name)) ctx.authorize('get', key.kind, key.namespace, key.name)
      const events = visibleEvents(ctx, await ctx.store.history(key))
      return events.map((event, i) => ({
        revision: event.revision,
        time: event.committedAt,
        type: event.type,
        actor: str(event.meta.actor),
        reason: str(event.meta.reason),
        object: { object: event.object, at: event.revision } satisfies ObjectRef,
        diff: i === 0 ? null : versionDiff(events[i - 1]!.object, event.object),
        event,
      }))
    },
    changes: (_: unknown, args: Parameters<typeof changes>[1], ctx: GraphQLContext) => changes(ctx, args),
    revisionAt: (_: unknown, args: { at: AtInput }, ctx: GraphQLContext) => ctx.revisionOf(args.at),
    log: (_: unknown, args: Parameters<typeof log>[1], ctx: GraphQLContext) => log(ctx, args),
    causes: (_: unknown, args: { revision: number }, ctx: GraphQLContext) => causes(ctx, args.revision),
    effects: (_: unknown, args: { revision: number }, ctx: GraphQLContext) => effects(ctx, args.revision),
  },
}
