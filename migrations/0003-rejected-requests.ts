import { sql, type Kysely } from 'kysely'

/**
 * Requests the server refused (401 unauthenticated, 403 forbidden, 422 invalid), kept for audit
 * beside the event log rather than in it: they changed nothing. "Who tried what" is answered by
 * this table and the log together (services/audit).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table rejected_requests (
      id bigserial primary key,
      at timestamptz not null default clock_timestamp(),
      user_name text,
      groups jsonb,
      source_address text,
      user_agent text,
      request_id text,
      operation text,
      status integer not null,
      reason text not null,
      message text not null
    )`.execute(db)
  await sql`create index rejected_requests_at_idx on rejected_requests (at)`.execute(db)
  await sql`create index rejected_requests_user_idx on rejected_requests (user_name, at)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table rejected_requests`.execute(db)
}
