import type { Kysely } from 'kysely'
import type { Observable } from 'rxjs'
import type { DatabaseConfig } from '../config.js'
import type { Tables } from './schema.js'

/**
 * One database, whichever backend holds it. Everything above this interface runs the same SQL
 * through Kysely on PostgreSQL and on embedded PGlite (docs/design/event-log.md).
 */
export interface Database {
  readonly backend: 'postgres' | 'pglite'
  readonly db: Kysely<Tables>
  /**
   * The same database for requests' reads: on PostgreSQL a pool of its own whose sessions cut any
   * statement at the statement timeout (`openDatabase`'s `statementTimeoutMs`), so the writer's
   * appends, migrations and imports on `db` are never cut halfway. Embedded PGlite cannot cut a
   * statement (it runs on the server's own thread, without timers): there it is `db`.
   */
  readonly reads: Kysely<Tables>
  /** Where the data lives, for logs: "PostgreSQL 127.0.0.1:5432/test", "PGlite in ./data". */
  readonly description: string
  /** The NOTIFY channel writers signal after each commit. */
  readonly channel: string
  /**
   * Wake-ups from commits of any process (LISTEN/NOTIFY) and after every reconnect. A hint only:
   * readers still read the log from their last revision, so a lost wake-up loses nothing.
   */
  readonly wakeups: Observable<void>
  /**
   * Makes commits acknowledged so far durable, where the backend does not do so itself; `wholeLog`
   * after a transaction that may span much of the write-ahead log (a bulk import).
   */
  syncCommits(options?: { wholeLog?: boolean }): Promise<void>
  /**
   * Tries to take the named lock for this process (a PostgreSQL session advisory lock on a
   * connection of its own; always granted on embedded PGlite, which has one process). Undefined
   * if another process holds it.
   */
  tryLock(name: string): Promise<HeldLock | undefined>
  close(): Promise<void>
}

/** A lock this process holds until it releases it or its connection dies. */
export interface HeldLock {
  /** Resolves if the lock is lost (the connection holding it died). */
  lost: Promise<void>
  release(): Promise<void>
}

/** The database could not be reached or opened; the message is one line for the operator. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DatabaseUnavailableError'
  }
}

export interface DatabaseOptions {
  /** Longest a statement of `reads` may run, ms (PostgreSQL only). @default no limit */
  statementTimeoutMs?: number
}

/** NOTIFY channel names are per schema, so isolated schemas do not wake each other. */
export function channelFor(schema: string | undefined): string {
  return schema ? `revkube_log_${schema}` : 'revkube_log'
}

/** int8 columns arrive as numbers; revisions stay far below 2^53. */
export function parseInt8(value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} is beyond JavaScript's safe integers`)
  return n
}
