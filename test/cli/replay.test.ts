import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../services/app/server.js'
import type { LogEvent } from '../../services/store/commands.js'
import { openDatabase } from '../../services/store/open-database.js'
import { revkube } from '../support/cli.js'
import { startTestServer, type TestServer } from '../support/graphql.js'
import { restoreTarget, type RestoreTarget } from '../support/restore-target.js'
import { backend } from '../support/store.js'

let t: TestServer
let log: LogEvent[]
let head: number
const cleanups: Array<() => Promise<void>> = []

beforeAll(async () => {
  t = await startTestServer()
  // Creates, updates, a deletion and a re-creation, in several kinds and namespaces.
  const cm = (name: string, v: string, labels: Record<string, string> = {}) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', labels },
    data: { v },
  })
  const steps: Array<[string, Record<string, unknown>]> = [
    ['mutation($o: JSON!) { create(object: $o) { revision } }', { o: cm('alpha', '1', { tier: 'a' }) }],
    ['mutation($o: JSON!) { create(object: $o) { revision } }', { o: cm('beta', '1') }],
    ['mutation($o: JSON!) { create(object: $o) { revision } }', { o: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } } }],
    [
      'mutation($o: JSON!) { create(object: $o) { revision } }',
      { o: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'team' }, stringData: { k: 'v' } } },
    ],
    ['mutation { patch(kind: "cm", namespace: "default", name: "alpha", type: MERGE, patch: { data: { v: "2" } }) { revision } }', {}],
    ['mutation { delete(kind: "cm", namespace: "default", name: "beta") { revision } }', {}],
    [
      'mutation { patch(kind: "cm", namespace: "default", name: "alpha", type: MERGE, patch: { metadata: { labels: { tier: "b" } } }) { revision } }',
      {},
    ],
    ['mutation($o: JSON!) { create(object: $o) { revision } }', { o: cm('beta', 'reborn') }],
  ]
  for (const [query, variables] of steps) expect((await t.gql(query, variables)).errors).toBeUndefined()
  log = await t.server.store.events({ limit: 10_000 })
  head = log.at(-1)!.revision
})

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  await t.close()
})

const url = () => t.server.url

/** A copy of the source's log (export | import) with its derived tables changed by `tamper`, served. */
async function tamperedCopy(tamper: string): Promise<RunningServer> {
  const target: RestoreTarget = restoreTarget()
  cleanups.push(() => target.cleanup())
  const exported = await revkube(url(), ['export'])
  expect((await revkube(undefined, ['import', ...target.flags], { stdin: exported.stdout })).code).toBe(0)
  const database = await openDatabase(target.config)
  try {
    await sql.raw(tamper).execute(database.db)
  } finally {
    await database.close()
  }
  const server = await target.serve()
  cleanups.push(() => server.stop())
  return server
}

describe(`revkube replay (${backend})`, () => {
  it('rebuilds the state at the head and verifies it against the server', async () => {
    const result = await revkube(url(), ['replay', '--verify'])
    expect(result.stderr).toBe(`replaying revisions 1–${head} (${head} events) from ${url()}\n`)
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(new RegExp(`^replayed ${head} events \\(revisions 1–${head}\\) in [\\d.]+ s: [\\d,]+ events/s\n`))
    expect(result.stdout).toContain(`state at revision ${head}: `)
    expect(result.stdout).toMatch(/^ConfigMap\s+2$/m)
    expect(result.stdout).toMatch(/^Namespace\s+5$/m)
    expect(result.stdout).toContain(`verified: the replayed state equals the server's as-of state at revision ${head}\n`)
  })

  it('rebuilds and verifies the state at an earlier revision, from scratch or from the server state at a later start', async () => {
    const betaDeleted = log.find((e) => e.name === 'beta' && e.type === 'Deleted')!.revision
    const before = await revkube(url(), ['replay', '--to', String(betaDeleted - 1), '--verify', '--from-scratch', '--no-progress'])
    expect(before.stderr).toBe('')
    expect(before.code).toBe(0)
    expect(before.stdout).toMatch(/^ConfigMap\s+2$/m)
    const after = await revkube(url(), ['replay', '--from', '3', '--to', String(betaDeleted), '--verify', '--no-progress'])
    expect(after.code).toBe(0)
    expect(after.stdout).toContain(`replayed ${betaDeleted - 3} events (revisions 4–${betaDeleted})`)
    expect(after.stdout).toMatch(/^ConfigMap\s+1$/m)
    // A time means the last revision committed at or before it.
    const time = log.find((e) => e.revision === betaDeleted)!.committedAt
    const last = log.filter((e) => e.committedAt <= time).at(-1)!.revision
    const byTime = await revkube(url(), ['replay', '--to', time.toISOString(), '--verify', '--no-progress'])
    expect(byTime.code).toBe(0)
    expect(byTime.stdout).toContain(`replayed ${last} events (revisions 1–${last})`)
  })

  it('fails verification on a copy whose current objects were tampered with, naming the object and the path', async () => {
    const server = await tamperedCopy(
      `update objects set object = jsonb_set(object, '{data,v}', '"tampered"') where kind = 'ConfigMap' and name = 'alpha'`,
    )
    const result = await revkube(server.url, ['replay', '--verify', '--no-progress'])
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('ConfigMap default/alpha: differs at /data/v\n')
    expect(result.stderr).toBe(`error: 1 difference between the replayed state and the server's at revision ${head}\n`)
  })

  it('fails verification on a copy that lost an ended version, at a revision inside it', async () => {
    const created = log.find((e) => e.name === 'beta')!.revision
    const server = await tamperedCopy(`delete from object_versions where kind = 'ConfigMap' and name = 'beta' and valid_from = ${created}`)
    const result = await revkube(server.url, ['replay', '--to', String(created), '--verify', '--no-progress'])
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('ConfigMap default/beta: missing on server\n')
    // At the head the lost version plays no part.
    expect((await revkube(server.url, ['replay', '--verify', '--no-progress'])).code).toBe(0)
  })

  it('prints plain lines when stderr is not a terminal, and nothing on stderr with --no-progress', async () => {
    const plain = await revkube(url(), ['replay'])
    expect(plain.code).toBe(0)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for terminal control characters
    expect(plain.stdout + plain.stderr).not.toMatch(/[\r\x1b]/)
    expect(
      plain.stderr
        .split('\n')
        .filter(Boolean)
        .every((line) => /^replay(ing|ed) /.test(line)),
    ).toBe(true)
    const quiet = await revkube(url(), ['replay', '--no-progress'])
    expect(quiet.stderr).toBe('')
  })

  it('refuses --from with --from-scratch, and a --to beyond the head', async () => {
    const both = await revkube(url(), ['replay', '--from', '2', '--from-scratch'])
    expect(both).toMatchObject({ code: 1, stderr: 'error: --from and --from-scratch cannot be combined\n' })
    const beyond = await revkube(url(), ['replay', '--to', String(head + 100)])
    expect(beyond.code).toBe(1)
    expect(beyond.stderr).toMatch(/^Error from server \(BadRequest\): revision \d+ is newer than the head of the log/)
  })
})
