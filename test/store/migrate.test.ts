import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import { migrations } from '../../migrations/index.js'
import { describe, expect, it } from 'vitest'
import { NewerSchemaError } from '../../services/store/migrate.js'
import { openStore } from '../../services/app/open-store.js'
import { backend, databaseUrl, dropSchema, makeObject, uniqueSchema } from '../support/store.js'
import type { DatabaseConfig } from '../../services/config.js'

/** A database that outlives one store: a schema on PostgreSQL, a folder for PGlite. */
function persistentConfig(): { config: DatabaseConfig; cleanup: () => Promise<void> } {
  const url = databaseUrl
  if (url) {
    const schema = uniqueSchema('migrate')
    return { config: { backend: 'postgres', url, schema }, cleanup: () => dropSchema(url, schema) }
  }
  const dir = mkdtempSync(join(tmpdir(), 'revkube-migrate-'))
  return { config: { backend: 'pglite', dataDir: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) }
}

describe(`migrations (${backend})`, () => {
  it('run once, are idempotent on restart, and keep the data', async () => {
    const { config, cleanup } = persistentConfig()
    try {
      const first = await openStore({ database: config })
      await first.appendOne({
        op: 'put',
        type: 'Created',
        kind: 'Secret',
        namespace: 'ns',
        name: 's',
        object: makeObject('Secret', 'ns', 's'),
      })
      await first.close()
      const second = await openStore({ database: config })
      const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(second.database.db)
      expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(migrations))
      expect(await second.get({ kind: 'Secret', namespace: 'ns', name: 's' })).toBeDefined()
      expect((await second.head()).revision).toBe(1)
      await second.close()
    } finally {
      await cleanup()
    }
  })

  it('refuse a database migrated by a newer revkube, with a clear message', async () => {
    const { config, cleanup } = persistentConfig()
    try {
      const store = await openStore({ database: config })
      await sql`insert into kysely_migration (name, timestamp) values ('9999-from-the-future', now()::text)`.execute(store.database.db)
      await store.close()
      const error = await openStore({ database: config }).catch((e) => e)
      expect(error).toBeInstanceOf(NewerSchemaError)
      expect(error.message).toMatch(/was migrated by a newer revkube \(unknown migrations: 9999-from-the-future\); upgrade revkube/)
    } finally {
      await cleanup()
    }
  })

  it.runIf(backend === 'postgres')('are safe when several processes start at once on one database', async () => {
    const { config, cleanup } = persistentConfig()
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openStore({ database: config })))
      const applied = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(stores[0]!.database.db)
      expect(applied.rows[0]!.n).toBe(Object.keys(migrations).length)
      await Promise.all(stores.map((s) => s.close()))
    } finally {
      await cleanup()
    }
  })

  it.runIf(backend === 'postgres')('look only at their own schema, so others being dropped meanwhile cannot get in the way', async () => {
    // A scan of every schema's tables (Kysely's own introspector) fails with "schema … does not
    // exist" when another revkube drops its schema during the scan: the suite's schemas did.
    const { config, cleanup } = persistentConfig()
    const other = uniqueSchema('other')
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    try {
      await client.query(`create schema "${other}"; create table "${other}".t (id bigserial primary key)`)
      const store = await openStore({ database: config })
      const tables = await store.database.db.introspection.getTables({ withInternalKyselyTables: true })
      expect(new Set(tables.map((t) => t.schema))).toEqual(new Set([config.backend === 'postgres' && config.schema]))
      expect(tables.map((t) => t.name)).toContain('kysely_migration')
      expect(tables.map((t) => t.name)).toContain('events')
      await store.close()
    } finally {
      await client.end()
      await dropSchema(databaseUrl!, other)
      await cleanup()
    }
  })

  it.runIf(backend === 'pglite')('refuse to open a data folder twice', async () => {
    const { config, cleanup } = persistentConfig()
    try {
      const store = await openStore({ database: config })
      await expect(openStore({ database: config })).rejects.toThrow(/is already open in this process/)
      await store.close()
    } finally {
      await cleanup()
    }
  })
})
