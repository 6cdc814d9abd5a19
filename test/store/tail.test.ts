import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppendCommand, LogEvent } from '../../services/store/commands.js'
import { openStore } from '../../services/app/open-store.js'
import type { Store } from '../../services/store/store.js'
import { backend, makeObject, openTestStore, type TestStore } from '../support/store.js'
import { waitFor } from '../support/wait.js'

let t: TestStore
let store: Store
beforeAll(async () => {
  t = await openTestStore()
  store = t.store
})
afterAll(() => t.cleanup())

const create = (name: string): AppendCommand => ({
  op: 'put',
  type: 'Created',
  kind: 'Lease',
  namespace: 'ns',
  name,
  object: makeObject('Lease', 'ns', name),
})
const revisions = (events: LogEvent[]) => events.map((e) => e.revision)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe(`tail (${backend})`, () => {
  it('catches up from the log, then follows live commits, gapless and in order', async () => {
    await store.append(Array.from({ length: 30 }, (_, i) => create(`backlog-${i}`)))
    const seen: LogEvent[] = []
    const subscription = store.tail(10).subscribe((e) => seen.push(e))
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.append([create(`live-${i}`)])))
    const head = (await store.head()).revision
    await waitFor(() => seen.length >= head - 10, 'the tail to reach the head')
    subscription.unsubscribe()
    expect(revisions(seen)).toEqual(range(11, head))
    expect(seen[0]!.name).toBe('backlog-10')
  })

  it('gives two tails from different points the same sequence where they overlap', async () => {
    const a: LogEvent[] = []
    const b: LogEvent[] = []
    const sa = store.tail(0).subscribe((e) => a.push(e))
    await store.append([create('between')])
    const sb = store.tail(5).subscribe((e) => b.push(e))
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.append([create(`more-${i}`)])))
    const head = (await store.head()).revision
    await waitFor(() => a.length === head && b.length === head - 5, 'both tails to reach the head')
    sa.unsubscribe()
    sb.unsubscribe()
    expect(revisions(a)).toEqual(range(1, head))
    expect(a.slice(5)).toEqual(b)
  })

  it.runIf(backend === 'postgres')('sees commits of another store on the same database through LISTEN/NOTIFY', async () => {
    const other = await openStore({ database: t.config, pollIntervalMs: 60_000 })
    try {
      const start = (await store.head()).revision
      const seen: LogEvent[] = []
      // This tail's own poll is slow: only the notification can wake it in time.
      const watcher = await openStore({ database: t.config, pollIntervalMs: 60_000 })
      const subscription = watcher.tail(start).subscribe((e) => seen.push(e))
      await new Promise((r) => setTimeout(r, 300))
      await other.append([create('from-elsewhere')])
      await waitFor(() => seen.length === 1, 'the notification to wake the tail', 10_000)
      subscription.unsubscribe()
      await watcher.close()
      expect(seen[0]!.name).toBe('from-elsewhere')
    } finally {
      await other.close()
    }
  })
})
