import { sql, type Kysely } from 'kysely'
import { SEALED, type Sealer } from '../secrets/sealing.js'
import { sensitiveKinds } from '../secrets/sensitive-fields.js'
import type { JsonObject, Tables } from './schema.js'

export interface ResealResult {
  /** The primary key the objects are now sealed with. */
  keyId: string
  /** Objects re-sealed under it (including ones that were in plain text). */
  resealed: number
  /** Objects already sealed under it. */
  current: number
  /** Objects whose key is missing or whose envelope fails authentication: left as they are. */
  unreadable: number
}

/**
 * Re-seals the current objects of every kind with sensitive fields under the primary key, a page
 * at a time. No event is written and no revision changes: the plain text is the same. A row
 * is replaced only if it is still the version that was read, so a concurrent write (which seals
 * under its own primary) always wins; events stay as they are, under the keys that sealed them.
 */
export async function resealCurrentObjects(db: Kysely<Tables>, sealer: Sealer, pageSize = 500): Promise<ResealResult> {
  const kinds = sensitiveKinds()
  const result: ResealResult = { keyId: sealer.keyring.primary.id, resealed: 0, current: 0, unreadable: 0 }
  if (kinds.length === 0) return result
  let after: [string, string, string] | undefined
  for (;;) {
    const rows = (
      await sql<{ kind: string; namespace: string; name: string; revision: number; object: JsonObject }>`
        select kind, namespace, name, revision, object from objects
        where kind = any(${kinds}::text[]) ${after ? sql`and (kind, namespace, name) > (${after[0]}, ${after[1]}, ${after[2]})` : sql``}
        order by kind, namespace, name limit ${pageSize}`.execute(db)
    ).rows
    const updates: Array<{ kind: string; namespace: string; name: string; revision: number; object: JsonObject }> = []
    for (const row of rows) {
      if (sealer.keyIdOf(row.object) === result.keyId) {
        result.current++
        continue
      }
      const opened = sealer.tryOpen(row.object, row.kind, row.namespace, row.name)
      if (!('object' in opened)) {
        result.unreadable++
        continue
      }
      const sealed = sealer.seal(opened.object, row.kind, row.namespace, row.name)
      if (sealed[SEALED] === undefined) continue // nothing sensitive in it
      updates.push({ ...row, object: sealed })
    }
    if (updates.length > 0) {
      const updated = await sql`
        update objects o set object = u.object
        from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as u(kind text, namespace text, name text, revision bigint, object jsonb)
        where o.kind = u.kind and o.namespace = u.namespace and o.name = u.name and o.revision = u.revision`.execute(db)
      result.resealed += Number(updated.numAffectedRows ?? 0)
    }
    if (rows.length < pageSize) return result
    const last = rows[rows.length - 1]!
    after = [last.kind, last.namespace, last.name]
  }
}
