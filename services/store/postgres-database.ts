import { Kysely } from 'kysely'
import pg from 'pg'
import { share } from 'rxjs'
import { redact } from '../config.js'
import { StatusError } from '../errors.js'
import { channelFor, DatabaseUnavailableError, parseInt8, type Database, type HeldLock } from './database.js'
import { listen } from './postgres-listener.js'
import { OwnSchemaPostgresDialect } from './own-schema-dialect.js'
import type { Tables } from './schema.js'

export interface PostgresOptions {
  url: string
  /** Tables live in this schema (created if missing) instead of the search_path's first. */
  schema?: string
  /** Connections in the pool. @default 10 */
  poolSize?: number
  /** Longest a statement of `reads` may run, ms (its sessions' `statement_timeout`). @default no limit */
  statementTimeoutMs?: number
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  // work_mem: lists of thousands of objects sort in memory instead of spilling to disk.
  const settings = ['-c synchronous_commit=on', '-c idle_in_transaction_session_timeout=60000', '-c work_mem=64MB']
  if (options.schema) settings.push(`-c search_path=${options.schema},public`)
  const config: pg.PoolConfig = {
    connectionString: options.url,
    options: settings.join(' '),
    ...(!/[?&]application_name=/.test(options.url) && { application_name: 'revkube' }),
    connectionTimeoutMillis: 10_000,
    types,
  }
  const pool = quietPool({ ...config, max: options.poolSize ?? 10 })
  // Requests' reads get a pool of their own whose sessions cut any statement at the timeout; the
  // writer's appends, migrations and imports stay on `pool`, where nothing is cut halfway.
  const timeout = options.statementTimeoutMs
  const readPool = timeout
    ? quietPool({ ...config, options: `${config.options} -c statement_timeout=${timeout}`, max: options.poolSize ?? 10 })
    : undefined

  const target = describe(options.url)
  try {
    await pool.query('select 1')
  } catch (error) {
    await pool.end().catch(() => {})
    await readPool?.end().catch(() => {})
    throw new DatabaseUnavailableError(`cannot connect to ${target}: ${explain(error)}`, { cause: error })
  }
  if (options.schema) {
    await createSchema(pool, options.schema).catch(async (error: unknown) => {
      await readPool?.end().catch(() => {})
      throw error
    })
  }

  const channel = channelFor(options.schema)
  const wakeups = listen(config, channel).pipe(share())
  const db = new Kysely<Tables>({ dialect: new OwnSchemaPostgresDialect({ pool: busyAware(pool) }) })
  return {
    backend: 'postgres',
    db,
    reads: readPool ? new Kysely<Tables>({ dialect: new OwnSchemaPostgresDialect({ pool: busyAware(readPool) }) }) : db,
    description: target,
    channel,
    wakeups,
    syncCommits: async () => {},
    tryLock: (name) => tryAdvisoryLock(config, `${options.schema ?? ''}:${name}`),
    close: async () => {
      await Promise.all([pool.end(), readPool?.end()])
    },
  }
}

/**
 * A pool that survives its server going away. A client that loses its server emits 'error': idle
 * ones on the pool, checked-out ones on themselves (their query fails with the same error). Either
 * way the pool replaces the client and the next query reconnects, so the event itself needs no
 * action but must not go unheard.
 */
function quietPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config)
  pool.on('error', () => {})
  pool.on('connect', (client) => client.on('error', () => {}))
  return pool
}

async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`create schema if not exists "${schema}"`)
  } catch (error) {
    // Two processes creating it at once: one wins, the other sees a duplicate; both may go on.
    const code = (error as { code?: string }).code
    if (code !== '23505' && code !== '42P06') {
      await pool.end().catch(() => {})
      throw new DatabaseUnavailableError(`cannot create schema "${schema}": ${explain(error)}`, { cause: error })
    }
  }
}

/**
 * A session advisory lock on a connection of its own, checked every few seconds: if the connection
 * dies, PostgreSQL releases the lock and `lost` resolves, so at most one process holds it.
 */
async function tryAdvisoryLock(config: pg.ClientConfig, name: string): Promise<HeldLock | undefined> {
  const client = new pg.Client({ ...config, keepAlive: true })
  let lose!: () => void
  const lost = new Promise<void>((resolve) => (lose = resolve))
  client.on('error', () => lose())
  client.on('end', () => lose())
  try {
    await client.connect()
    const result = await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as locked', [name])
    if (!result.rows[0]?.locked) {
      await client.end()
      return undefined
    }
  } catch {
    await client.end().catch(() => {})
    return undefined
  }
  const check = setInterval(() => void client.query('select 1').catch(() => lose()), 5000)
  check.unref()
  void lost.then(() => clearInterval(check))
  return {
    lost,
    release: async () => {
      clearInterval(check)
      client.removeAllListeners('end')
      await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [name]).catch(() => {})
      await client.end().catch(() => {})
    },
  }
}

/**
 * The pool as Kysely uses it, where a wait for a connection that runs out (every connection busy
 * for `connectionTimeoutMillis`) is a 503 the client may retry, not an internal error.
 */
function busyAware(pool: pg.Pool) {
  return {
    connect: async () => {
      try {
        return await pool.connect()
      } catch (error) {
        if (error instanceof Error && error.message === 'timeout exceeded when trying to connect') {
          throw new StatusError('ServiceUnavailable', 'the database is busy, please try again later', { retryAfterSeconds: 1 })
        }
        throw error
      }
    },
    end: () => pool.end(),
  }
}

function describe(url: string): string {
  try {
    const u = new URL(url)
    return `PostgreSQL at ${u.hostname || u.searchParams.get('host')}:${u.port || 5432}${u.pathname || '/'}`
  } catch {
    return `PostgreSQL at ${redact(url)}`
  }
}

/** A one-line reason for a failed connection, without a stack trace. */
export function explain(error: unknown): string {
  const e = error as { code?: string; message?: string }
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is PostgreSQL running and listening there?)'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found'
    case 'ETIMEDOUT':
      return 'connection timed out'
    case '28P01':
    case '28000':
      return `authentication failed (${e.message})`
    case '3D000':
      return e.message ?? 'database does not exist'
  }
  if (e.message?.includes('timeout')) return 'connection timed out'
  return e.message ?? String(error)
}
