import { sql, type Kysely } from 'kysely'

/**
 * Refused requests aggregated: one row per client address, user, reason, operation and status per
 * minute, with how many there were (`count`) and the minute they fell in (`window_start`), so a
 * client repeating a refused request adds one small row a minute, not one per request. Rows
 * already kept are truncated to the field sizes the server now writes (services/audit) and merged
 * the same way; the server deletes rows older than its audit retention.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table rejected_requests add column count integer not null default 1, add column window_start timestamptz`.execute(db)
  await sql`
    update rejected_requests set
      window_start = date_trunc('minute', at),
      user_name = left(user_name, 256),
      source_address = left(source_address, 256),
      user_agent = left(user_agent, 256),
      request_id = left(request_id, 256),
      operation = left(operation, 256),
      reason = left(reason, 256),
      message = left(message, 1024)`.execute(db)
  await sql`
    with groups as (
      select min(id) as keep, count(*) as n, window_start, source_address, user_name, reason, operation, status
      from rejected_requests
      group by window_start, source_address, user_name, reason, operation, status
      having count(*) > 1
    ), kept as (
      update rejected_requests r set count = g.n from groups g where r.id = g.keep returning r.id
    )
    delete from rejected_requests r using groups g
    where r.id <> g.keep
      and r.window_start = g.window_start and r.status = g.status and r.reason = g.reason
      and r.source_address is not distinct from g.source_address
      and r.user_name is not distinct from g.user_name
      and r.operation is not distinct from g.operation`.execute(db)
  await sql`alter table rejected_requests alter column window_start set not null`.execute(db)
  await sql`
    create unique index rejected_requests_window_idx
    on rejected_requests (window_start, source_address, user_name, reason, operation, status) nulls not distinct`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index rejected_requests_window_idx`.execute(db)
  await sql`alter table rejected_requests drop column window_start, drop column count`.execute(db)
}
