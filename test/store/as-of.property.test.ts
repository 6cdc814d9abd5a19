import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppendCommand, LogEvent } from '../../services/store/commands.js'
import { DELETED } from '../../services/store/plan-batch.js'
import type { JsonObject } from '../../services/store/schema.js'
import type { Store } from '../../services/store/store.js'
import { backend, openTestStore, type TestStore } from '../support/store.js'

let t: TestStore
let store: Store
beforeAll(async () => {
  t = await openTestStore()
  store = t.store
})
afterAll(() => t.cleanup())

/** The reference model: fold the log prefix up to `revision` into a map of live objects. */
function stateAt(events: LogEvent[], revision: number): Map<string, JsonObject> {
  const state = new Map<string, JsonObject>()
  for (const e of events) {
    if (e.revision > revision) break
    const key = `${e.namespace}/${e.name}`
    if (e.type === DELETED) state.delete(key)
    else state.set(key, e.object)
  }
  return state
}

async function allEvents(kind: string): Promise<LogEvent[]> {
  const out: LogEvent[] = []
  for (let after = 0; ; ) {
    const page = await store.events({ after, kind, limit: 50 })
    out.push(...page)
    if (page.length < 50) return out
    after = page[page.length - 1]!.revision
  }
}

async function listAll(kind: string, at: number, pageSize: number): Promise<JsonObject[]> {
  const items: JsonObject[] = []
  let page = await store.list({ kind, at, limit: pageSize })
  items.push(...page.items)
  while (page.continue) {
    page = await store.list({ kind, limit: pageSize, continue: page.continue })
    items.push(...page.items)
  }
  return items
}

const step = fc.record({
  op: fc.constantFrom('create', 'update', 'stale-update', 'put', 'delete'),
  namespace: fc.constantFrom('a', 'b'),
  name: fc.constantFrom('x', 'y', 'z', 'w'),
  value: fc.string({ maxLength: 8 }),
})

let run = 0

describe(`as-of reads (${backend})`, () => {
  it('equal a replay of the log prefix at every revision, through get and paged lists', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(step, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 4 }),
        async (batches, pageSize) => {
          const kind = `Thing${run++}`
          const revisions = new Map<string, number>()
          for (const batch of batches) {
            const commands: AppendCommand[] = batch.map((s) => {
              const key = { kind, namespace: s.namespace, name: s.name }
              const object = { apiVersion: 'v1', kind, metadata: { name: s.name, namespace: s.namespace }, data: { v: s.value } }
              const known = revisions.get(`${s.namespace}/${s.name}`)
              switch (s.op) {
                case 'create':
                  return { op: 'put', type: 'Created', ...key, object, precondition: { exists: false } }
                case 'update':
                  return { op: 'put', type: 'Updated', ...key, object, precondition: { revision: known ?? 1 } }
                case 'stale-update':
                  return { op: 'put', type: 'Updated', ...key, object, precondition: { revision: (known ?? 2) - 1 } }
                case 'put':
                  return { op: 'put', type: 'Applied', ...key, object }
                default:
                  return { op: 'delete', ...key }
              }
            })
            // Half the batches go as one call, half as concurrent single calls.
            const outcomes =
              batches.indexOf(batch) % 2 === 0
                ? await store.append(commands)
                : (await Promise.all(commands.map((c) => store.append([c])))).flat()
            outcomes.forEach((o, i) => {
              const c = commands[i]!
              if (o.ok) revisions.set(`${c.namespace}/${c.name}`, o.event.revision)
            })
          }

          const events = await allEvents(kind)
          const head = (await store.head()).revision
          const checkpoints = new Set([0, head, ...events.map((e) => e.revision), ...events.map((e) => e.revision - 1)])
          for (const at of checkpoints) {
            const expected = stateAt(events, at)
            const listed = await listAll(kind, at, pageSize)
            expect(listed.map((o) => `${(o.metadata as any).namespace}/${(o.metadata as any).name}`)).toEqual([...expected.keys()].sort())
            for (const o of listed) expect(o).toEqual(expected.get(`${(o.metadata as any).namespace}/${(o.metadata as any).name}`))
            for (const [key, object] of expected) {
              const [namespace, name] = key.split('/') as [string, string]
              expect(await store.get({ kind, namespace, name }, { at })).toEqual(object)
            }
          }
          // The current state is the fold of the whole log.
          const current = await store.list({ kind })
          expect(current.items).toEqual([...stateAt(events, head).entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, o]) => o))
        },
      ),
      { numRuns: backend === 'pglite' ? 15 : 30 },
    )
  })
})
