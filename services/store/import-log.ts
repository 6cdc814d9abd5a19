import { sql, type Transaction } from 'kysely'
import type { Sealer } from '../secrets/sealing.js'
import type { LogEvent, ObjectKey } from './commands.js'
import type { Database } from './database.js'
import { inlineProjections, type ProjectionChanges } from './inline-projections.js'
import { DELETED, keyOf } from './plan-batch.js'
import type { Tables } from './schema.js'

/** The log could not be imported; nothing was written. `revision` names the offending event, if one. */
export class LogImportError extends Error {
  constructor(
    message: string,
    readonly revision?: number,
  ) {
    super(message)
    this.name = 'LogImportError'
  }
}

export interface ImportLogOptions {
  /** Told the last revision written so far (= events imported), after each page. */
  onProgress?: (revision: number) => void
  /**
   * Seals the sensitive fields of each event's object as the writer does: an export holds them
   * in plain text (its reader was allowed to read them), the database must not. `Store.importLog`
   * passes the store's.
   */
  sealer: Sealer
}

export interface ImportedLog {
  events: number
  head: number
}

/**
 * Restores a log read from another database (`revkube export`) into this one, whose log must be
 * empty: every event keeps its revision, tx_revision, commit time and meta, and `objects`,
 * `object_versions` and `log_head` end as the writer would have left them had it appended the
 * events itself. The events must be gapless from revision 1, grouped in transactions as the writer
 * groups them, and describe each object's life as the writer does (no change to an object that
 * does not exist, no uid change without a deletion); otherwise a LogImportError names the event.
 *
 * One transaction holds the head lock throughout: an error anywhere, in the input or the
 * database, leaves the log empty. Offline only: a server's bootstrap writes would make the log
 * non-empty, and are refused.
 */
export async function importLog(
  database: Database,
  pages: AsyncIterable<LogEvent[]> | Iterable<LogEvent[]>,
  options: ImportLogOptions,
): Promise<ImportedLog> {
  const result = await database.db.transaction().execute(async (trx) => {
    const head = await sql<{ revision: number; any_event: boolean }>`
      select revision, exists (select 1 from events) as any_event from log_head where id = 1 for update`.execute(trx)
    const row = head.rows[0]
    if (!row) throw new Error('log_head is empty: the database was not migrated')
    if (row.revision !== 0 || row.any_event) {
      throw new LogImportError(
        `${database.description} already holds a log (head revision ${row.revision}): import restores into an empty database only`,
      )
    }
    const fold = new InlineProjection()
    let last: LogEvent | undefined
    for await (const page of pages) {
      if (page.length === 0) continue
      const plan = fold.apply(page, last)
      await writePage(trx, page, plan, options.sealer)
      last = page[page.length - 1]
      options.onProgress?.(last!.revision)
    }
    if (last) {
      await sql`update log_head set revision = ${last.revision}, committed_at = ${last.committedAt} where id = 1`.execute(trx)
    }
    return { events: last?.revision ?? 0, head: last?.revision ?? 0 }
  })
  await database.syncCommits({ wholeLog: true })
  // Fresh statistics, so the first as-of reads are planned for the restored sizes.
  await sql`analyze events, objects, object_versions`.execute(database.db)
  return result
}

/**
 * `objects` and `object_versions` as a fold over the log: the version an event makes is current
 * until the next event of its key, which ends it [valid_from, valid_to); a deletion leaves the key
 * without a current version. The same rows planBatch (plan-batch.ts) gives the writer, kept here
 * only as each key's current revision and uid.
 */
class InlineProjection {
  private readonly current = new Map<string, { revision: number; uid: string }>()

  apply(page: readonly LogEvent[], previous: LogEvent | undefined): ProjectionChanges {
    const plan: ProjectionChanges = { ended: [], upserts: [], deletes: [] }
    const final = new Map<string, { upsert: number } | { delete: ObjectKey }>()
    for (const event of page) {
      checkOrder(event, previous)
      previous = event
      const key = keyOf(event)
      const now = this.current.get(key)
      const where = `${event.kind} ${event.namespace ? `${event.namespace}/` : ''}${event.name}`
      if (event.type === DELETED) {
        if (!now) throw new LogImportError(`revision ${event.revision} deletes ${where}, which does not exist then`, event.revision)
        this.current.delete(key)
        final.set(key, { delete: { kind: event.kind, namespace: event.namespace, name: event.name } })
      } else {
        if (now && now.uid !== event.uid) {
          throw new LogImportError(
            `revision ${event.revision} changes the uid of ${where} from ${now.uid} to ${event.uid} without deleting it first`,
            event.revision,
          )
        }
        this.current.set(key, { revision: event.revision, uid: event.uid })
        final.set(key, { upsert: event.revision })
      }
      if (now)
        plan.ended.push({
          kind: event.kind,
          namespace: event.namespace,
          name: event.name,
          valid_from: now.revision,
          valid_to: event.revision,
        })
    }
    for (const f of final.values()) {
      if ('upsert' in f) plan.upserts.push(f.upsert)
      else plan.deletes.push(f.delete)
    }
    return plan
  }
}

/** Gapless from 1, and grouped as the writer groups a transaction: one tx_revision and commit time. */
function checkOrder(event: LogEvent, previous: LogEvent | undefined): void {
  const expected = (previous?.revision ?? 0) + 1
  if (event.revision !== expected) {
    throw new LogImportError(`expected revision ${expected}, got ${event.revision}: revisions must be contiguous from 1`, event.revision)
  }
  if (event.txRevision === event.revision) {
    if (previous && event.committedAt.getTime() < previous.committedAt.getTime()) {
      throw new LogImportError(
        `revision ${event.revision} was committed before revision ${previous.revision}: commit times must not go back`,
        event.revision,
      )
    }
    return
  }
  if (!previous || event.txRevision !== previous.txRevision) {
    throw new LogImportError(
      `revision ${event.revision} has txRevision ${event.txRevision}, which is neither its own revision nor the transaction of revision ${expected - 1}`,
      event.revision,
    )
  }
  if (event.committedAt.getTime() !== previous.committedAt.getTime()) {
    throw new LogImportError(
      `revision ${event.revision} has another commit time than revision ${previous.revision} of its transaction`,
      event.revision,
    )
  }
}

/** One statement per page: the events as they were, and the inline projections they make. */
async function writePage(trx: Transaction<Tables>, page: readonly LogEvent[], plan: ProjectionChanges, sealer: Sealer): Promise<void> {
  const rows = page.map((e) =>
    JSON.stringify({
      revision: e.revision,
      tx_revision: e.txRevision,
      type: e.type,
      kind: e.kind,
      namespace: e.namespace,
      name: e.name,
      uid: e.uid,
      object: sealer.seal(e.object, e.kind, e.namespace, e.name),
      meta: e.meta,
      committed_at: e.committedAt.toISOString(),
    }),
  )
  await sql`
    with input as (
      select * from jsonb_to_recordset(${`[${rows.join(',')}]`}::jsonb) as x(
        revision bigint, tx_revision bigint, type text, kind text, namespace text, name text, uid uuid, object jsonb, meta jsonb,
        committed_at timestamptz)
    ),
    appended as (
      insert into events (revision, tx_revision, type, kind, namespace, name, uid, object, meta, committed_at)
      select revision, tx_revision, type, kind, namespace, name, uid, object, meta, committed_at from input
    ),
    ${inlineProjections(plan)}
    select 1`.execute(trx)
}
