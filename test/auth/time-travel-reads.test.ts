import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultLimits } from '../../services/limits.js'
import type { AppendCommand } from '../../services/store/commands.js'
import { whileLive } from '../support/liveness.js'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'
import { backend } from '../support/store.js'

/**
 * The time-travel reads as an attacker and as a careful administrator would try them: `changes`,
 * `log`, `causes` and `effects` list entries only of kinds and namespaces the caller may `list`
 * (filtered in SQL, so a caller who may list nothing reads nothing), `get` alone never lists;
 * every operation reads at most REVKUBE_MAX_SCAN_ROWS rows (1,000 here) and every read statement
 * runs at most REVKUBE_STATEMENT_TIMEOUT (2 s here); the audit details of an event's meta show only
 * to audit readers; and label selectors of `changes` look only at the sides where the object exists.
 */
const SCAN_ROWS = 1000
const BULK = 3000
const plain = (v: string) => Buffer.from(v).toString('base64')

let s: SecureServer
/** The revision of Secret a/db's creation, the root of a causation chain. */
let dbCreated: number
/** The last revision of that chain: Secret a/derived, caused by ConfigMap a/derived, caused by dbCreated. */
let chainEnd: number

beforeAll(async () => {
  s = await startSecureServer(
    { nobody: [], reader: [], lister: [], named: [], auditor: [] },
    { limits: { ...defaultLimits, scanRows: SCAN_ROWS, statementTimeoutMs: 2000 } },
  )
  const create = (object: Record<string, unknown>) => s.admin('mutation($o: JSON!) { create(object: $o) { revision } }', { o: object })
  const role = (name: string, rule: Record<string, unknown>) =>
    create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: 'a' },
      rules: [{ apiGroups: [''], resources: ['secrets'], ...rule }],
    })
  for (const name of ['a', 'b', 'labels']) await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
  await role('secret-getter', { verbs: ['get'] })
  await role('secret-lister', { verbs: ['list'] })
  await role('db-only', { verbs: ['get', 'list', 'watch'], resourceNames: ['db'] })
  await create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'audit-reader' },
    rules: [{ apiGroups: ['audit.revkube.io'], resources: ['requests'], verbs: ['list'] }],
  })
  await create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'auditor' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'audit-reader' },
    subjects: [{ kind: 'User', name: 'auditor' }],
  })
  await s.bind('reader', 'ClusterRole', 'view', 'a')
  await s.bind('auditor', 'ClusterRole', 'view', 'a')
  // A ServiceAccount that may only get Secrets in a, as in the report of the flaw.
  await create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'getter', namespace: 'a' } })
  await s.bind('system:serviceaccount:a:getter', 'Role', 'secret-getter', 'a')
  s.tokens.getter = (await s.admin('mutation { createToken(namespace: "a", serviceAccount: "getter") { token } }')).createToken.token
  await s.bind('lister', 'Role', 'secret-lister', 'a')
  await s.bind('named', 'Role', 'db-only', 'a')

  dbCreated = Number(
    (
      await create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db', namespace: 'a' },
        data: { password: plain('first-password') },
      })
    ).create.revision,
  )
  await s.admin(
    `mutation { patch(kind: "Secret", namespace: "a", name: "db", patch: {data: {password: "${plain('second-password')}"}}, type: MERGE) { revision } }`,
  )
  await create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api', namespace: 'a' }, data: { token: plain('api-token') } })
  await create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'other', namespace: 'b' }, data: { token: plain('b-token') } })
  await create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'a' }, data: { mode: 'fast' } })
  await s.admin('mutation { delete(kind: "Secret", namespace: "a", name: "db") { revision } }')

  // A causation chain, as controllers write one: a ConfigMap caused by the Secret's creation, a Secret caused by the ConfigMap.
  const put = (kind: string, name: string, causationRevision: number, body: Record<string, unknown>): AppendCommand => ({
    op: 'put',
    type: 'Created',
    kind,
    namespace: 'a',
    name,
    precondition: { exists: false },
    meta: { actor: 'system:controller:test', causationRevision },
    object: { apiVersion: 'v1', kind, metadata: { name, namespace: 'a' }, ...body },
  })
  const cm = await s.server.store.appendOne(put('ConfigMap', 'derived', dbCreated, { data: { from: 'db' } }))
  chainEnd = (await s.server.store.appendOne(put('Secret', 'derived', cm.revision, { data: { copy: plain('derived-value') } }))).revision

  // Thousands of events in namespace b, where only the admin may read.
  for (let batch = 0; batch < BULK / 500; batch++) {
    await s.server.store.append(
      Array.from({ length: 500 }, (_, i): AppendCommand => {
        const name = `bulk-${batch * 500 + i}`
        return {
          op: 'put',
          type: 'Created',
          kind: 'ConfigMap',
          namespace: 'b',
          name,
          precondition: { exists: false },
          object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'b' }, data: { i: String(i) } },
        }
      }),
    )
  }
  await s.server.projection.waitFor((await s.server.store.head()).revision)
}, 180_000)

