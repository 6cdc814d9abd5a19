import { sql, type Kysely } from 'kysely'

/**
 * Indexes for audit queries over the log: events by actor, and events by the revision that
 * caused them (a controller's trigger), so "who did what" and "what did this cause" stay indexed
 * lookups however long the log grows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index events_actor_idx on events ((meta->>'actor'), revision)`.execute(db)
  await sql`
    create index events_causation_idx on events (((meta->>'causationRevision')::bigint), revision)
    where meta ? 'causationRevision'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index events_causation_idx, events_actor_idx`.execute(db)
}
