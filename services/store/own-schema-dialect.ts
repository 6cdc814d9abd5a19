import { PostgresDialect, sql, type DatabaseIntrospector, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely'

/**
 * PostgreSQL as Kysely speaks it, but introspecting only the session's own schema. Kysely's
 * PostgreSQL introspector reads every table of every schema in the database (the migrator asks it
 * whether its tables exist), calling `pg_get_serial_sequence` on each: slow where one database
 * holds many revkube schemas, and an error ("schema … does not exist") when another process drops
 * its schema during the scan. revkube's migrations need only the current schema's table names.
 */
export class OwnSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new OwnSchemaIntrospector(db)
  }
}

/** Tables and schema of the session's current schema only (the embedded dialect uses it too). */
export class OwnSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<any>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{
      name: string
    }>`select nspname as name from pg_catalog.pg_namespace where nspname = current_schema()`.execute(this.db)
    return rows
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; schema: string; isView: boolean }>`
      select c.relname as name, n.nspname as schema, c.relkind = 'v' as "isView"
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v')`.execute(this.db)
    return rows.map((row) => ({ ...row, columns: [] }))
  }

  async getMetadata(): Promise<{ tables: TableMetadata[] }> {
    return { tables: await this.getTables() }
  }
}