afterAll(async () => s?.close())

const head = async () => (await s.admin('{ revision { revision } }')).revision.revision as string
/**
 * `from: {revision: "0"}, to: {time: <the head's>}`: the whole log. With a time for an end the
 * range's size is unknown before it runs (the cost estimate cannot count it): the reads bound it.
 */
const wholeLog = async () => `from: {revision: "0"}, to: {time: "${(await s.admin('{ revision { time } }')).revision.time}"}`
const names = (edges: Array<{ node: { namespace: string; name: string } }>) => edges.map((e) => `${e.node.namespace}/${e.node.name}`)

describe(`time-travel reads: what is read (${backend})`, () => {
  it('answers a caller with no permissions 200 aliases of changes over the whole log with nothing, reading nothing, while /livez stays live', async () => {
    const range = await wholeLog()
    const query = `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: changes(${range}) { type name }`).join(' ')} }`
    const result = await whileLive(s.url, () => s.gql(s.tokens.nobody, query))
    // 200 × the whole log is far past the scan budget: an empty answer means nothing was read.
    expect(result.errors).toBeUndefined()
    expect(Object.values(result.data!)).toEqual(Array.from({ length: 200 }, () => []))
  })

  it('refuses the same attack with revisions before it runs: the cost estimate counts their ranges', async () => {
    const to = await head()
    const query = `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: changes(from: {revision: "0"}, to: {revision: "${to}"}) { type name }`).join(' ')} }`
    const result = await whileLive(s.url, () => s.gql(s.tokens.nobody, query))
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', status: 400 })
  })

  it('reads only the namespace a caller may list: changes over thousands of events elsewhere fit in its scan budget', async () => {
    const query = `{ changes(${await wholeLog()}) { type namespace name } }`
    const result = await s.gql(s.tokens.reader, query)
    expect(result.errors).toBeUndefined()
    const changes = result.data!.changes as Array<{ namespace: string; name: string }>
    // view in a: its ConfigMaps and its ServiceAccount; not its Secrets, Roles or bindings, nothing of b.
    expect(changes.map((c) => `${c.namespace}/${c.name}`).sort()).toEqual(['a/derived', 'a/getter', 'a/settings'])
  })

  it('refuses an operation that would read more rows than its budget, saying to narrow the range, while /livez stays live', async () => {
    const query = `{ changes(${await wholeLog()}) { name } }`
    const result = await whileLive(s.url, () => s.gql(s.tokens.admin, query))
    expect(result.errors?.[0]).toMatchObject({
      message: `this operation reads more than ${SCAN_ROWS} rows of the log (REVKUBE_MAX_SCAN_ROWS): narrow the range (from, to), name a kind, a namespace or an object, or read fewer fields at once`,
      extensions: { code: 'BAD_REQUEST', status: 400 },
    })
    expect(result.status).toBeLessThan(500)
  })

  it('shares the budget among every field of one operation', async () => {
    const page = 'log(namespace: "b", first: 600) { edges { node { revision } } }'
    expect((await s.gql(s.tokens.admin, `{ ${page} }`)).data!.log.edges).toHaveLength(600)
    const both = await s.gql(s.tokens.admin, `{ one: ${page} two: ${page} }`)
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST')
    expect(both.errors?.[0]?.message).toMatch(/narrow the range/)
  })

  it("gives a caller who may list in one namespace only that namespace's log", async () => {
    const log = await s.gql(s.tokens.reader, '{ log(first: 1000) { edges { node { namespace name kind } } } }')
    expect(log.errors).toBeUndefined()
    expect(names(log.data!.log.edges).sort()).toEqual(['a/derived', 'a/getter', 'a/settings'])
  })
})

