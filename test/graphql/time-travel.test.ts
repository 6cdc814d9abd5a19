import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listObjects } from '../../projections/cluster-state.js'
import { stateAt } from '../../projections/state-at.js'
import { applyJsonPatch } from '../../services/resources/patch/json-patch.js'
import type { LogEvent } from '../../services/store/commands.js'
import { startTestServer, type TestServer } from '../support/graphql.js'
import { backend } from '../support/store.js'

let t: TestServer
let log: LogEvent[] = []
let revisions: number[] = []
beforeAll(async () => {
  t = await startTestServer()
  // A history: creates, updates, a delete, a re-create.
  const cm = (name: string, v: string, labels: Record<string, string> = {}) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', labels },
    data: { v },
  })
  const steps: Array<[string, Record<string, unknown>]> = [
    ['mutation($o: JSON!) { create(object: $o) { revision } }', { o: cm('alpha', '1', { tier: 'a' }) }],
    ['mutation($o: JSON!) { create(object: $o) { revision } }', { o: cm('beta', '1', { tier: 'b' }) }],
    ['mutation { patch(kind: "cm", namespace: "default", name: "alpha", type: MERGE, patch: { data: { v: "2" } }) { revision } }', {}],
    ['mutation($o: JSON!) { create(object: $o) { revision } }', { o: cm('gamma', '1', { tier: 'a' }) }],
    ['mutation { delete(kind: "cm", namespace: "default", name: "beta") { revision } }', {}],
    [
      'mutation { patch(kind: "cm", namespace: "default", name: "alpha", type: MERGE, patch: { data: { v: "3" }, metadata: { labels: { tier: "b" } } }) { revision } }',
      {},
    ],
    ['mutation($o: JSON!) { create(object: $o) { revision } }', { o: cm('beta', 'reborn') }],
    [
      'mutation { patch(kind: "cm", namespace: "default", name: "gamma", type: JSON, patch: [{ op: "add", path: "/data/w", value: "x" }]) { revision } }',
      {},
    ],
  ]
  for (const [query, variables] of steps) {
    const result = await t.gql(query, variables)
    expect(result.errors).toBeUndefined()
  }
  log = await t.server.store.events({ limit: 10_000 })
  revisions = log.map((e) => e.revision)
})
afterAll(() => t.close())

const names = (connection: any) => connection.edges.map((e: any) => e.node.raw)

