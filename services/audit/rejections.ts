import { sql, type Kysely } from 'kysely'

/** A request the server refused: who, from where, what, and why. */
export interface Rejection {
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
}

/** Records a refused request. Best effort: auditing must never turn a 403 into a 500. */
export async function recordRejection(db: Kysely<any>, r: Rejection): Promise<void> {
  await sql`
    insert into rejected_requests (user_name, groups, source_address, user_agent, request_id, operation, status, reason, message)
    values (${r.user ?? null}, ${r.groups ? JSON.stringify(r.groups) : null}::jsonb, ${r.sourceAddress ?? null}, ${r.userAgent ?? null},
            ${r.requestId ?? null}, ${r.operation ?? null}, ${r.status}, ${r.reason}, ${r.message.slice(0, 2000)})`.execute(db)
}

export interface RejectionQuery {
  since?: Date | undefined
  until?: Date | undefined
  user?: string | undefined
  limit: number
}

/** Refused requests, oldest first, in a time range, optionally of one user. */
export async function listRejections(db: Kysely<any>, q: RejectionQuery): Promise<Rejection[]> {
  const rows = await sql<{ at: Date; user_name: string | null; groups: string[] | null; source_address: string | null; user_agent: string | null; request_id: string | null; operation: string | null; status: number; reason: string; message: string }>`
    select at, user_name, groups, source_address, user_agent, request_id, operation, status, reason, message
    from rejected_requests
    where (${q.since ?? null}::timestamptz is null or at >= ${q.since ?? null})
      and (${q.until ?? null}::timestamptz is null or at <= ${q.until ?? null})
      and (${q.user ?? null}::text is null or user_name = ${q.user ?? null})
    order by at, id
    limit ${q.limit}`.execute(db)
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
  }))
}
