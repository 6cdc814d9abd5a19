import { sql, type Transaction } from 'kysely'
import { Subject, type Observable } from 'rxjs'
import { v4 as uuidv4 } from 'uuid'
import { StatusError } from '../errors.js'
import type { Logger } from '../log.js'
import type { Sealer } from '../secrets/sealing.js'
import type { AppendCommand, AppendOutcome, LogEvent, ObjectKey } from './commands.js'
import type { Database } from './database.js'
import { inlineProjections } from './inline-projections.js'
import { keyOf, planBatch, type BatchPlan, type CurrentObject } from './plan-batch.js'
import { prepareCommand, type PreparedCommand } from './prepare-command.js'
import type { JsonObject, Tables } from './schema.js'
import { sealPlan } from './seal-plan.js'

export interface WriterOptions {
  /** Most commands in one transaction. @default 500 */
  maxBatch?: number
  /** Generates uids for created objects that bring none. @default uuid v4 */
  newUid?: () => string
  /** Told how long each append took, from the call until its outcomes (e.g. a latency histogram). */
  onAppended?: (seconds: number) => void
  /** Seals the sensitive fields of each event's object before it is written (seal-plan.ts). */
  sealer: Sealer
  log: Logger
}

interface Pending {
  prepared: PreparedCommand
  settle: (outcome: AppendOutcome) => void
}

/**
 * Appends commands to the log with group commit: callers that arrive while a transaction is
 * in flight wait and go together in the next one. Each transaction locks the log head first,
 * then checks preconditions, appends the events, updates `objects` and records the versions
 * they ended in `object_versions`, all in one statement, and commits; only then are outcomes
 * returned and events published on `committed`.
 */
export class Writer {
  private readonly pending: Pending[] = []
  private flushing: Promise<void> | undefined
  private readonly published = new Subject<LogEvent[]>()
  private readonly maxBatch: number
  private readonly newUid: () => string

  /** Each committed batch's events, in commit order, after the commit. */
  readonly committed: Observable<LogEvent[]> = this.published.asObservable()

  constructor(
    private readonly database: Database,
    private readonly options: WriterOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 500
    this.newUid = options.newUid ?? uuidv4
  }

  /** Appends the commands (in this order, in one batch) and returns each one's outcome. */
  append(commands: readonly AppendCommand[]): Promise<AppendOutcome[]> {
    if (commands.length === 0) return Promise.resolve([])
    const onAppended = this.options.onAppended
    const started = onAppended ? performance.now() : 0
    return new Promise((resolve) => {
      const outcomes: AppendOutcome[] = new Array(commands.length)
      let left = commands.length
      commands.forEach((command, i) => {
        this.pending.push({
          prepared: prepareCommand(command),
          settle: (outcome) => {
            outcomes[i] = outcome
            if (--left > 0) return
            onAppended?.((performance.now() - started) / 1000)
            resolve(outcomes)
          },
        })
      })
      this.flushing ??= this.flush()
    })
  }

