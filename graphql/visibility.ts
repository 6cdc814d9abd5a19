import { createHash } from 'node:crypto'
import { listGrants } from '../services/auth/rbac.js'
import { isSensitiveKind, redact } from '../services/secrets/redact.js'
import type { JsonObject } from '../services/json.js'
import type { LogEvent } from '../services/store/commands.js'
import type { EventScope } from '../services/store/reads.js'
import type { GraphQLContext } from './context.js'

/**
 * What the time-travel reads show a caller, as Kubernetes would: reads by name (`history` of one
 * object) need `get` or `list` on it; reads that list entries of many objects (`changes`, `log`,
 * `causes`, `effects`) need `list` on each entry's kind in its namespace, since `get` without
 * `list` means the caller must already know the name. The values of sensitive kinds (Secrets)
 * show only to whoever may `get` that object, redacted for the rest (services/secrets/redact.ts),
 * and the audit details of an event's meta only to whoever may read the audit.
 */
export function visible(ctx: GraphQLContext, kind: string, namespace: string, name: string): boolean {
  return ctx.can('list', kind, namespace) || ctx.can('get', kind, namespace, name)
}

/** Where a caller may list (or watch) objects. */
export interface ReadScope {
  /** Every kind everywhere: nothing to filter. */
  readonly all: boolean
  /** Nothing at all: a read may answer empty without asking the database. */
  readonly none: boolean
  /** What an event query keeps (`EventQuery.scope`); undefined when it keeps everything (`all`). */
  readonly filter: EventScope | undefined
  /** May the caller list (watch) objects of `kind` in `namespace` ('' for cluster-scoped kinds)? */
  includes(kind: string, namespace: string): boolean
}

const scopes = new WeakMap<GraphQLContext, Map<string, { revision: number; scope: ReadScope }>>()

/**
 * The kinds and namespaces the caller may `list` (or `watch`), from RBAC (services/auth/rbac.ts
 * `listGrants`), answered once per state of the RBAC objects for an operation.
 */
export function readScope(ctx: GraphQLContext, verb: 'list' | 'watch' = 'list'): ReadScope {
  const user = ctx.request.user
  if (!user) return everything
  const cached = scopes.get(ctx)?.get(verb)
  if (cached && cached.revision === ctx.projection.revision) return cached.scope
  const kinds = ctx.api.registry.kinds.map((k) => ({ kind: k.kind, apiGroup: k.group, resource: k.resource, namespaced: k.namespaced }))
  const grants = listGrants(ctx.projection.state, user, verb, kinds)
  const namespaces = new Map([...grants.namespaces].map(([ns, granted]) => [ns, granted.map((k) => k.kind)]))
  const scope =
    grants.everywhere.length === kinds.length
      ? everything
      : scopeOf(
          grants.everywhere.map((k) => k.kind),
          namespaces,
        )
  if (!scopes.has(ctx)) scopes.set(ctx, new Map())
  scopes.get(ctx)!.set(verb, { revision: ctx.projection.revision, scope })
  return scope
}

const everything: ReadScope = { all: true, none: false, filter: undefined, includes: () => true }

function scopeOf(kinds: string[], namespaces: Map<string, string[]>): ReadScope {
  const everywhere = new Set(kinds)
  const inNamespace = new Map([...namespaces].map(([ns, ks]) => [ns, new Set(ks)]))
  return {
    all: false,
    none: kinds.length === 0 && namespaces.size === 0,
    filter: { kinds, namespaces },
    includes: (kind, namespace) => everywhere.has(kind) || (inNamespace.get(namespace)?.has(kind) ?? false),
  }
}

/** The object as this caller may see it: sensitive values replaced by "<redacted>", keys kept. */
export function shown(ctx: GraphQLContext, kind: string, namespace: string, name: string, object: JsonObject): JsonObject {
  if (!isSensitiveKind(kind) || ctx.can('get', kind, namespace, name)) return object
  return redact(object, kind)
}

/** The entries of a listing this caller may see (list on their kind there), their objects redacted where they must be. */
export function listedEvents(ctx: GraphQLContext, events: LogEvent[]): LogEvent[] {
  const scope = readScope(ctx)
  return events.flatMap((e) =>
    scope.includes(e.kind, e.namespace) ? [{ ...e, object: shown(ctx, e.kind, e.namespace, e.name, e.object) }] : [],
  )
}

/** Who sent a change, from where: in an event's meta, shown only to callers who may read the audit. */
const AUDIT_DETAILS = ['sourceAddress', 'userAgent', 'groups', 'requestId', 'uid']

const auditReaders = new WeakMap<GraphQLContext, { revision: number; answer: boolean }>()

/** May the caller read the audit (`list` on `requests` in `audit.revkube.io`, as the audit query needs)? */
export function mayReadAudit(ctx: GraphQLContext): boolean {
  const user = ctx.request.user
  if (!user) return true
  const cached = auditReaders.get(ctx)
  if (cached && cached.revision === ctx.projection.revision) return cached.answer
  const answer = ctx.security.can({ user, verb: 'list', apiGroup: 'audit.revkube.io', resource: 'requests' })
  auditReaders.set(ctx, { revision: ctx.projection.revision, answer })
  return answer
}

/**
 * An event's meta as this caller may see it: without the audit details unless it may read the
 * audit. A correlation id that is the request's id (the default) is replaced by a digest of it,
 * so the events of one request still group together without the request id showing.
 */
export function metaShown(ctx: GraphQLContext, meta: LogEvent['meta']): LogEvent['meta'] {
  if (mayReadAudit(ctx)) return meta
  const shown = Object.fromEntries(Object.entries(meta).filter(([key]) => !AUDIT_DETAILS.includes(key))) as LogEvent['meta']
  if (typeof meta.correlationId === 'string' && meta.correlationId === meta.requestId) shown.correlationId = pseudonym(meta.correlationId)
  return shown
}

const pseudonym = (id: string) => `c-${createHash('sha256').update(id).digest('hex').slice(0, 32)}`