describe(`time-travel reads: get never becomes list (${backend})`, () => {
  const SECRET_ENTRIES = '{ log(kind: "Secret") { edges { node { namespace name object { raw } } } } }'

  it('shows a ServiceAccount with only get on Secrets no Secret in log, changes, causes or effects', async () => {
    const token = s.tokens.getter
    expect((await s.gql(token, SECRET_ENTRIES)).data!.log.edges).toEqual([])
    expect((await s.gql(token, '{ log(namespace: "a") { edges { node { name } } } }')).data!.log.edges).toEqual([])
    expect((await s.gql(token, `{ changes(${await wholeLog()}, kind: "Secret", namespace: "a") { name } }`)).data!.changes).toEqual([])
    expect((await s.gql(token, `{ causes(revision: "${chainEnd}") { name } }`)).data!.causes).toEqual([])
    expect((await s.gql(token, `{ effects(revision: "${dbCreated}") { name } }`)).data!.effects).toEqual([])
  })

  it('lets that ServiceAccount read a Secret it names: object, history and object at a revision, values included', async () => {
    const token = s.tokens.getter
    const object = await s.gql(token, '{ object(kind: "Secret", namespace: "a", name: "api") { raw } }')
    expect(object.data!.object.raw.data).toEqual({ token: plain('api-token') })
    const history = await s.gql(token, '{ history(kind: "Secret", namespace: "a", name: "db") { type object { raw } } }')
    expect(history.errors).toBeUndefined()
    expect(history.data!.history.map((v: { type: string }) => v.type)).toEqual(['Created', 'Updated', 'Deleted'])
    expect(history.data!.history[0].object.raw.data).toEqual({ password: plain('first-password') })
    const at = await s.gql(token, `{ object(kind: "Secret", namespace: "a", name: "db", at: {revision: "${dbCreated}"}) { raw } }`)
    expect(at.data!.object.raw.data).toEqual({ password: plain('first-password') })
  })

  it('never counts a rule with resourceNames as list, whatever its verbs', async () => {
    const token = s.tokens.named
    expect((await s.gql(token, SECRET_ENTRIES)).data!.log.edges).toEqual([])
    const history = await s.gql(token, '{ history(kind: "Secret", namespace: "a", name: "db") { type } }')
    expect(history.data!.history).toHaveLength(3)
    expect((await s.gql(token, '{ history(kind: "Secret", namespace: "a", name: "api") { type } }')).errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    )
  })

  it('shows a caller who may list Secrets in a those entries, values redacted, and none from other namespaces', async () => {
    const token = s.tokens.lister
    const log = await s.gql(token, SECRET_ENTRIES)
    expect(names(log.data!.log.edges)).toEqual(['a/db', 'a/db', 'a/api', 'a/db', 'a/derived'])
    const text = JSON.stringify(log)
    for (const value of ['first-password', 'second-password', 'api-token', 'derived-value', 'b-token'])
      expect(text).not.toContain(plain(value))
    expect(log.data!.log.edges[0].node.object.raw.data).toEqual({ password: '<redacted>' })
    const changes = await s.gql(token, `{ changes(${await wholeLog()}) { type namespace name after { raw } } }`)
    expect(changes.data!.changes).toEqual([
      { type: 'CREATED', namespace: 'a', name: 'api', after: { raw: expect.objectContaining({ data: { token: '<redacted>' } }) } },
      { type: 'CREATED', namespace: 'a', name: 'derived', after: { raw: expect.objectContaining({ data: { copy: '<redacted>' } }) } },
    ])
  })

  it('follows causes and effects through entries the caller may not list, showing only those it may', async () => {
    const admin = await s.gql(
      s.tokens.admin,
      `{ causes(revision: "${chainEnd}") { kind name } effects(revision: "${dbCreated}") { kind name } }`,
    )
    expect(admin.data).toEqual({
      causes: [
        { kind: 'ConfigMap', name: 'derived' },
        { kind: 'Secret', name: 'db' },
      ],
      effects: [
        { kind: 'ConfigMap', name: 'derived' },
        { kind: 'Secret', name: 'derived' },
      ],
    })
    const lister = await s.gql(
      s.tokens.lister,
      `{ causes(revision: "${chainEnd}") { kind name } effects(revision: "${dbCreated}") { kind name } }`,
    )
    expect(lister.data).toEqual({ causes: [{ kind: 'Secret', name: 'db' }], effects: [{ kind: 'Secret', name: 'derived' }] })
    const reader = await s.gql(
      s.tokens.reader,
      `{ causes(revision: "${chainEnd}") { kind name } effects(revision: "${dbCreated}") { kind name } }`,
    )
    expect(reader.data).toEqual({ causes: [{ kind: 'ConfigMap', name: 'derived' }], effects: [{ kind: 'ConfigMap', name: 'derived' }] })
  })
})

