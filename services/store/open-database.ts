import type { DatabaseConfig } from '../config.js'
import type { Database, DatabaseOptions } from './database.js'

/** Connects to the configured backend; each is loaded only when chosen (PGlite's WebAssembly is large). */
export async function openDatabase(config: DatabaseConfig, options: DatabaseOptions = {}): Promise<Database> {
  if (config.backend === 'postgres') {
    const { openPostgres } = await import('./postgres-database.js')
    return openPostgres({ ...config, ...options })
  }
  const { openPGlite } = await import('./pglite-database.js')
  return openPGlite(config)
}
