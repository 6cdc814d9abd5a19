import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isStatusError } from '../../services/errors.js'
import type { AppendCommand, LogEvent } from '../../services/store/commands.js'
import { openStore } from '../../services/app/open-store.js'
import type { Store } from '../../services/store/store.js'
import { expectConsistentLog } from '../support/log-checks.js'
import { postgresBinaries, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js'
import { databaseUrl } from '../support/store.js'
import { waitFor } from '../support/wait.js'

const create = (name: string): AppendCommand => ({
  op: 'put',
  type: 'Created',
  kind: 'Pod',
  namespace: 'web',
  name,
  object: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'web' } },
  precondition: { exists: false },
})

let outageFailures = 0

/** Appends, retrying while the database is away; AlreadyExists on a retry means the first try landed. */
async function appendThroughOutage(store: Store, command: AppendCommand): Promise<void> {
  for (;;) {
    const [outcome] = await store.append([command])
    if (outcome!.ok || isStatusError(outcome!.error, 'AlreadyExists')) return
    if (!isStatusError(outcome!.error, 'ServiceUnavailable')) throw outcome!.error
    outageFailures++
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe.runIf(databaseUrl && postgresBinaries())('a tail across a PostgreSQL restart', () => {
  let postgres: PrivatePostgres
  let store: Store
  beforeAll(async () => {
    postgres = await startPrivatePostgres()
    store = await openStore({ database: { backend: 'postgres', url: postgres.url }, pollIntervalMs: 200 })
  })
  afterAll(async () => {
    await store?.close()
    await postgres?.destroy()
  })

  it('resumes without gap or duplicate, and writes go on once the server is back', async () => {
    const seen: LogEvent[] = []
    const subscription = store.tail(0).subscribe((e) => seen.push(e))
    await Promise.all(Array.from({ length: 100 }, (_, i) => appendThroughOutage(store, create(`before-${i}`))))
    await waitFor(() => seen.length === 100, 'the tail to see the first 100')

    await postgres.crash()
    const writing = Promise.all(Array.from({ length: 100 }, (_, i) => appendThroughOutage(store, create(`during-${i}`))))
    await new Promise((r) => setTimeout(r, 500))
    await postgres.start()
    await writing
    await Promise.all(Array.from({ length: 100 }, (_, i) => appendThroughOutage(store, create(`after-${i}`))))

    const head = await expectConsistentLog(store)
    await waitFor(() => seen.length >= head, 'the tail to reach the head after the restart')
    subscription.unsubscribe()
    expect(outageFailures).toBeGreaterThan(0) // the outage was real: writes failed while it lasted
    expect(head).toBe(300)
    expect(seen.map((e) => e.revision)).toEqual(Array.from({ length: head }, (_, i) => i + 1))
    expect(new Set(seen.map((e) => e.name)).size).toBe(300)
  })
})