describe(`time-travel reads: audit details of an event (${backend})`, () => {
  const LAST_CHANGE = '{ history(kind: "ConfigMap", namespace: "a", name: "audited") { event { actor verb groups requestId meta } } }'

  beforeAll(async () => {
    const response = await fetch(s.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${s.tokens.admin}`,
        'user-agent': 'admin-laptop/1.0',
        'x-request-id': 'req-audited-1',
      },
      body: JSON.stringify({
        query:
          'mutation { create(object: {apiVersion: "v1", kind: "ConfigMap", metadata: {name: "audited", namespace: "a"}}) { revision } }',
      }),
    })
    expect(response.status).toBe(200)
  })

  it('shows who sent a change from where only to callers who may read the audit', async () => {
    const auditor = (await s.gql(s.tokens.auditor, LAST_CHANGE)).data!.history[0].event
    expect(auditor).toMatchObject({
      actor: 'admin',
      verb: 'create',
      groups: expect.arrayContaining(['system:masters']),
      requestId: 'req-audited-1',
    })
    expect(auditor.meta).toMatchObject({
      actor: 'admin',
      userAgent: 'admin-laptop/1.0',
      requestId: 'req-audited-1',
      groups: expect.arrayContaining(['system:masters']),
    })
    expect(auditor.meta.sourceAddress).toMatch(/127\.0\.0\.1/)
  })

  it('leaves the client address, user agent, groups, uid and request id out for everyone else; actor, verb and correlation stay', async () => {
    const reader = await s.gql(s.tokens.reader, LAST_CHANGE)
    const event = reader.data!.history[0].event
    expect(event).toMatchObject({ actor: 'admin', verb: 'create', groups: null, requestId: null })
    expect(Object.keys(event.meta).sort()).toEqual(['actor', 'correlationId', 'verb'])
    const log = await s.gql(s.tokens.reader, '{ log(namespace: "a", name: "audited") { edges { node { groups requestId meta } } } }')
    expect(log.data!.log.edges[0].node).toEqual({ groups: null, requestId: null, meta: event.meta })
    expect(JSON.stringify(log)).not.toMatch(/admin-laptop|127\.0\.0\.1|system:masters|req-audited-1/)
  })

  it('shows everyone else a digest of a correlation id that is the request id: events of one request still group, the id does not show', async () => {
    const { meta } = (await s.gql(s.tokens.reader, LAST_CHANGE)).data!.history[0].event
    expect(meta.correlationId).toMatch(/^c-[0-9a-f]{32}$/)
    const auditor = (await s.gql(s.tokens.auditor, LAST_CHANGE)).data!.history[0].event
    expect(auditor.meta.correlationId).toBe('req-audited-1')
  })
})

describe(`time-travel reads: label selectors of changes (${backend})`, () => {
  let from: string
  let to: string

  beforeAll(async () => {
    const cm = (name: string, env?: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'labels', ...(env && { labels: { env } }) },
      data: { v: '1' },
    })
    const create = (object: Record<string, unknown>) => s.admin('mutation($o: JSON!) { create(object: $o) { revision } }', { o: object })
    for (const [name, env] of [
      ['d-prod', 'prod'],
      ['d-dev', 'dev'],
      ['d-none'],
      ['m-prod', 'prod'],
      ['m-dev', 'dev'],
      ['m-none'],
      ['m-flip', 'prod'],
    ] as const)
      await create(cm(name, env))
    from = await head()
    for (const name of ['d-prod', 'd-dev', 'd-none'])
      await s.admin(`mutation { delete(kind: "cm", namespace: "labels", name: "${name}") { revision } }`)
    for (const name of ['m-prod', 'm-dev', 'm-none'])
      await s.admin(
        `mutation { patch(kind: "cm", namespace: "labels", name: "${name}", patch: {data: {v: "2"}}, type: MERGE) { revision } }`,
      )
    await s.admin(
      'mutation { patch(kind: "cm", namespace: "labels", name: "m-flip", patch: {metadata: {labels: {env: "dev"}}}, type: MERGE) { revision } }',
    )
    for (const [name, env] of [['c-prod', 'prod'], ['c-dev', 'dev'], ['c-none']] as const) await create(cm(name, env))
    to = await head()
  })

  const selected = async (selector: string) => {
    const result = await s.gql(
      s.tokens.admin,
      `query($s: String) { changes(from: {revision: "${from}"}, to: {revision: "${to}"}, namespace: "labels", labelSelector: $s) { type name } }`,
      { s: selector },
    )
    expect(result.errors).toBeUndefined()
    return (result.data!.changes as Array<{ type: string; name: string }>).map((c) => `${c.type} ${c.name}`).sort()
  }

  it('matches creations by their after, deletions by their before, modifications by either', async () => {
    expect(await selected('env=prod')).toEqual(['CREATED c-prod', 'DELETED d-prod', 'MODIFIED m-flip', 'MODIFIED m-prod'])
  })

  it('does not count the side where the object does not exist as an object without labels', async () => {
    expect(await selected('!env')).toEqual(['CREATED c-none', 'DELETED d-none', 'MODIFIED m-none'])
    const notProd = [
      'CREATED c-dev',
      'CREATED c-none',
      'DELETED d-dev',
      'DELETED d-none',
      'MODIFIED m-dev',
      'MODIFIED m-flip',
      'MODIFIED m-none',
    ]
    expect(await selected('env!=prod')).toEqual(notProd)
    expect(await selected('env notin (prod)')).toEqual(notProd)
    expect(await selected('env notin (prod,dev)')).toEqual(['CREATED c-none', 'DELETED d-none', 'MODIFIED m-none'])
  })
})

describe.runIf(backend === 'postgres')('time-travel reads: the statement timeout (postgres)', () => {
  it('stops a read that runs past it with a Timeout (504), while writes wait as long as they must', async () => {
    const db = s.server.store.database.db
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let locked!: () => void
    const isLocked = new Promise<void>((resolve) => (locked = resolve))
    // Another session holds the log exclusively: every read of it waits, longer than the timeout.
    const holder = db.transaction().execute(async (trx) => {
      await sql`lock table events in access exclusive mode`.execute(trx)
      locked()
      await released
    })
    await isLocked
    const write = s.gql(
      s.tokens.admin,
      'mutation { create(object: {apiVersion: "v1", kind: "ConfigMap", metadata: {name: "waited", namespace: "a"}}) { revision } }',
    )
    const read = await s.gql(s.tokens.admin, '{ log(namespace: "a", first: 5) { edges { node { name } } } }')
    release()
    await holder
    expect(read.errors?.[0]).toMatchObject({
      message:
        'the read took longer than the statement timeout (REVKUBE_STATEMENT_TIMEOUT) and was stopped: narrow it (a shorter range, a kind, a namespace) or try again later',
      extensions: { code: 'UNAVAILABLE', reason: 'Timeout', status: 504 },
    })
    const written = await write
    expect(written.errors).toBeUndefined()
    expect(Number(written.data!.create.revision)).toBeGreaterThan(0)
  })
})
