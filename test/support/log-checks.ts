import { sql } from 'kysely'
import { expect } from 'vitest'
import type { Store } from '../../services/store/store.js'

/**
 * Checks what must hold of any log, however its writers ended: revisions 1..head without a gap,
 * the head row agreeing, every commit batch whole, and `objects` and `object_versions` equal to
 * a fold of the events.
 */
export async function expectConsistentLog(store: Store): Promise<number> {
  const db = store.database.db
  const head = (await store.head()).revision
  const stats = await sql<{ n: number; max: number | null; batches: number }>`
    select count(*)::int as n, max(revision) as max, count(distinct tx_revision)::int as batches from events`.execute(db)
  expect(stats.rows[0]!.n).toBe(head)
  expect(stats.rows[0]!.max ?? 0).toBe(head)

  // Each batch is [tx_revision, next batch's tx_revision - 1], every event of it present.
  const torn = await sql<{ tx_revision: number }>`
    select tx_revision from (
      select tx_revision, count(*) as n, max(revision) as last,
             lead(tx_revision) over (order by tx_revision) as next
      from events group by tx_revision) b
    where last - tx_revision + 1 <> n or (next is not null and next <> last + 1)`.execute(db)
  expect(torn.rows).toEqual([])

  // objects = the last event of each key, unless that event deleted it.
  const drift = await sql<{ kind: string }>`
    with last as (
      select distinct on (kind, namespace, name) kind, namespace, name, revision, type, object
      from events order by kind, namespace, name, revision desc)
    select coalesce(l.kind, o.kind) as kind from last l
    full join objects o using (kind, namespace, name)
    where (l.type <> 'Deleted' and (o.revision is distinct from l.revision or o.object is distinct from l.object))
       or (l.type = 'Deleted' and o.kind is not null)
       or l.kind is null`.execute(db)
  expect(drift.rows).toEqual([])

  // object_versions = one row per event that a later event of the same key replaced or deleted.
  const versions = await sql<{ kind: string }>`
    with expected as (
      select kind, namespace, name, revision as valid_from,
             lead(revision) over (partition by kind, namespace, name order by revision) as valid_to, type
      from events)
    select coalesce(e.kind, v.kind) as kind
    from (select * from expected where type <> 'Deleted' and valid_to is not null) e
    full join object_versions v using (kind, namespace, name, valid_from)
    where e.valid_to is distinct from v.valid_to`.execute(db)
  expect(versions.rows).toEqual([])
  return head
}
