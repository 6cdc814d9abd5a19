import { sql, type Kysely } from 'kysely'

/** A request the server refused: who, from where, what, and why. */
export interface Rejection {
  /** When it was refused (listed: when the first of `count` was). */
  at?: Date
  user?: string | undefined
  groups?: string[] | undefined
  sourceAddress?: string | undefined
  userAgent?: string | undefined
  requestId?: string | undefined
  /** The GraphQL operation (`mutation create`) or HTTP path. */
  operation?: string | undefined
  status: number
  reason: string
  message: string
  /** How many such requests (same client address, user, reason, operation and status) its minute held. @default 1 */
  count?: number
}

/** Longest stored user, address, user agent, request id, operation and reason; longest stored message. */
export const FIELD_CHARS = 256
export const MESSAGE_CHARS = 1024

export interface RejectionQuery {
  since?: Date | undefined
  until?: Date | undefined
  user?: string | undefined
  limit: number
}

export interface RejectionLogOptions {
  /** Rows older than this are deleted, ms. */
  retentionMs: number
  /** Told when writing or pruning fails (auditing never fails a request). */
  onError(error: unknown): void
  /** How often what was refused is written, ms. @default 1000 */
  flushMs?: number
}

/** Distinct rows held in memory before they are written at once. */
const MAX_PENDING = 10_000

const MINUTE = 60_000

/**
 * The `rejected_requests` table, written cheaply: refused requests are counted in memory per client
 * address, user, reason, operation, status and minute, and written once a second as one upsert that
 * adds to that minute's row. Every stored field is truncated (`FIELD_CHARS`, `MESSAGE_CHARS`); a
 * row keeps the first request's user agent, request id and message. Rows older than the retention
 * are deleted as the log goes (an indexed delete, at most once a minute). Several servers over one
 * database add to the same rows.
 */
export class RejectionLog {
  private pending = new Map<string, Required<Pick<Rejection, 'at' | 'count'>> & Rejection>()
  private writing: Promise<void> = Promise.resolve()
  private readonly flushTimer: NodeJS.Timeout
  private readonly pruneTimer: NodeJS.Timeout

  constructor(
    private readonly db: Kysely<any>,
    private readonly options: RejectionLogOptions,
  ) {
    this.flushTimer = setInterval(() => void this.flush(), options.flushMs ?? 1000).unref()
    this.pruneTimer = setInterval(() => void this.prune().catch(options.onError), Math.min(options.retentionMs, MINUTE)).unref()
  }

  /** Counts a refused request; it reaches the table within a second. Never throws. */
  record(rejection: Rejection): void {
    const at = rejection.at ?? new Date()
    const r = {
      ...rejection,
      at,
      count: rejection.count ?? 1,
      user: cut(rejection.user),
      sourceAddress: cut(rejection.sourceAddress),
      userAgent: cut(rejection.userAgent),
      requestId: cut(rejection.requestId),
      operation: cut(rejection.operation),
      reason: rejection.reason.slice(0, FIELD_CHARS),
      message: rejection.message.slice(0, MESSAGE_CHARS),
      groups: rejection.groups?.slice(0, 32).map((g) => g.slice(0, FIELD_CHARS)),
    }
    const key = JSON.stringify([windowOf(at), r.sourceAddress, r.user, r.reason, r.operation, r.status])
    const held = this.pending.get(key)
    if (held) held.count += r.count
    else this.pending.set(key, r)
    if (this.pending.size >= MAX_PENDING) void this.flush()
  }

  /** Writes what is held in memory (in one statement); resolves once it is in the table. */
  flush(): Promise<void> {
    const batch = [...this.pending.values()]
    this.pending = new Map()
    this.writing = this.writing.then(async () => {
      if (batch.length === 0) return
      const rows = batch.map((r) => ({
        at: r.at.toISOString(),
        window_start: new Date(windowOf(r.at)).toISOString(),
        user_name: r.user ?? null,
        groups: r.groups ?? null,
        source_address: r.sourceAddress ?? null,
        user_agent: r.userAgent ?? null,
        request_id: r.requestId ?? null,
        operation: r.operation ?? null,
        status: r.status,
        reason: r.reason,
        message: r.message,
        count: r.count,
      }))
      await sql`
        insert into rejected_requests (at, window_start, user_name, groups, source_address, user_agent, request_id, operation, status, reason, message, count)
        select at, window_start, user_name, groups, source_address, user_agent, request_id, operation, status, reason, message, count
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(
          at timestamptz, window_start timestamptz, user_name text, groups jsonb, source_address text, user_agent text,
          request_id text, operation text, status integer, reason text, message text, count integer)
        on conflict (window_start, source_address, user_name, reason, operation, status)
        do update set count = rejected_requests.count + excluded.count`
        .execute(this.db)
        .catch(this.options.onError)
    })
    return this.writing
  }

  /** Deletes the rows older than the retention; resolves with how many went. */
  async prune(): Promise<number> {
    const before = new Date(Date.now() - this.options.retentionMs)
    const result = await sql`delete from rejected_requests where at < ${before}`.execute(this.db)
    return Number(result.numAffectedRows ?? 0)
  }

  /** Refused requests, oldest first, in a time range, optionally of one user (what is held in memory included). */
  async list(q: RejectionQuery): Promise<Rejection[]> {
    await this.flush()
    const rows = await sql<Row>`
      select at, user_name, groups, source_address, user_agent, request_id, operation, status, reason, message, count
      from rejected_requests
      where (${q.since ?? null}::timestamptz is null or at >= ${q.since ?? null})
        and (${q.until ?? null}::timestamptz is null or at <= ${q.until ?? null})
        and (${q.user ?? null}::text is null or user_name = ${q.user ?? null})
      order by at, id
      limit ${q.limit}`.execute(this.db)
    return rows.rows.map((r) => ({
      at: r.at,
      user: r.user_name ?? undefined,
      groups: r.groups ?? undefined,
      sourceAddress: r.source_address ?? undefined,
      userAgent: r.user_agent ?? undefined,
      requestId: r.request_id ?? undefined,
      operation: r.operation ?? undefined,
      status: r.status,
      reason: r.reason,
      message: r.message,
      count: r.count,
    }))
  }

  /** Stops the timers and writes what is held (before the database closes). */
  async close(): Promise<void> {
    clearInterval(this.flushTimer)
    clearInterval(this.pruneTimer)
    await this.flush()
  }
}

/** A row of `rejected_requests` as it is read. */
interface Row {
  at: Date
  user_name: string | null
  groups: string[] | null
  source_address: string | null
  user_agent: string | null
  request_id: string | null
  operation: string | null
  status: number
  reason: string
  message: string
  count: number
}

const cut = (value: string | undefined) => value?.slice(0, FIELD_CHARS)

/** The start of the minute `at` falls in, epoch ms. */
const windowOf = (at: Date) => Math.floor(at.getTime() / MINUTE) * MINUTE
