import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DatabaseConfig } from '../../services/config.js'
import { createLogger } from '../../services/log.js'
import { startServer, type RunningServer } from '../../services/app/server.js'
import { databaseUrl, dropSchema, uniqueSchema } from './store.js'

/**
 * An empty database for `revkube import` on the suite's backend: a new schema on PostgreSQL
 * (DATABASE_URL), a new PGlite data folder otherwise.
 */
export interface RestoreTarget {
  config: DatabaseConfig
  /** The `revkube import` flags that name it. */
  flags: string[]
  /** A server (no controllers) on the database. */
  serve(): Promise<RunningServer>
  /** Drops the schema or removes the folder. */
  cleanup(): Promise<void>
}

export function restoreTarget(): RestoreTarget {
  let config: DatabaseConfig
  let flags: string[]
  let cleanup: () => Promise<void>
  if (databaseUrl) {
    const schema = uniqueSchema('restore')
    config = { backend: 'postgres', url: databaseUrl, schema }
    flags = ['--database-url', databaseUrl, '--schema', schema]
    cleanup = () => dropSchema(databaseUrl!, schema)
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'revkube-restore-'))
    config = { backend: 'pglite', dataDir: join(dir, 'data') }
    flags = ['--data-dir', config.dataDir]
    cleanup = async () => rmSync(dir, { recursive: true, force: true })
  }
  return {
    config,
    flags,
    serve: () =>
      startServer({ database: config, port: 0, host: '127.0.0.1', controllers: false, simNodes: 0 }, createLogger({ level: 'error' })),
    cleanup,
  }
}
