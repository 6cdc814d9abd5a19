import type { Observable } from 'rxjs'
import type { DatabaseConfig } from '../config.js'
import { errors, StatusError } from '../errors.js'
import { silentLogger, type Logger } from '../log.js'
import type { Keyring } from '../secrets/keyring.js'
import { Sealer } from '../secrets/sealing.js'
import type { AppendCommand, AppendOutcome, LogEvent, ObjectKey } from './commands.js'
import type { Database } from './database.js'
import { openDatabase } from './open-database.js'
import { importLog, type ImportedLog, type ImportLogOptions } from './import-log.js'
import { migrate } from './migrate.js'
import * as reads from './reads.js'
import { resealCurrentObjects, type ResealResult } from './reseal.js'
import type { JsonObject } from './schema.js'
import { LogFollower } from './tail.js'
import { Writer } from './writer.js'

export interface StoreOptions {
  database: DatabaseConfig
  log?: Logger
  /** Most commands per commit. @default 500 */
  maxBatch?: number
  /** Head poll interval of tails, a safety net under LISTEN/NOTIFY. @default 1000 */
  pollIntervalMs?: number
  newUid?: () => string
  /** Told how long each append took, from the call until its outcomes, as callers wait for them. */
  onAppended?: (seconds: number) => void
  /** Called once connected, before migrating (start-up reports the two apart). */
  onConnected?: (database: Database) => void
  /**
   * The keys that seal the sensitive fields of Secrets (and other kinds that declare some) in the
   * log, or how to open them once the database answers (a key file is created only then). The
   * composition root chooses them (services/app/open-store.ts reads them from the environment).
   */
  keyring: Keyring | (() => Keyring)
  /**
   * Longest one SQL statement of a read (get, list, events, history, …) may run, ms, on PostgreSQL;
   * one cut short is a Timeout (504). Embedded PGlite cannot cut a statement. @default no limit
   */
  statementTimeoutMs?: number
}

/**
 * The event log: append commands, read current and past state, read and tail the log.
 * Open it with `openStore`, which connects and migrates.
 *
 * @example
 * import { openStore } from './services/app/open-store.js'
 *
 * const store = await openStore({ database: { backend: 'pglite', dataDir: 'memory://' } })
 * const key = { kind: 'ConfigMap', namespace: 'default', name: 'x' }
 * const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, data: { a: '1' } }
 * const created = await store.appendOne({ ...key, op: 'put', type: 'Created', object, precondition: { exists: false } })
 * await store.appendOne({ ...key, op: 'put', type: 'Updated', object: { ...object, data: { a: '2' } }, precondition: { revision: created.revision } })
 * console.log((await store.get(key))?.data) // { a: '2' }
 * console.log((await store.get(key, { at: created.revision }))?.data) // { a: '1' }
 * await store.close()
 */
export class Store {
  private readonly writer: Writer
  private readonly follower: LogFollower
  private readonly open: reads.OpenObject

  /** Seals sensitive fields on the way into the log and opens them on the way out. */
  readonly sealer: Sealer

  /** Each batch of events this process committed, right after its commit. */
  readonly committed: Observable<LogEvent[]>

  constructor(
    readonly database: Database,
    options: Omit<StoreOptions, 'database' | 'keyring'> & { keyring: Keyring },
  ) {
    const log = options.log ?? silentLogger
    const sealer = new Sealer(options.keyring, log)
    this.sealer = sealer
    this.open = (object, kind, namespace, name) => sealer.open(object, kind, namespace, name)
    this.writer = new Writer(database, {
      log,
      sealer,
      ...(options.maxBatch !== undefined && { maxBatch: options.maxBatch }),
      ...(options.newUid && { newUid: options.newUid }),
      ...(options.onAppended && { onAppended: options.onAppended }),
    })
    this.committed = this.writer.committed
    this.follower = new LogFollower(database, this.writer.committed, {
      log,
      open: this.open,
      ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
    })
  }

  /**
   * Appends commands; concurrent callers share transactions (group commit). Each command gets
   * its own outcome: a precondition that fails fails that command alone.
   */
  append(commands: readonly AppendCommand[]): Promise<AppendOutcome[]> {
    return this.writer.append(commands)
  }

  /** Appends one command and returns its event, or throws its StatusError. */
  async appendOne(command: AppendCommand): Promise<LogEvent> {
    const [outcome] = await this.writer.append([command])
    if (!outcome!.ok) throw outcome!.error
    return outcome!.event
  }

  head(): Promise<reads.Head> {
    return bounded(reads.readHead(this.database.reads))
  }

  /** The object now, or as of revision `at`; undefined if it does not exist (then). */
  get(key: ObjectKey, options: { at?: number } = {}): Promise<JsonObject | undefined> {
    return bounded(reads.getObject(this.database.reads, key, options.at, this.open))
  }

  /** Many objects as of revision `at`, in one statement: each key's object, or undefined where it did not exist. */
  getAll(keys: readonly ObjectKey[], options: { at: number }): Promise<Array<JsonObject | undefined>> {
    return bounded(reads.getObjects(this.database.reads, keys, options.at, this.open))
  }

