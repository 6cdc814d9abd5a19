import { Migrator, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { migrations } from '../../migrations/index.js'
import { openDatabase } from '../../services/store/open-database.js'
import { backend, dropSchema, freshDatabaseConfig } from '../support/store.js'

/** Migration 0004 on a table written before it: long fields cut, repeats of one minute merged into a count. */
describe(`migration 0004-rejected-requests-aggregated (${backend})`, () => {
  it('truncates the fields kept before it and merges repeats from one client in one minute', async () => {
    const config = await freshDatabaseConfig()
    const database = await openDatabase(config)
    try {
      // As services/store/migrate.ts runs them: the migrations' own table in the current schema.
      const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db)).rows[0]!.schema
      const migrator = new Migrator({ db: database.db, migrationTableSchema: schema, provider: { getMigrations: async () => migrations } })
      expect((await migrator.migrateTo('0003-rejected-requests')).error).toBeUndefined()
      const row = (at: string, address: string | null, user: string | null, agent: string) =>
        sql`insert into rejected_requests (at, user_name, source_address, user_agent, request_id, operation, status, reason, message)
            values (${at}, ${user}, ${address}, ${agent}, ${'r'.repeat(16_000)}, 'POST /graphql', 401, 'Unauthorized', ${'m'.repeat(5_000)})`.execute(
          database.db,
        )
      for (let i = 0; i < 5; i++) await row(`2026-11-26T14:02:0${i}Z`, '10.0.0.1', null, `${i}-${'u'.repeat(16_000)}`)
      await row('2026-11-26T14:03:00Z', '10.0.0.1', null, 'next minute')
      await row('2026-11-26T14:02:30Z', '10.0.0.2', null, 'another client')
      await row('2026-11-26T14:02:31Z', null, 'alice', 'no address')
      await row('2026-11-26T14:02:32Z', null, 'alice', 'no address again')

      expect((await migrator.migrateToLatest()).error).toBeUndefined()
      const rows = (
        await sql<{
          source_address: string | null
          user_name: string | null
          count: number
          agent: number
          request: number
          message: number
        }>`
          select source_address, user_name, count, length(user_agent) as agent, length(request_id) as request, length(message) as message
          from rejected_requests order by window_start, source_address nulls last`.execute(database.db)
      ).rows
      expect(rows.map((r) => [r.source_address, r.user_name, r.count])).toEqual([
        ['10.0.0.1', null, 5],
        ['10.0.0.2', null, 1],
        [null, 'alice', 2],
        ['10.0.0.1', null, 1],
      ])
      for (const r of rows) {
        expect(r.agent).toBeLessThanOrEqual(256)
        expect(r.request).toBe(256)
        expect(r.message).toBe(1024)
      }
    } finally {
      await database.close()
      if (config.backend === 'postgres' && config.schema) await dropSchema(config.url, config.schema)
    }
  })
})
