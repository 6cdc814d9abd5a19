import { Migrator, sql, type Kysely } from 'kysely'
import { migrations } from '../../migrations/index.js'

/** The database holds migrations this build does not know: a newer revkube wrote it. */
export class NewerSchemaError extends Error {
  constructor(unknown: string[], where: string) {
    super(
      `${where} was migrated by a newer revkube (unknown migrations: ${unknown.join(', ')}); ` +
        'upgrade revkube to use it, or point it at another database',
    )
    this.name = 'NewerSchemaError'
  }
}

/**
 * Brings the schema up to date. Idempotent, and safe when several processes start at once:
 * Kysely's migrator holds a PostgreSQL advisory lock while it runs.
 */
export async function migrate(db: Kysely<any>, where: string): Promise<void> {
  const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
  if (!schema) throw new Error('no current schema: set search_path to an existing schema')
  await refuseNewer(db, schema, where)

  const migrator = new Migrator({
    db,
    migrationTableSchema: schema,
    provider: { getMigrations: async () => migrations },
  })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error) {
    const message = error instanceof Error ? error.message : String(error)
    if (message.includes('corrupted migrations')) await refuseNewer(db, schema, where)
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${message}`, { cause: error })
  }
}

async function refuseNewer(db: Kysely<any>, schema: string, where: string): Promise<void> {
  const exists = await sql<{ found: boolean }>`
    select to_regclass(${`"${schema}".kysely_migration`}) is not null as found`.execute(db)
  if (!exists.rows[0]?.found) return
  const applied = await sql<{ name: string }>`select name from ${sql.table(`${schema}.kysely_migration`)}`.execute(db)
  const unknown = applied.rows.map((r) => r.name).filter((name) => !(name in migrations))
  if (unknown.length > 0) throw new NewerSchemaError(unknown, where)
}
