import { sql, type RawBuilder } from 'kysely'
import type { ObjectKey } from './commands.js'
import type { VersionRow } from './plan-batch.js'

/** What a batch of events does to the inline projections (plan-batch.ts plans it). */
export interface ProjectionChanges {
  /** Revisions (rows of the statement's `input`) that become an object's current version. */
  upserts: number[]
  /** Objects deleted by the batch. */
  deletes: ObjectKey[]
  /** Versions the batch ended. */
  ended: VersionRow[]
}

/**
 * The `objects` and `object_versions` writes of one batch, as CTEs (`upserted`, `deleted`,
 * `ended`) over the statement's `input` rows: the same SQL for live appends (writer.ts) and for a
 * restore (import-log.ts), so both keep the views the same way.
 */
export function inlineProjections(changes: ProjectionChanges): RawBuilder<unknown> {
  return sql`
    upserted as (
      insert into objects (kind, namespace, name, uid, revision, object)
      select kind, namespace, name, uid, revision, object from input where revision = any(${changes.upserts}::bigint[])
      on conflict (kind, namespace, name)
      do update set uid = excluded.uid, revision = excluded.revision, object = excluded.object
    ),
    deleted as (
      delete from objects o
      using jsonb_to_recordset(${JSON.stringify(changes.deletes)}::jsonb) as d(kind text, namespace text, name text)
      where o.kind = d.kind and o.namespace = d.namespace and o.name = d.name
    ),
    ended as (
      insert into object_versions (kind, namespace, name, valid_from, valid_to)
      select kind, namespace, name, valid_from, valid_to
      from jsonb_to_recordset(${JSON.stringify(changes.ended)}::jsonb)
        as v(kind text, namespace text, name text, valid_from bigint, valid_to bigint)
    )`
}