describe(`time travel through GraphQL (${backend})`, () => {
  it('objects(at:) at any revision equals the state folded from the log prefix', async () => {
    const head = revisions.at(-1)!
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: head }), async (at) => {
        const result = await t.gql(
          `query($at: Revision!) { objects(kind: "ConfigMap", at: { revision: $at }) { revision edges { node { raw } } } }`,
          { at: String(at) },
        )
        expect(result.errors).toBeUndefined()
        expect(result.data!.objects.revision).toBe(String(at))
        const folded = await stateAt([log], at)
        expect(names(result.data!.objects)).toEqual(listObjects(folded, 'ConfigMap'))
      }),
      { numRuns: 30 },
    )
  })

  it('reads at a time as at the last revision committed by then', async () => {
    const event = log.find((e) => e.name === 'gamma')!
    const result = await t.gql(
      `query($t: DateTime!) { object(kind: "cm", namespace: "default", name: "gamma", at: { time: $t }) { revision } }`,
      { t: event.committedAt.toISOString() },
    )
    expect(result.errors).toBeUndefined()
    expect(result.data!.object.revision).toBe(String(event.revision))
  })

  it('history lists every version across deletion and re-creation, with diffs that replay', async () => {
    const result = await t.gql(
      `{ history(kind: "configmaps", namespace: "default", name: "beta") { revision type actor object { raw } diff } }`,
    )
    const versions = result.data!.history
    expect(versions.map((v: any) => v.type)).toEqual(['Created', 'Deleted', 'Created'])
    const alpha = (await t.gql(`{ history(kind: "cm", namespace: "default", name: "alpha") { revision object { raw } diff } }`)).data!
      .history
    for (let i = 1; i < alpha.length; i++) {
      const strip = (o: any) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } })
      expect(strip(applyJsonPatch(alpha[i - 1].object.raw, alpha[i].diff))).toEqual(strip(alpha[i].object.raw))
    }
    expect(alpha[1].diff).toEqual([{ op: 'replace', path: '/data/v', value: '2' }])
  })

  it('changes between two revisions equal the difference of the two snapshots', async () => {
    const head = revisions.at(-1)!
    for (const [from, to] of [
      [0, head],
      [2, 5],
      [3, head],
      [revisions[1]!, revisions[6]!],
    ] as Array<[number, number]>) {
      const result = await t.gql(
        `query($f: Revision!, $t: Revision!) { changes(from: { revision: $f }, to: { revision: $t }, kind: "ConfigMap") { type name before { raw } after { raw } } }`,
        { f: String(from), t: String(to) },
      )
      expect(result.errors).toBeUndefined()
      const before = new Map(listObjects(await stateAt([log], from), 'ConfigMap').map((o: any) => [o.metadata.name, o]))
      const after = new Map(listObjects(await stateAt([log], to), 'ConfigMap').map((o: any) => [o.metadata.name, o]))
      const expected: string[] = []
      for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
        const b = before.get(name) as any
        const a = after.get(name) as any
        if (b && a && b.metadata.uid === a.metadata.uid) {
          if (JSON.stringify(b) !== JSON.stringify(a)) expected.push(`MODIFIED ${name}`)
        } else {
          if (b) expected.push(`DELETED ${name}`)
          if (a) expected.push(`CREATED ${name}`)
        }
      }
      expect(result.data!.changes.map((c: any) => `${c.type} ${c.name}`)).toEqual(expected)
    }
  })

  it('revert writes the old spec back as a new revision, and history shows it', async () => {
    const first = log.find((e) => e.name === 'alpha')!.revision
    const result = await t.gql(
      `mutation($r: Revision!) { revert(kind: "cm", namespace: "default", name: "alpha", to: { revision: $r }) { revision raw } }`,
      { r: String(first) },
    )
    expect(result.errors).toBeUndefined()
    expect(result.data!.revert.raw.data).toEqual({ v: '1' })
    expect(result.data!.revert.raw.metadata.labels).toEqual({ tier: 'a' })
    expect(Number(result.data!.revert.revision)).toBeGreaterThan(revisions.at(-1)!)
    const history = (await t.gql(`{ history(kind: "cm", namespace: "default", name: "alpha") { type reason event { verb meta } } }`)).data!
      .history
    expect(history.at(-1)).toMatchObject({
      type: 'Updated',
      reason: `revert to revision ${first}`,
      event: { verb: 'revert', meta: { revertedTo: first } },
    })
  })

  it('revert re-creates an object that is gone', async () => {
    await t.gql(`mutation { delete(kind: "cm", namespace: "default", name: "gamma") { kind } }`)
    const last = log.filter((e) => e.name === 'gamma').at(-1)!.revision
    const result = await t.gql(
      `mutation($r: Revision!) { revert(kind: "cm", namespace: "default", name: "gamma", to: { revision: $r }) { raw } }`,
      { r: String(last) },
    )
    expect(result.errors).toBeUndefined()
    expect(result.data!.revert.raw.data).toEqual({ v: '1', w: 'x' })
  })
})

describe(`bad time-travel input is a coded error (${backend})`, () => {
  const cases: Array<[string, string, Record<string, unknown>, RegExp]> = [
    [
      'a negative revision',
      'query($r: Revision!) { objects(kind: "cm", at: { revision: $r }) { revision } }',
      { r: '-1' },
      /Revision must be a non-negative integer/,
    ],
    [
      'a revision that is not a number',
      'query($r: Revision!) { objects(kind: "cm", at: { revision: $r }) { revision } }',
      { r: 'abc' },
      /Revision must be a non-negative integer/,
    ],
    [
      'a revision beyond the head',
      '{ objects(kind: "cm", at: { revision: "999999" }) { revision } }',
      {},
      /revision 999999 is newer than the head of the log/,
    ],
    [
      'both revision and time',
      '{ objects(kind: "cm", at: { revision: "1", time: "2026-01-01T00:00:00Z" }) { revision } }',
      {},
      /exactly one of revision and time/,
    ],
    ['neither revision nor time', '{ objects(kind: "cm", at: {}) { revision } }', {}, /exactly one of revision and time/],
    [
      'a time before the first event',
      '{ objects(kind: "cm", at: { time: "2001-01-01T00:00:00Z" }) { revision } }',
      {},
      /is before the first event/,
    ],
    [
      'a time that is not a time',
      '{ objects(kind: "cm", at: { time: "yesterday" }) { revision } }',
      {},
      /DateTime must be an RFC 3339 timestamp/,
    ],
  ]
  for (const [what, query, variables, message] of cases) {
    it(`refuses ${what}`, async () => {
      const result = await t.gql(query, variables)
      expect(result.errors?.[0]?.message).toMatch(message)
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST')
    })
  }
})
