import { sql, type Kysely } from 'kysely'
import { errors } from '../errors.js'
import type { LogEvent, ObjectKey } from './commands.js'
import type { JsonObject, Tables } from './schema.js'

type Db = Kysely<Tables>

/**
 * Turns an object as stored into the object readers see (the store unseals sealed fields with
 * it, services/secrets/sealing.ts); called with the object's kind, namespace and name.
 * @default the object as stored
 */
export type OpenObject = (object: JsonObject, kind: string, namespace: string, name: string) => JsonObject

const asStored: OpenObject = (object) => object

export interface Head {
  revision: number
  /** When the head revision was committed; null for an empty log. */
  committedAt: Date | null
}

export interface ListOptions {
  kind: string
  /** Only this namespace; all namespaces when absent. */
  namespace?: string
  /** Read as of this revision; the current state when absent. */
  at?: number
  /** Page size; everything when absent. */
  limit?: number
  /** The `continue` token of the previous page. */
  continue?: string
}

export interface ObjectList {
  items: JsonObject[]
  /** The revision the list was read at; every page of one listing shares it. */
  revision: number
  /** Present when more items follow: pass it back to read the next page. */
  continue?: string
}

export interface EventQuery {
  /** Events with revision > after. @default 0 */
  after?: number
  /** Events with revision <= to. */
  to?: number
  /** At most this many. @default 1000 */
  limit?: number
  kind?: string
  namespace?: string
  name?: string
  /** Only events by this actor. */
  actor?: string
  /** Only events whose meta.causationRevision is one of these. */
  causedBy?: number[]
  /** Only events of the kinds and namespaces a caller may read; none when the scope is empty. */
  scope?: EventScope
}

/** Kinds readable in every namespace (cluster-scoped kinds: at all), and more kinds in some namespaces. */
export interface EventScope {
  readonly kinds: readonly string[]
  readonly namespaces: ReadonlyMap<string, readonly string[]>
}

export async function readHead(db: Db): Promise<Head> {
  const row = await db.selectFrom('log_head').select(['revision', 'committed_at', 'compact_revision']).executeTakeFirstOrThrow()
  return { revision: row.revision, committedAt: row.revision === 0 ? null : row.committed_at }
}

/** One object, current or as of revision `at`; undefined when it does not exist (then). */
export async function getObject(db: Db, key: ObjectKey, at?: number, open: OpenObject = asStored): Promise<JsonObject | undefined> {
  if (at === undefined) {
    const row = await db
      .selectFrom('objects')
      .select('object')
      .where('kind', '=', key.kind)
      .where('namespace', '=', key.namespace)
      .where('name', '=', key.name)
      .executeTakeFirst()
    return row && open(row.object, key.kind, key.namespace, key.name)
  }
  await checkRevision(db, at)
  // The version valid at R is either the current one (if it began by R) or one that ended after R.
  const row = await sql<{ object: JsonObject }>`
    select object from objects
    where kind = ${key.kind} and namespace = ${key.namespace} and name = ${key.name} and revision <= ${at}
    union all
    select e.object from object_versions v join events e on e.revision = v.valid_from
    where v.kind = ${key.kind} and v.namespace = ${key.namespace} and v.name = ${key.name}
      and v.valid_from <= ${at} and v.valid_to > ${at}`.execute(db)
  const found = row.rows[0]
  return found && open(found.object, key.kind, key.namespace, key.name)
}

/**
 * Many objects as of revision `at`, in one statement: for each key, its object then, or undefined
 * when it did not exist (then). As `getObject`, but one round trip for a page of keys.
 */
