import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../services/app/server.js'
import type { Tables } from '../../services/store/schema.js'
import { openStore } from '../../services/app/open-store.js'
import { revkube } from '../support/cli.js'
import { isReady, startTestCluster, type TestCluster } from '../support/cluster.js'
import { restoreTarget, type RestoreTarget } from '../support/restore-target.js'
import { backend } from '../support/store.js'

let c: TestCluster
/** The source's log up to `head`, as `revkube export` wrote it. */
let exported: string
let head: number
const targets: RestoreTarget[] = []
const servers: RunningServer[] = []

const deployment = (replicas: number, image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: ${image}, resources: {requests: {cpu: 100m}}}]}
`
const configMap = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: default}\ndata: {v: "${value}"}\n`

beforeAll(async () => {
  // A varied log: controllers and simulated nodes at work, creates, updates, deletes, a re-create.
  c = await startTestCluster(2)
  const apply = (manifest: string) => c.gql('mutation($m: String!) { apply(manifest: $m) { kind } }', { m: manifest })
  const pods = async () => (await c.server.api.list('pods', { namespace: 'default', labelSelector: 'app=web' })).items
  await apply(configMap('alpha', '1') + '---\n' + configMap('beta', '1'))
  await apply(deployment(2, 'busybox:1'))
  await c.until(async () => (await pods()).filter(isReady).length === 2, 'two ready pods')
  await apply(configMap('alpha', '2'))
  await c.gql('mutation { delete(kind: "cm", namespace: "default", name: "beta") { kind } }')
  await apply(deployment(3, 'busybox:2'))
  await c.until(
    async () => (await pods()).filter(isReady).length === 3 && (await pods()).every((p) => JSON.stringify(p).includes('busybox:2')),
    'the rollout',
  )
  // Enough events for more than one page of an import (5,000 events each).
  for (let batch = 0; batch < 12; batch++) {
    await c.server.store.append(
      Array.from({ length: 500 }, (_, i) => {
        const name = `bulk-${batch * 500 + i}`
        return {
          op: 'put' as const,
          type: 'Created',
          kind: 'ConfigMap',
          namespace: 'default',
          name,
          precondition: { exists: false },
          object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { i: String(i) } },
        }
      }),
    )
  }
  await apply(configMap('beta', 'reborn'))
  await c.settled()
  head = (await c.server.store.head()).revision
  const result = await revkube(c.server.url, ['export', '--to', String(head)])
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  exported = result.stdout
}, 300_000)

afterAll(async () => {
  for (const server of servers) await server.stop()
  await c?.close()
  for (const target of targets) await target.cleanup()
})

function target(): RestoreTarget {
  const t = restoreTarget()
  targets.push(t)
  return t
}

async function serve(t: RestoreTarget): Promise<RunningServer> {
  const server = await t.serve()
  servers.push(server)
  return server
}

const lines = () => exported.trimEnd().split('\n')

/** The derived tables, in key order. */
async function derived(db: Kysely<Tables>) {
  const objects = await sql`select kind, namespace, name, uid, revision, object from objects order by kind, namespace, name`.execute(db)
  const versions =
    await sql`select kind, namespace, name, valid_from, valid_to from object_versions order by kind, namespace, name, valid_from`.execute(
      db,
    )
  return { objects: objects.rows, versions: versions.rows }
}

/** What the target's log holds, read directly (no server running on it). */
async function logOf(t: RestoreTarget): Promise<{ head: number; events: number }> {
  const store = await openStore({ database: t.config })
  try {
    const count = await sql<{ n: number }>`select count(*)::int as n from events`.execute(store.database.db)
    return { head: (await store.head()).revision, events: count.rows[0]!.n }
  } finally {
    await store.close()
  }
}

/** A refusal as the user sees it: exit 1 and one line on stderr, without a stack trace. */
function expectRefusal(result: { code: number | null; stdout: string; stderr: string }, message: RegExp): void {
  expect(result.code).toBe(1)
  expect(result.stdout).toBe('')
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
  expect(result.stderr).toMatch(/^error: /)
  expect(result.stderr).toMatch(message)
  expect(result.stderr).not.toMatch(/\n\s+at /)
}

