import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixedLimits } from '../../graphql/limits.js'
import { defaultLimits } from '../../services/limits.js'
import { whileLive } from '../support/liveness.js'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'
import { backend } from '../support/store.js'

/**
 * The cost estimate counts what an operation may read: `first` given as a variable like a literal,
 * a range read by its size, a chain read by a fixed bound; the queries the README and the CLI send
 * pass it.
 */
let s: SecureServer
let head = 0

beforeAll(async () => {
  s = await startSecureServer({ nobody: [] })
  // A log of a little more than a thousand events.
  for (let batch = 0; batch < 2; batch++) {
    const manifest = (i: number) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${batch}-${i}, namespace: default}\ndata: {k: v}\n`
    const manifests = Array.from({ length: 550 }, (_, i) => manifest(i))
    await s.admin('mutation($m: String!) { apply(manifest: $m) { revision } }', { m: manifests.join('---\n') })
  }
  head = Number((await s.admin('{ revision { revision } }')).revision.revision)
}, 120_000)

afterAll(async () => s?.close())

const COST = new RegExp(`^query cost \\d+ exceeds the limit of ${defaultLimits.queryCost}`)
const NESTED = '{ edges { node { ... on Pod { node { pods { node { pods { metadata { name } } } } } } } } }'

describe(`the cost estimate (${backend})`, () => {
  it('refuses 200 aliases of changes over the whole log before reading anything, from a caller with no permissions too', async () => {
    const now = new Date(Date.now() + 60_000).toISOString()
    const toNow = Array.from({ length: 200 }, (_, i) => `c${i}: changes(from: { revision: "0" }, to: { time: "${now}" }) { name }`)
    const toHead = Array.from({ length: 200 }, (_, i) => `c${i}: changes(from: { revision: "0" }, to: { revision: "${head}" }) { name }`)
    for (const token of [s.tokens.nobody!, s.tokens.admin!]) {
      const ask = (fields: string[]) => s.gql(token, `{ ${fields.join(' ')} }`)
      const [byTime, byRevision] = await whileLive(s.server.url, () => Promise.all([ask(toNow), ask(toHead)]))
      expect(byTime.status).toBe(400)
      expect(byTime.errors![0]!.message).toMatch(COST)
      expect(byRevision.status).toBe(400)
      expect(byRevision.errors![0]!.message).toBe(
        `the ranges of changes asked for hold ${200 * head} revisions, ` +
          `more than the limit of ${defaultLimits.scanRows} one request may read: ask for narrower ranges`,
      )
    }
  })

  it('counts a range by its size: one changes over the whole log passes, by revision or by time', async () => {
    const fields = '{ type kind namespace name diff before { raw } after { raw } }'
    const byRevision = await s.gql(s.tokens.admin, `{ changes(from: { revision: "0" }, to: { revision: "${head}" }) ${fields} }`)
    expect(byRevision.errors).toBeUndefined()
    expect(byRevision.data!.changes.length).toBeGreaterThan(1000)
    const byTime = await s.gql(s.tokens.admin, `query($from: At!, $to: At!) { changes(from: $from, to: $to) ${fields} }`, {
      from: { revision: '0' },
      to: { time: new Date().toISOString() },
    })
    expect(byTime.errors).toBeUndefined()
  })

  it("counts first given as a variable, or as a variable's default, like a literal", async () => {
    const literal = await s.gql(s.tokens.admin, `{ objects(kind: "pods", first: 10000) ${NESTED} }`)
    expect(literal.errors![0]!.message).toMatch(COST)
    const variable = await s.gql(s.tokens.admin, `query($n: Int) { objects(kind: "pods", first: $n) ${NESTED} }`, { n: 10000 })
    expect(variable.status).toBe(400)
    expect(variable.errors![0]!.message).toMatch(COST)
    const byDefault = await s.gql(s.tokens.admin, `query($n: Int = 10000) { objects(kind: "pods", first: $n) ${NESTED} }`)
    expect(byDefault.errors![0]!.message).toMatch(COST)
    const small = await s.gql(s.tokens.admin, `query($n: Int) { objects(kind: "pods", first: $n) ${NESTED} }`, { n: 10 })
    expect(small.errors).toBeUndefined()
  })

  it(`counts history and causes as chains of ${fixedLimits.chainRows}`, async () => {
    const fields = '{ revision time type actor reason diff object { raw } event { verb causationRevision requestId } }'
    const one = await s.gql(s.tokens.admin, `{ history(kind: "ConfigMap", namespace: "default", name: "cm-0-0") ${fields} }`)
    expect(one.errors).toBeUndefined()
    const many = Array.from(
      { length: 200 },
      (_, i) => `h${i}: history(kind: "ConfigMap", namespace: "default", name: "cm-0-${i}") ${fields}`,
    )
    const refused = await s.gql(s.tokens.admin, `{ ${many.join(' ')} }`)
    expect(refused.errors![0]!.message).toMatch(COST)
    const event = '{ revision time type kind namespace name uid actor reason verb causationRevision requestId }'
    const causes = Array.from({ length: 200 }, (_, i) => `c${i}: causes(revision: "${i + 1}") ${event}`)
    expect((await s.gql(s.tokens.admin, `{ ${causes.join(' ')} }`)).errors![0]!.message).toMatch(COST)
  })

  it("passes the README's examples", async () => {
    const examples = [
      '{ history(kind: "cm", namespace: "default", name: "cm-0-0") { revision actor diff } }',
      `{ changes(from: {revision: "${head - 1}"}, to: {revision: "${head}"}) { type kind name } }`,
      `{ effects(revision: "${head}") { revision kind name actor } }`,
      `{ causes(revision: "${head}") { revision kind name actor } }`,
      '{ objects(kind: "configmaps", first: 10000) { edges { node { metadata { name } } } } }',
    ]
    for (const query of examples)
      expect({ query, errors: (await s.gql(s.tokens.admin, query)).errors }).toEqual({ query, errors: undefined })
  })
})
