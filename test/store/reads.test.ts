import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isStatusError } from '../../services/errors.js'
import type { AppendCommand } from '../../services/store/commands.js'
import type { Store } from '../../services/store/store.js'
import { backend, makeObject, openTestStore, type TestStore } from '../support/store.js'

let t: TestStore
let store: Store
beforeAll(async () => {
  t = await openTestStore()
  store = t.store
})
afterAll(() => t.cleanup())

const create = (namespace: string, name: string): AppendCommand => ({
  op: 'put',
  type: 'Created',
  kind: 'Pod',
  namespace,
  name,
  object: makeObject('Pod', namespace, name),
  precondition: { exists: false },
})
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe(`reads (${backend})`, () => {
  it('pages a list at one revision even while it changes underneath', async () => {
    await store.append(Array.from({ length: 7 }, (_, i) => create(i % 2 ? 'odd' : 'even', `p${i}`)))
    const first = await store.list({ kind: 'Pod', limit: 3 })
    expect(first.items).toHaveLength(3)
    expect(first.continue).toBeDefined()
    await store.append([create('even', 'p-late'), { op: 'delete', kind: 'Pod', namespace: 'odd', name: 'p5' }])
    const rest: string[] = []
    let page = first
    while (page.continue) {
      page = await store.list({ kind: 'Pod', limit: 3, continue: page.continue })
      expect(page.revision).toBe(first.revision)
      rest.push(...page.items.map((o) => (o.metadata as any).name))
    }
    const names = [...first.items.map((o) => (o.metadata as any).name), ...rest]
    expect(names).toEqual(['p0', 'p2', 'p4', 'p6', 'p1', 'p3', 'p5'])
    expect((await store.list({ kind: 'Pod', namespace: 'odd' })).items.map((o) => (o.metadata as any).name)).toEqual(['p1', 'p3'])
  })

  it('reports the head revision for a list with no items', async () => {
    const head = (await store.head()).revision
    expect(await store.list({ kind: 'Nothing' })).toEqual({ items: [], revision: head })
    expect(await store.list({ kind: 'Pod', namespace: 'nowhere' })).toEqual({ items: [], revision: head })
  })

  it('refuses revisions that are negative, fractional or beyond the head', async () => {
    const head = (await store.head()).revision
    for (const at of [-1, 1.5, head + 1]) {
      const error = await store.list({ kind: 'Pod', at }).catch((e) => e)
      expect(isStatusError(error, 'BadRequest')).toBe(true)
    }
    await expect(store.get({ kind: 'Pod', namespace: 'even', name: 'p0' }, { at: head + 10 })).rejects.toThrow(
      `revision ${head + 10} is newer than the head of the log (${head})`,
    )
    await expect(store.list({ kind: 'Pod', continue: 'garbage' })).rejects.toThrow('continue key is not valid')
    await expect(store.list({ kind: 'Pod', limit: 0 })).rejects.toThrow('limit must be a positive integer')
  })

  it('reads the log in keyset pages and by object', async () => {
    const head = (await store.head()).revision
    const seen: number[] = []
    for (let after = 0; ; ) {
      const page = await store.events({ after, limit: 4 })
      seen.push(...page.map((e) => e.revision))
      if (page.length < 4) break
      after = page[page.length - 1]!.revision
    }
    expect(seen).toEqual(Array.from({ length: head }, (_, i) => i + 1))
    expect((await store.events({ after: 2, to: 4 })).map((e) => e.revision)).toEqual([3, 4])
    expect((await store.events({ kind: 'Pod', namespace: 'odd', name: 'p5' })).map((e) => e.type)).toEqual(['Created', 'Deleted'])
  })
})

describe(`time → revision (${backend})`, () => {
  it('maps every moment to the last revision committed at or before it', async () => {
    for (let i = 0; i < 5; i++) {
      await store.append([create('timed', `t${i}a`), create('timed', `t${i}b`)])
      await sleep(15)
    }
    const events = await store.events({ limit: 10_000 })
    const first = events[0]!.committedAt.getTime()
    const last = events[events.length - 1]!.committedAt.getTime()
    for (let ms = first; ms <= last + 20; ms += 3) {
      const expected = events.filter((e) => e.committedAt.getTime() <= ms).at(-1)!.revision
      expect(await store.revisionAt(new Date(ms))).toBe(expected)
    }
    // Exactly at a batch's commit time, the whole batch is included.
    const batch = events.find((e) => e.name === 't2a')!
    expect(await store.revisionAt(batch.committedAt)).toBe(batch.revision + 1)
  })

  it('refuses a time before the first event and a time in the future', async () => {
    await expect(store.revisionAt(new Date('2001-01-01T00:00:00Z'))).rejects.toThrow(
      /is before the first event \(the first event was committed at/,
    )
    await expect(store.revisionAt(new Date(Date.now() + 3_600_000))).rejects.toThrow(/is in the future/)
    await expect(store.revisionAt(new Date('nonsense'))).rejects.toThrow('time is not a valid date')
  })
})
