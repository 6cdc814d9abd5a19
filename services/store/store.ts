import type { Observable } from 'rxjs'
import type { DatabaseConfig } from '../config.js'
import { errors } from '../errors.js'
import { silentLogger, type Logger } from '../log.js'
import type { AppendCommand, AppendOutcome, LogEvent, ObjectKey } from './commands.js'
import { openDatabase, type Database } from './database.js'
import { migrate } from './migrate.js'
import * as reads from './reads.js'
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
}

/**
 * The event log: append commands, read current and past state, read and tail the log.
 * Open it with `openStore`, which connects and migrates.
 */
export class Store {
  private readonly writer: Writer
  private readonly follower: LogFollower

  /** Each batch of events this process committed, right after its commit. */
  readonly committed: Observable<LogEvent[]>

  constructor(
    readonly database: Database,
    options: Omit<StoreOptions, 'database'> = {},
  ) {
    const log = options.log ?? silentLogger
    this.writer = new Writer(database, {
      log,
      ...(options.maxBatch !== undefined && { maxBatch: options.maxBatch }),
      ...(options.newUid && { newUid: options.newUid }),
      ...(options.onAppended && { onAppended: options.onAppended }),
    })
    this.committed = this.writer.committed
    this.follower = new LogFollower(database, this.writer.committed, {
      log,
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
    return reads.readHead(this.database.db)
  }

  /** The object now, or as of revision `at`; undefined if it does not exist (then). */
  get(key: ObjectKey, options: { at?: number } = {}): Promise<JsonObject | undefined> {
    return reads.getObject(this.database.db, key, options.at)
  }

  /** Like `get`, but a missing object is a NotFound error. */
  async mustGet(key: ObjectKey, options: { at?: number } = {}): Promise<JsonObject> {
    const object = await this.get(key, options)
    if (!object) throw errors.notFound({ resource: key.kind, group: '' }, key.name)
    return object
  }

  list(options: reads.ListOptions): Promise<reads.ObjectList> {
    return reads.listObjects(this.database.db, options)
  }

  revisionAt(time: Date): Promise<number> {
    return reads.revisionAt(this.database.db, time)
  }

  events(query: reads.EventQuery = {}): Promise<LogEvent[]> {
    return reads.readEvents(this.database.db, query)
  }

  event(revision: number): Promise<LogEvent | undefined> {
    return reads.readEvent(this.database.db, revision)
  }

  history(key: ObjectKey): Promise<LogEvent[]> {
    return reads.readHistory(this.database.db, key)
  }

  /** Every current object, read in one snapshot page by page; returns the snapshot's revision. */
  snapshot(onPage: Parameters<typeof reads.readSnapshot>[1], pageSize?: number): Promise<number> {
    return reads.readSnapshot(this.database.db, onPage, pageSize)
  }

  /** Every event after revision `after`: the log's backlog, then live commits, gapless and in order. */
  tail(after: number): Observable<LogEvent> {
    return this.follower.tail(after)
  }

  /** Waits for pending appends, stops the tails and closes the database. */
  async close(): Promise<void> {
    await this.writer.drain()
    this.follower.close()
    this.writer.close()
    await this.database.close()
  }
}

/** Connects to the configured database, brings its schema up to date, and opens the store. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const database = await openDatabase(options.database)
  options.onConnected?.(database)
  try {
    await migrate(database.db, database.description)
  } catch (error) {
    await database.close().catch(() => {})
    throw error
  }
  return new Store(database, options)
}