  /** Like `get`, but a missing object is a NotFound error. */
  async mustGet(key: ObjectKey, options: { at?: number } = {}): Promise<JsonObject> {
    const object = await this.get(key, options)
    if (!object) throw errors.notFound({ resource: key.kind, group: '' }, key.name)
    return object
  }

  list(options: reads.ListOptions): Promise<reads.ObjectList> {
    return bounded(reads.listObjects(this.database.reads, options, this.open))
  }

  revisionAt(time: Date): Promise<number> {
    return bounded(reads.revisionAt(this.database.reads, time))
  }

  events(query: reads.EventQuery = {}): Promise<LogEvent[]> {
    return bounded(reads.readEvents(this.database.reads, query, this.open))
  }

  /** Like `events`, without objects and meta: which objects a range touched, and what caused what. */
  eventSummaries(query: reads.EventQuery = {}): Promise<reads.EventSummary[]> {
    return bounded(reads.readEventSummaries(this.database.reads, query))
  }

  /** The events at these revisions (those the log has), in revision order. */
  eventsAt(revisions: readonly number[]): Promise<LogEvent[]> {
    return bounded(reads.readEventsAt(this.database.reads, revisions, this.open))
  }

  /** The chain of events that led to the one at `revision` (its cause first, the root last), at most `limit` of them. */
  causes(revision: number, limit: number): Promise<reads.EventSummary[]> {
    return bounded(reads.readCauses(this.database.reads, revision, limit))
  }

  event(revision: number): Promise<LogEvent | undefined> {
    return bounded(reads.readEvent(this.database.reads, revision, this.open))
  }

  history(key: ObjectKey): Promise<LogEvent[]> {
    return bounded(reads.readHistory(this.database.reads, key, this.open))
  }

  /** Every current object, read in one snapshot page by page; returns the snapshot's revision. */
  snapshot(onPage: Parameters<typeof reads.readSnapshot>[1], pageSize?: number): Promise<number> {
    return reads.readSnapshot(this.database.db, onPage, pageSize, this.open)
  }

  /** Every event after revision `after`: the log's backlog, then live commits, gapless and in order. */
  tail(after: number): Observable<LogEvent> {
    return this.follower.tail(after)
  }

  /**
   * Rotates the encryption key: a new random key becomes the primary (written to the key file
   * first; the old keys stay to read older versions), then the current objects are re-sealed
   * under it. Events are immutable and keep the key that sealed them. A keyring from
   * REVKUBE_ENCRYPTION_KEY cannot take a key: put the new key first there, restart, and call
   * `resealCurrentObjects`.
   */
  async rotateEncryptionKey(): Promise<ResealResult> {
    this.sealer.keyring.addPrimaryKey()
    return this.resealCurrentObjects()
  }

  /**
   * Re-seals the current state (`objects`) of every kind with sensitive fields under the primary
   * key: objects sealed under older keys, and ones stored in plain text before sealing existed.
   * Ones whose key is missing are left as they are and counted.
   */
  resealCurrentObjects(options: { pageSize?: number } = {}): Promise<ResealResult> {
    return resealCurrentObjects(this.database.db, this.sealer, options.pageSize)
  }

  /** Restores an exported log into this store's empty database, sealing as the writer does (import-log.ts). */
  importLog(pages: Parameters<typeof importLog>[1], options: Omit<ImportLogOptions, 'sealer'> = {}): Promise<ImportedLog> {
    return importLog(this.database, pages, { ...options, sealer: this.sealer })
  }

  /** Waits for pending appends, stops the tails and closes the database. */
  async close(): Promise<void> {
    await this.writer.drain()
    this.follower.close()
    this.writer.close()
    await this.database.close()
  }
}

/** PostgreSQL's query_canceled: the read pool's statement_timeout cut the statement. */
const QUERY_CANCELED = '57014'

/** A read, whose statement cut short by the statement timeout is a Timeout (504) the client can act on. */
async function bounded<T>(read: Promise<T>): Promise<T> {
  try {
    return await read
  } catch (error) {
    if ((error as { code?: unknown }).code !== QUERY_CANCELED) throw error
    throw new StatusError(
      'Timeout',
      'the read took longer than the statement timeout (REVKUBE_STATEMENT_TIMEOUT) and was stopped: narrow it (a shorter range, a kind, a namespace) or try again later',
    )
  }
}

/** Connects to the configured database, brings its schema up to date, and opens the store. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const database = await openDatabase(
    options.database,
    options.statementTimeoutMs !== undefined ? { statementTimeoutMs: options.statementTimeoutMs } : {},
  )
  options.onConnected?.(database)
  let keyring: Keyring
  try {
    await migrate(database.db, database.description)
    keyring = typeof options.keyring === 'function' ? options.keyring() : options.keyring
  } catch (error) {
    await database.close().catch(() => {})
    throw error
  }
  return new Store(database, { ...options, keyring })
}