export async function getObjects(
  db: Db,
  keys: readonly ObjectKey[],
  at: number,
  open: OpenObject = asStored,
): Promise<Array<JsonObject | undefined>> {
  if (keys.length === 0) return []
  await checkRevision(db, at)
  const wanted = JSON.stringify(keys.map((k) => ({ kind: k.kind, namespace: k.namespace, name: k.name })))
  const result = await sql<{ kind: string; namespace: string; name: string; object: JsonObject }>`
    with k as (select * from jsonb_to_recordset(${wanted}::jsonb) as k(kind text, namespace text, name text))
    select o.kind, o.namespace, o.name, o.object from objects o
    join k on o.kind = k.kind and o.namespace = k.namespace and o.name = k.name
    where o.revision <= ${at}
    union all
    select v.kind, v.namespace, v.name, e.object from object_versions v
    join k on v.kind = k.kind and v.namespace = k.namespace and v.name = k.name
    join events e on e.revision = v.valid_from
    where v.valid_from <= ${at} and v.valid_to > ${at}`.execute(db)
  const found = new Map(result.rows.map((r) => [`${r.kind}\u0000${r.namespace}\u0000${r.name}`, r.object]))
  return keys.map((k) => {
    const object = found.get(`${k.kind}\u0000${k.namespace}\u0000${k.name}`)
    return object && open(object, k.kind, k.namespace, k.name)
  })
}

/**
 * Objects of a kind, ordered by namespace and name, current or as of a revision. Pages share
 * the first page's revision, so a listing is one consistent snapshot however long it takes.
 */
export async function listObjects(db: Db, options: ListOptions, open: OpenObject = asStored): Promise<ObjectList> {
  const limit = options.limit
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw errors.badRequest(`limit must be a positive integer, got ${limit}`)
  }
  const token = options.continue ? decodeContinue(options.continue) : undefined
  if (token && options.at !== undefined && options.at !== token.revision) {
    throw errors.badRequest('a continue token cannot be combined with a different revision')
  }
  const at = token?.revision ?? options.at
  const ns = options.namespace
  const after = token ? sql`and (namespace, name) > (${token.namespace}, ${token.name})` : sql``
  const inNamespace = ns === undefined ? sql`` : sql`and namespace = ${ns}`
  const take = limit === undefined ? sql`` : sql`limit ${limit + 1}`

  let revision: number
  let rows: Array<{ namespace: string; name: string; object: JsonObject }>
  if (at === undefined) {
    // One statement reads the head and the objects, so both come from one snapshot.
    const result = await sql<{ head: number; namespace: string; name: string; object: JsonObject }>`
      select (select revision from log_head where id = 1) as head, namespace, name, object from objects
      where kind = ${options.kind} ${inNamespace}
      order by namespace, name ${take}`.execute(db)
    rows = result.rows
    revision = result.rows[0]?.head ?? (await headOfEmptyList(db, options.kind, ns))
    if (revision < 0) return listObjects(db, options, open) // objects appeared meanwhile: read again
  } else {
    await checkRevision(db, at)
    revision = at
    const result = await sql<{ namespace: string; name: string; object: JsonObject }>`
      select namespace, name, object from (
        select namespace, name, object from objects
        where kind = ${options.kind} ${inNamespace} and revision <= ${at}
        union all
        select v.namespace, v.name, e.object
        from object_versions v join events e on e.revision = v.valid_from
        where hashtextextended(v.kind, 0) = hashtextextended(${options.kind}, 0) and v.kind = ${options.kind}
          ${ns === undefined ? sql`` : sql`and v.namespace = ${ns}`}
          and int8range(v.valid_from, v.valid_to) @> ${at}::bigint
      ) alive
      where true ${after}
      order by namespace, name ${take}`.execute(db)
    rows = result.rows
  }

  const more = limit !== undefined && rows.length > limit
  if (more) rows = rows.slice(0, limit)
  const last = rows[rows.length - 1]
  return {
    items: rows.map((r) => open(r.object, options.kind, r.namespace, r.name)),
    revision,
    ...(more && last && { continue: encodeContinue({ revision, namespace: last.namespace, name: last.name }) }),
  }
}

/**
 * Every current object with the revision they are current at, read in one snapshot (a
 * repeatable-read transaction) in pages, for projections to start from without replaying the log.
 */