  /** Resolves when everything appended so far has been committed or has failed. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing
  }

  close(): void {
    this.published.complete()
  }

  private async flush(): Promise<void> {
    try {
      for (;;) {
        // Let callers whose appends just returned queue their next ones: one big batch, not
        // two half-size batches taking turns.
        await new Promise((resolve) => setImmediate(resolve))
        if (this.pending.length === 0) break
        const batch = this.pending.splice(0, Math.max(this.maxBatch, 1))
        await this.commit(batch)
      }
    } finally {
      this.flushing = undefined
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    let plan: BatchPlan
    let committedAt: Date
    try {
      ;({ plan, committedAt } = await this.database.db.transaction().execute((trx) => this.write(trx, batch)))
      await this.database.syncCommits()
    } catch (error) {
      if (batch.length > 1 && isDataError(error)) {
        // Something in one command upset the database; find it by committing each alone.
        for (const one of batch) await this.commit([one])
        return
      }
      const failure = toStatusError(error)
      this.options.log.error('append failed', { commands: batch.length, error })
      for (const p of batch) p.settle({ ok: false, error: failure })
      return
    }

    const events: LogEvent[] = []
    const txRevision = plan.events[0]?.revision ?? 0
    for (const e of plan.events) {
      events.push({
        revision: e.revision,
        txRevision,
        type: e.type,
        kind: e.key.kind,
        namespace: e.key.namespace,
        name: e.key.name,
        uid: e.uid,
        object: e.object,
        meta: e.meta,
        committedAt,
      })
    }
    let next = 0
    plan.outcomes.forEach((outcome, i) => {
      if ('error' in outcome) batch[i]!.settle({ ok: false, error: outcome.error })
      else batch[i]!.settle({ ok: true, event: events[next++]! })
    })
    if (events.length > 0) this.published.next(events)
  }

  private async write(trx: Transaction<Tables>, batch: Pending[]): Promise<{ plan: BatchPlan; committedAt: Date }> {
    // The head lock comes first: every precondition check then sees every earlier commit, and
    // revisions are handed out in commit order.
    const prepared = batch.map((p) => p.prepared)
    const { head, current } = await lockHeadAndRead(
      trx,
      prepared.flatMap((p) => (p.error ? [] : [p.command])),
    )
    const plan = planBatch(head.revision, current, prepared, this.newUid)
    if (plan.events.length === 0) return { plan, committedAt: head.committedAt }
    sealPlan(plan, this.options.sealer)

    const result = await sql<{ committed_at: Date }>`
      with input as (
        select * from jsonb_to_recordset(${`[${plan.events.map((e) => e.json).join(',')}]`}::jsonb) as x(
          revision bigint, type text, kind text, namespace text, name text, uid uuid, object jsonb, meta jsonb)
      ),
      head as (
        -- Milliseconds, as clients see time; never earlier than the previous commit, so time maps to revision monotonically.
        update log_head set revision = ${plan.head}, committed_at = greatest(date_trunc('milliseconds', clock_timestamp()), committed_at)
        where id = 1 returning committed_at
      ),
      appended as (
        insert into events (revision, tx_revision, type, kind, namespace, name, uid, object, meta, committed_at)
        select i.revision, ${plan.events[0]!.revision}, i.type, i.kind, i.namespace, i.name, i.uid, i.object, i.meta, head.committed_at
        from input i, head
      ),
      ${inlineProjections(plan)}
      select committed_at, pg_notify(${this.database.channel}, ${String(plan.head)}) from head`.execute(trx)
    return { plan, committedAt: result.rows[0]!.committed_at }
  }
}

/**
 * Locks the log head and reads the current uid and revision of every object the commands name
 * (and the object itself, for deletions), in one round trip (see migrations/0001).
 */
async function lockHeadAndRead(
  trx: Transaction<Tables>,
  commands: AppendCommand[],
): Promise<{ head: { revision: number; committedAt: Date }; current: Map<string, CurrentObject> }> {
  const wanted = new Map<string, ObjectKey & { with_object: boolean }>()
  for (const c of commands) {
    const key = keyOf(c)
    const entry = wanted.get(key)
    if (entry) entry.with_object ||= c.op === 'delete'
    else wanted.set(key, { kind: c.kind, namespace: c.namespace, name: c.name, with_object: c.op === 'delete' })
  }
  const result = await sql<{
    head: number | null
    head_committed_at: Date | null
    kind: string
    namespace: string
    name: string
    uid: string
    revision: number
    object: JsonObject | null
  }>`select * from lock_head_and_read(${JSON.stringify([...wanted.values()])}::jsonb)`.execute(trx)
  const [first, ...rows] = result.rows
  if (first?.head == null) throw new Error('log_head is empty: the database was not migrated')
  const current = new Map<string, CurrentObject>()
  for (const r of rows) current.set(keyOf(r), { uid: r.uid, revision: r.revision, ...(r.object && { object: r.object }) })
  return { head: { revision: first.head, committedAt: first.head_committed_at! }, current }
}

/** SQLSTATE class 22 (data exception) or 23 (integrity): the input, not the database, is at fault. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'))
}

function toStatusError(error: unknown): StatusError {
  const code = String((error as { code?: unknown }).code ?? '')
  if (
    code.startsWith('08') ||
    code.startsWith('57') ||
    /^E[A-Z]+$/.test(code) ||
    /terminat|connect/i.test(String((error as Error).message))
  ) {
    return new StatusError(
      'ServiceUnavailable',
      'the database is unavailable; the write may or may not have been applied (check its resourceVersion)',
    )
  }
  return new StatusError('InternalError', `Internal error occurred: ${(error as Error).message ?? String(error)}`)
}
