import pg from 'pg'
import type { DatabaseConfig } from '../../services/config.js'
import { openStore, type OpenStoreOptions } from '../../services/app/open-store.js'
import type { Store } from '../../services/store/store.js'

/** The suite runs on PostgreSQL when DATABASE_URL is set, otherwise on embedded PGlite. */
export const databaseUrl = process.env.DATABASE_URL
export const backend: 'postgres' | 'pglite' = databaseUrl ? 'postgres' : 'pglite'

/** A fresh, isolated database: a new schema on PostgreSQL, a new in-memory PGlite otherwise. */
export async function freshDatabaseConfig(): Promise<DatabaseConfig> {
  if (databaseUrl) return { backend: 'postgres', url: databaseUrl, schema: uniqueSchema() }
  return { backend: 'pglite', dataDir: 'memory://' }
}

export function uniqueSchema(prefix = 'test'): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
}

export interface TestStore {
  store: Store
  config: DatabaseConfig
  /** Closes the store and drops what it created. */
  cleanup(): Promise<void>
}

export async function openTestStore(options: Omit<OpenStoreOptions, 'database'> = {}): Promise<TestStore> {
  const config = await freshDatabaseConfig()
  const store = await openStore({ database: config, pollIntervalMs: 200, ...options })
  return {
    store,
    config,
    cleanup: async () => {
      await store.close()
      if (config.backend === 'postgres' && config.schema) await dropSchema(config.url, config.schema)
    },
  }
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`drop schema if exists "${schema}" cascade`)
  } finally {
    await client.end()
  }
}

/** A minimal Kubernetes-shaped object of about `bytes` bytes of JSON. */
export function makeObject(kind: string, namespace: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind,
    metadata: { name, ...(namespace && { namespace }) },
    ...extra,
  }
}