export async function readSnapshot(
  db: Db,
  onPage: (objects: Array<{ kind: string; namespace: string; name: string; object: JsonObject }>) => void,
  pageSize = 5000,
  open: OpenObject = asStored,
): Promise<number> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const head = (await trx.selectFrom('log_head').select('revision').executeTakeFirstOrThrow()).revision
      let after: [string, string, string] | undefined
      for (;;) {
        let q = trx
          .selectFrom('objects')
          .select(['kind', 'namespace', 'name', 'object'])
          .orderBy('kind')
          .orderBy('namespace')
          .orderBy('name')
          .limit(pageSize)
        if (after) q = q.where(sql<boolean>`(kind, namespace, name) > (${after[0]}, ${after[1]}, ${after[2]})`)
        const rows = await q.execute()
        for (const r of rows) r.object = open(r.object, r.kind, r.namespace, r.name)
        if (rows.length > 0) onPage(rows)
        if (rows.length < pageSize) return head
        const last = rows[rows.length - 1]!
        after = [last.kind, last.namespace, last.name]
      }
    })
}

/** The head at which no object of the kind exists, or -1 if some exist by now. */
async function headOfEmptyList(db: Db, kind: string, namespace: string | undefined): Promise<number> {
  const result = await sql<{ head: number; found: boolean }>`
    select revision as head, exists (
      select 1 from objects where kind = ${kind} ${namespace === undefined ? sql`` : sql`and namespace = ${namespace}`}
    ) as found
    from log_head where id = 1`.execute(db)
  const row = result.rows[0]!
  return row.found ? -1 : row.head
}

/**
 * The revision the log was at, at a point in time: the last revision committed at or before it.
 * Times before the first event and in the future are refused.
 */
export async function revisionAt(db: Db, time: Date): Promise<number> {
  if (Number.isNaN(time.getTime())) throw errors.badRequest('time is not a valid date')
  const result = await sql<{ next_tx: number | null; head: number; first: Date | null; future: boolean }>`
    select
      (select revision from events where revision = tx_revision and committed_at > ${time}
        order by committed_at, revision limit 1) as next_tx,
      (select revision from log_head where id = 1) as head,
      (select committed_at from events where revision = 1) as first,
      ${time}::timestamptz > clock_timestamp() as future`.execute(db)
  const row = result.rows[0]!
  if (row.future) throw errors.badRequest(`time ${time.toISOString()} is in the future`)
  if (row.first === null || time < row.first) {
    const first = row.first ? ` (the first event was committed at ${row.first.toISOString()})` : ' (the log is empty)'
    throw errors.badRequest(`time ${time.toISOString()} is before the first event${first}`)
  }
  return row.next_tx === null ? row.head : row.next_tx - 1
}

/** A page of the log in revision order; call again with `after` = the last revision seen. */
export async function readEvents(db: Db, query: EventQuery = {}, open: OpenObject = asStored): Promise<LogEvent[]> {
  const q = matching(db, query)
  return q ? (await q.selectAll().execute()).map((row) => toLogEvent(row, open)) : []
}

/** An event without its object and meta: enough to tell which objects a range touched, and to follow causation. */
export interface EventSummary {
  revision: number
  type: string
  kind: string
  namespace: string
  name: string
  /** meta.causationRevision: the event that caused this one. */
  causationRevision: number | null
}

/** Like `readEvents`, without the objects: a page of the log's summaries, in revision order. */
export async function readEventSummaries(db: Db, query: EventQuery = {}): Promise<EventSummary[]> {
  const q = matching(db, query)
  return q ? q.select(summaryColumns).execute() : []
}

const summaryColumns = [
  'revision',
  'type',
  'kind',
  'namespace',
  'name',
  sql<number | null>`(meta->>'causationRevision')::bigint`.as('causationRevision'),
] as const

/** The events a query selects, in revision order, up to its limit; undefined when it can select none. */
function matching(db: Db, query: EventQuery) {
  let q = db
    .selectFrom('events')
    .where('revision', '>', query.after ?? 0)
    .orderBy('revision')
    .limit(query.limit ?? 1000)
  if (query.to !== undefined) q = q.where('revision', '<=', query.to)
  if (query.kind !== undefined) q = q.where('kind', '=', query.kind)
  if (query.namespace !== undefined) q = q.where('namespace', '=', query.namespace)
  if (query.name !== undefined) q = q.where('name', '=', query.name)
  if (query.actor !== undefined) q = q.where(sql<string>`meta->>'actor'`, '=', query.actor)
  if (query.causedBy !== undefined) {
    if (query.causedBy.length === 0) return undefined
    q = q.where(sql<boolean>`meta ? 'causationRevision'`).where(sql<number>`(meta->>'causationRevision')::bigint`, 'in', query.causedBy)
  }
  if (query.scope !== undefined) {
    const { kinds, namespaces } = query.scope
    if (kinds.length === 0 && namespaces.size === 0) return undefined
    q = q.where((eb) =>
      eb.or([
        ...(kinds.length > 0 ? [eb('kind', 'in', kinds)] : []),
        ...[...namespaces].map(([namespace, inNamespace]) => eb.and([eb('namespace', '=', namespace), eb('kind', 'in', inNamespace)])),
      ]),
    )
  }
  return q
}