describe(`revkube export | revkube import (${backend})`, () => {
  it('exports one event per line with every stored field', () => {
    expect(lines()).toHaveLength(head)
    const first = JSON.parse(lines()[0]!)
    expect(Object.keys(first)).toEqual(['revision', 'txRevision', 'type', 'kind', 'namespace', 'name', 'uid', 'object', 'meta', 'time'])
    expect(first).toMatchObject({ revision: 1, txRevision: 1, kind: 'Namespace', namespace: '' })
    const types = new Set(lines().map((l) => JSON.parse(l).type))
    expect([...types]).toEqual(expect.arrayContaining(['Created', 'Updated', 'Deleted']))
  })

  it('restores the log exactly: the same export, the same tables and the same state at sampled revisions, and the next write follows it', async () => {
    const t = target()
    const imported = await revkube(undefined, ['import', ...t.flags], { stdin: exported })
    expect(imported.stderr).toBe('')
    expect(imported.code).toBe(0)
    expect(imported.stdout).toContain(`imported ${head.toLocaleString('en-US')} events (revisions 1–${head})`)

    const restored = await serve(t)
    expect((await restored.store.head()).revision).toBe(head)
    const again = await revkube(restored.url, ['export'])
    expect(again.code).toBe(0)
    expect(again.stdout).toBe(exported)

    // The as-of views are built as the writer builds them: row for row.
    expect(await derived(restored.store.database.db)).toEqual(await derived(c.server.store.database.db))
    const last = JSON.parse(lines().at(-1)!)
    expect((await restored.store.head()).committedAt?.toISOString()).toBe(last.time)

    const kinds = (await c.gql('{ apiResources { kind } }')).apiResources.map((r: { kind: string }) => r.kind) as string[]
    const list = async (url: string, kind: string, revision: number) => {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'query($k: String!, $r: Revision!) { objects(kind: $k, at: { revision: $r }, first: 10000) { edges { node { raw } } } }',
          variables: { k: kind, r: String(revision) },
        }),
      })
      const body = (await response.json()) as { data: { objects: { edges: Array<{ node: { raw: unknown } }> } } }
      return body.data.objects.edges.map((e) => e.node.raw)
    }
    for (const revision of [1, Math.floor(head / 4), Math.floor(head / 2), Math.floor((3 * head) / 4), head]) {
      for (const kind of kinds)
        expect(await list(restored.url, kind, revision), `${kind} at ${revision}`).toEqual(await list(c.server.url, kind, revision))
    }

    const created = await revkube(restored.url, ['create', '-f', '-'], { stdin: configMap('after-restore', '1') })
    expect(created.code).toBe(0)
    const next = await restored.store.get({ kind: 'ConfigMap', namespace: 'default', name: 'after-restore' })
    expect((next!.metadata as Record<string, unknown>).resourceVersion).toBe(String(head + 1))
  })

  it('refuses to import into a database that already holds a log, and leaves it as it was', async () => {
    const t = target()
    expect((await revkube(undefined, ['import', ...t.flags], { stdin: exported })).code).toBe(0)
    const result = await revkube(undefined, ['import', ...t.flags], { stdin: exported })
    expectRefusal(result, /already holds a log \(head revision \d+\): import restores into an empty database only/)
    expect(await logOf(t)).toEqual({ head, events: head })
  })

  it('refuses a gap in the revisions, naming the line, and writes nothing', async () => {
    const t = target()
    const gap =
      lines()
        .filter((_, i) => i !== 9)
        .join('\n') + '\n'
    expectRefusal(await revkube(undefined, ['import', ...t.flags], { stdin: gap }), /^error: line 10: expected revision 10, got 11/)
    expect(await logOf(t)).toEqual({ head: 0, events: 0 })
    const late = lines().slice(1).join('\n')
    expectRefusal(
      await revkube(undefined, ['import', ...t.flags], { stdin: late }),
      /^error: line 1: the log must start at revision 1, got 2/,
    )
    expect(await logOf(t)).toEqual({ head: 0, events: 0 })
    // Nothing was written, so the database still takes the whole log.
    expect((await revkube(undefined, ['import', ...t.flags], { stdin: exported })).code).toBe(0)
  })

  it('refuses a malformed line or a line without a field, naming it, and writes nothing', async () => {
    const t = target()
    // The bad lines come after a full page of good ones: some have been written when they are found.
    const many = lines()
    expect(many.length).toBeGreaterThan(5500)
    const broken = (i: number, text: string) => [...many.slice(0, i), text, ...many.slice(i + 1)].join('\n')
    const at = 5500
    expectRefusal(
      await revkube(undefined, ['import', ...t.flags], { stdin: broken(at, '{"revision": 7, "type": ') }),
      new RegExp(`^error: line ${at + 1}: not valid JSON`),
    )
    const { uid: _uid, ...withoutUid } = JSON.parse(many[at]!)
    expectRefusal(
      await revkube(undefined, ['import', ...t.flags], { stdin: broken(at, JSON.stringify(withoutUid)) }),
      new RegExp(`^error: line ${at + 1}: uid must be a non-empty string`),
    )
    const { time: _time, ...withoutTime } = JSON.parse(many[at]!)
    expectRefusal(
      await revkube(undefined, ['import', ...t.flags], { stdin: broken(at, JSON.stringify({ ...withoutTime, time: 'yesterday' })) }),
      new RegExp(`^error: line ${at + 1}: time must be an RFC 3339 timestamp`),
    )
    expect(await logOf(t)).toEqual({ head: 0, events: 0 })
  })

  it('refuses a log whose events contradict each other, naming the line', async () => {
    const t = target()
    // A deletion of an object that the log never created.
    const deletion = lines().findIndex((l) => JSON.parse(l).type === 'Deleted')
    const event = JSON.parse(lines()[deletion]!)
    const forged = JSON.stringify({ ...event, name: 'never-created' })
    const text = [...lines().slice(0, deletion), forged, ...lines().slice(deletion + 1)].join('\n')
    expectRefusal(
      await revkube(undefined, ['import', ...t.flags], { stdin: text }),
      new RegExp(`^error: line ${deletion + 1}: revision ${deletion + 1} deletes ${event.kind} .*never-created, which does not exist then`),
    )
    expect(await logOf(t)).toEqual({ head: 0, events: 0 })
  })

  it('exports a range, and shows progress on stderr only when asked (stderr is not a terminal here)', async () => {
    const range = await revkube(c.server.url, ['export', '--from', '10', '--to', '20'])
    expect(range.code).toBe(0)
    expect(
      range.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).revision),
    ).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
    expect(range.stderr).toBe('')
    const shown = await revkube(c.server.url, ['export', '--to', '20', '--progress'])
    expect(shown.stderr).toMatch(/^exported 20 events \(revisions 1–20\) in [\d.]+ s, [\d,]+ events\/s\n$/)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for terminal control characters
    expect(shown.stderr).not.toMatch(/[\r\x1b]/)
  })
})
