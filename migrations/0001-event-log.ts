import { sql, type Kysely } from 'kysely'

/**
 * The event log and its inline projections (docs/design/event-log.md).
 *
 * - `log_head`: one row; every append transaction locks it first and advances `revision`, which
 *   serialises writers and hands out gapless revisions in commit order.
 * - `events`: the immutable log. A trigger rejects UPDATE, DELETE and TRUNCATE.
 * - `objects`: current state, one row per (kind, namespace, name); each row is also the version
 *   valid from its `revision` until further notice.
 * - `object_versions`: every version that has ended, valid for revisions [valid_from, valid_to);
 *   its object is the event at `valid_from`. Insert-only: a version is written once, when a later
 *   event replaces or deletes it. "Kind K (in namespace N) as of R" is the union of the current
 *   objects with revision ≤ R and the ended versions whose range holds R; the GiST index finds
 *   the latter in time that follows the number of objects alive at R, not the length of history
 *   (bench/store.bench.ts measures it against a btree on (kind, valid_to, valid_from)).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists btree_gist with schema public`.execute(db)

  await sql`
    create table log_head (
      id smallint primary key check (id = 1),
      revision bigint not null,
      committed_at timestamptz not null,
      epoch bigint not null default 0,
      compact_revision bigint not null default 0
    )`.execute(db)
  await sql`insert into log_head (id, revision, committed_at) values (1, 0, '-infinity')`.execute(db)

  await sql`
    create table events (
      revision bigint primary key,
      tx_revision bigint not null,
      type text not null,
      kind text collate "C" not null,
      namespace text collate "C" not null,
      name text collate "C" not null,
      uid uuid not null,
      object jsonb not null,
      meta jsonb not null,
      committed_at timestamptz not null
    )`.execute(db)
  await sql`create index events_object_idx on events (kind, namespace, name, revision)`.execute(db)
  // Time → revision: one entry per commit batch (all its events share committed_at).
  await sql`create index events_time_idx on events (committed_at, revision) where revision = tx_revision`.execute(db)

  await sql`
    create function events_are_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the event log is append-only: % on events is not allowed', tg_op
        using errcode = 'restrict_violation';
    end $$`.execute(db)
  await sql`
    create trigger events_append_only before update or delete on events
    for each row execute function events_are_append_only()`.execute(db)
  await sql`
    create trigger events_no_truncate before truncate on events
    for each statement execute function events_are_append_only()`.execute(db)

  await sql`
    create table objects (
      kind text collate "C" not null,
      namespace text collate "C" not null,
      name text collate "C" not null,
      uid uuid not null,
      revision bigint not null,
      object jsonb not null,
      primary key (kind, namespace, name)
    ) with (fillfactor = 50)`.execute(db)

  // The first step of every append, in one round trip: lock the head, then read the current
  // uid and revision of the objects the batch names (and the object itself for deletions).
  // The read is a second statement of a VOLATILE function, so it takes its snapshot after the
  // lock is granted and sees every commit before this one.
  await sql`
    create function lock_head_and_read(keys jsonb) returns table (
      head bigint, head_committed_at timestamptz,
      kind text, namespace text, name text, uid uuid, revision bigint, object jsonb
    ) language plpgsql volatile as $$
    #variable_conflict use_column
    begin
      return query select l.revision, l.committed_at, null::text, null::text, null::text, null::uuid, null::bigint, null::jsonb
        from log_head l where l.id = 1 for update;
      return query select null::bigint, null::timestamptz, o.kind::text, o.namespace::text, o.name::text, o.uid, o.revision,
          case when k.with_object then o.object end
        from jsonb_to_recordset(keys) as k(kind text, namespace text, name text, with_object boolean)
        join objects o on o.kind = k.kind and o.namespace = k.namespace and o.name = k.name;
    end $$`.execute(db)

  await sql`
    create table object_versions (
      kind text collate "C" not null,
      namespace text collate "C" not null,
      name text collate "C" not null,
      valid_from bigint not null,
      valid_to bigint not null,
      primary key (kind, namespace, name, valid_from)
    )`.execute(db)
  // A GiST on the kind's hash (btree_gist's int8 operators are cheaper than its text ones) and
  // the validity range: inserts cost ~40% less than on (kind, namespace, range), lookups the same.
  await sql`
    create index object_versions_asof_idx on object_versions
    using gist ((hashtextextended(kind, 0)), int8range(valid_from, valid_to))`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table object_versions, objects, events, log_head`.execute(db)
  await sql`drop function events_are_append_only, lock_head_and_read`.execute(db)
}