/** The events at these revisions (those the log has), in revision order. */
export async function readEventsAt(db: Db, revisions: readonly number[], open: OpenObject = asStored): Promise<LogEvent[]> {
  if (revisions.length === 0) return []
  const rows = await db.selectFrom('events').selectAll().where('revision', 'in', revisions).orderBy('revision').execute()
  return rows.map((row) => toLogEvent(row, open))
}

/**
 * The chain of events that led to the one at `revision`, following meta.causationRevision in one
 * statement: its cause first, the root last, at most `limit` of them.
 */
export async function readCauses(db: Db, revision: number, limit: number): Promise<EventSummary[]> {
  const result = await sql<EventSummary & { depth: number }>`
    with recursive chain (revision, cause, depth) as (
      select revision, (meta->>'causationRevision')::bigint, 0 from events where revision = ${revision}
      union all
      select e.revision, (e.meta->>'causationRevision')::bigint, c.depth + 1
      from chain c join events e on e.revision = c.cause
      where c.depth < ${limit}
    )
    select e.revision, e.type, e.kind, e.namespace, e.name, c.cause as "causationRevision", c.depth
    from chain c join events e on e.revision = c.revision
    where c.depth > 0
    order by c.depth`.execute(db)
  return result.rows.map(({ depth: _, ...summary }) => summary)
}

/** The event at one revision, if the log has it. */
export async function readEvent(db: Db, revision: number, open: OpenObject = asStored): Promise<LogEvent | undefined> {
  const row = await db.selectFrom('events').selectAll().where('revision', '=', revision).executeTakeFirst()
  return row ? toLogEvent(row, open) : undefined
}

/** Every event of one object name, across deletions and re-creations, oldest first. */
export async function readHistory(db: Db, key: ObjectKey, open: OpenObject = asStored): Promise<LogEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('kind', '=', key.kind)
    .where('namespace', '=', key.namespace)
    .where('name', '=', key.name)
    .orderBy('revision')
    .execute()
  return rows.map((row) => toLogEvent(row, open))
}

export function toLogEvent(row: Tables['events'], open: OpenObject = asStored): LogEvent {
  return {
    revision: row.revision,
    txRevision: row.tx_revision,
    type: row.type,
    kind: row.kind,
    namespace: row.namespace,
    name: row.name,
    uid: row.uid,
    object: open(row.object, row.kind, row.namespace, row.name),
    meta: row.meta,
    committedAt: row.committed_at,
  }
}

/** A revision to read at must be a whole number no newer than the head and not compacted away. */
export async function checkRevision(db: Db, revision: number): Promise<void> {
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw errors.badRequest(`revision must be a non-negative integer, got ${revision}`)
  }
  const head = await db.selectFrom('log_head').select(['revision', 'compact_revision']).executeTakeFirstOrThrow()
  if (revision > head.revision) {
    throw errors.badRequest(`revision ${revision} is newer than the head of the log (${head.revision})`)
  }
  if (revision < head.compact_revision) {
    throw errors.gone(`too old resource version: ${revision} (${head.compact_revision})`)
  }
}

export interface ContinueToken {
  revision: number
  namespace: string
  name: string
}

/** A continue token that resumes a listing at `revision` after (namespace, name). */
export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 1, rv: token.revision, ns: token.namespace, n: token.name })).toString('base64url')
}

export function decodeContinue(value: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'))
    if (t.v === 1 && Number.isSafeInteger(t.rv) && typeof t.ns === 'string' && typeof t.n === 'string') {
      return { revision: t.rv, namespace: t.ns, name: t.n }
    }
  } catch {
    // fall through
  }
  throw errors.badRequest('continue key is not valid')
}
