import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultLimits } from '../../services/limits.js'
import { backend } from '../support/store.js'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'
import { waitFor } from '../support/wait.js'

/**
 * The Kubernetes REST API as a client sees it, over real HTTP: discovery, reads and writes, the
 * Table format, watches, reads at past revisions, and the answers to bad requests (each a
 * Kubernetes Status, never a stack trace).
 */
describe(`the Kubernetes REST API (${backend})`, () => {
  let s: SecureServer
  let base: string
  const call = async (path: string, init: RequestInit & { token?: string | null | undefined } = {}) => {
    const { token = s.tokens.admin, ...rest } = init
    const response = await fetch(`${base}${path}`, {
      ...rest,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...(rest.headers as Record<string, string> | undefined) },
    })
    const text = await response.text()
    let body: any
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
    return { status: response.status, headers: response.headers, body }
  }
  const json = (body: unknown, method = 'POST', type = 'application/json') => ({
    method,
    headers: { 'content-type': type },
    body: JSON.stringify(body),
  })
  const configMap = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data })

  beforeAll(async () => {
    s = await startSecureServer({ carol: [] })
    base = s.server.url
  })
  afterAll(async () => {
    await s?.close()
  })

  it('serves discovery: /version to anyone, legacy and aggregated group lists, each group version’s resources', async () => {
    expect(await call('/version', { token: null })).toMatchObject({ status: 200, body: { major: '1', minor: '32' } })
    expect((await call('/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] })
    const groups = (await call('/apis')).body
    expect(groups.kind).toBe('APIGroupList')
    expect(groups.groups.map((g: any) => g.name)).toContain('apps')
    const aggregated = await call('/apis', {
      headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' },
    })
    expect(aggregated.headers.get('content-type')).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')
    const apps = aggregated.body.items.find((i: any) => i.metadata.name === 'apps')
    const deployments = apps.versions[0].resources.find((r: any) => r.resource === 'deployments')
    expect(deployments).toMatchObject({
      responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      scope: 'Namespaced',
      shortNames: ['deploy'],
      categories: ['all'],
      subresources: [
        { subresource: 'status', verbs: ['get', 'patch', 'update'] },
        { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
      ],
    })
    const core = (await call('/api/v1')).body
    expect(core.resources).toContainEqual(expect.objectContaining({ name: 'pods', kind: 'Pod', namespaced: true, shortNames: ['po'] }))
    expect(core.resources).toContainEqual(expect.objectContaining({ name: 'pods/status', kind: 'Pod' }))
  })

  it('creates, reads as JSON and as a Table, patches three ways, replaces and deletes', async () => {
    const created = await call('/api/v1/namespaces/default/configmaps', json(configMap('rest-a', { k: 'v' })))
    expect(created).toMatchObject({ status: 201, body: { metadata: { name: 'rest-a', namespace: 'default' }, data: { k: 'v' } } })
    expect((await call('/api/v1/namespaces/default/configmaps', json(configMap('rest-a')))).body).toMatchObject({
      kind: 'Status',
      reason: 'AlreadyExists',
      code: 409,
      message: 'configmaps "rest-a" already exists',
    })

    const table = await call('/api/v1/namespaces/default/configmaps?labelSelector=', {
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
    })
    expect(table.headers.get('content-type')).toBe('application/json;as=Table;v=v1;g=meta.k8s.io')
    expect(table.body.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Data', 'Age'])
    expect(table.body.rows.find((r: any) => r.cells[0] === 'rest-a')).toMatchObject({
      cells: ['rest-a', 1, expect.any(String)],
      object: { kind: 'PartialObjectMetadata', metadata: { name: 'rest-a' } },
    })

    const item = '/api/v1/namespaces/default/configmaps/rest-a'
    const merge = await call(item, json({ data: { m: '1' } }, 'PATCH', 'application/merge-patch+json'))
    expect(merge.body.data).toEqual({ k: 'v', m: '1' })
    const patch = await call(item, json([{ op: 'remove', path: '/data/k' }], 'PATCH', 'application/json-patch+json'))
    expect(patch.body.data).toEqual({ m: '1' })
    const strategic = await call(item, json({ metadata: { labels: { a: 'b' } } }, 'PATCH', 'application/strategic-merge-patch+json'))
    expect(strategic.body.metadata.labels).toEqual({ a: 'b' })
    const replaced = await call(item, json({ ...configMap('rest-a', { r: '2' }), metadata: { name: 'rest-a' } }, 'PUT'))
    expect(replaced.body.data).toEqual({ r: '2' })
    expect((await call(item, json(configMap('other'), 'PUT'))).body).toMatchObject({
      reason: 'BadRequest',
      message: 'the name of the object (other) does not match the name on the URL (rest-a)',
    })
    expect((await call(item, { method: 'DELETE' })).status).toBe(200)
    expect((await call(item)).body).toMatchObject({ reason: 'NotFound', code: 404, details: { name: 'rest-a', kind: 'configmaps' } })
  })

  it('dry-runs a create without storing it, and warns of unknown fields with Warning headers', async () => {
    const dry = await call('/api/v1/namespaces/default/configmaps?dryRun=All', json(configMap('rest-dry')))
    expect(dry.status).toBe(200)
    expect((await call('/api/v1/namespaces/default/configmaps/rest-dry')).status).toBe(404)
    const warned = await call('/api/v1/namespaces/default/configmaps?fieldValidation=Warn', json({ ...configMap('rest-warn'), bogus: 1 }))
    expect(warned.status).toBe(201)
    expect(warned.headers.get('warning')).toMatch(/^299 - ".*bogus.*"$/)
    const strict = await call(
      '/api/v1/namespaces/default/configmaps?fieldValidation=Strict',
      json({ ...configMap('rest-strict'), bogus: 1 }),
    )
    expect(strict.body).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' })
  })

  it('reads any past revision: a list at exactly R, an object as it was at R, and the state at a time', async () => {
    const first = await call('/api/v1/namespaces/default/configmaps', json(configMap('rest-past', { v: '1' })))
    const r1 = Number(first.body.metadata.resourceVersion)
    const second = await call(
      '/api/v1/namespaces/default/configmaps/rest-past',
      json({ data: { v: '2' } }, 'PATCH', 'application/merge-patch+json'),
    )
    const r2 = Number(second.body.metadata.resourceVersion)

    const then = await call(`/api/v1/namespaces/default/configmaps/rest-past?resourceVersion=${r1}`)
    expect(then.body.data).toEqual({ v: '1' })
    const list = await call(`/api/v1/namespaces/default/configmaps?resourceVersion=${r1}&resourceVersionMatch=Exact`)
    expect(list.body.metadata.resourceVersion).toBe(String(r1))
    expect(list.body.items.find((o: any) => o.metadata.name === 'rest-past').data).toEqual({ v: '1' })
    expect((await call(`/api/v1/namespaces/default/configmaps/rest-past?resourceVersion=${r1 - 1}`)).status).toBe(404)
    // NotOlderThan (the default): the current state, which is never older.
    const current = await call(`/api/v1/namespaces/default/configmaps?resourceVersion=${r1}`)
    expect(current.body.items.find((o: any) => o.metadata.name === 'rest-past').data).toEqual({ v: '2' })

    const at = encodeURIComponent(new Date().toISOString())
    expect((await call(`/api/v1/namespaces/default/configmaps/rest-past?asOf=${at}`)).body.metadata.resourceVersion).toBe(String(r2))
    expect(
      (await call(`/api/v1/namespaces/default/configmaps?resourceVersion=${r2 + 1000}&resourceVersionMatch=Exact`)).body,
    ).toMatchObject({
      code: 504,
      message: expect.stringMatching(/^Too large resource version/),
    })
    expect((await call('/api/v1/namespaces/default/configmaps?resourceVersionMatch=Exact')).body.message).toBe(
      'resourceVersionMatch is forbidden unless resourceVersion is provided',
    )
  })

  it('streams a watch from a past revision: exactly the events after it, then live ones, and ends at timeoutSeconds', async () => {
    const created = await call('/api/v1/namespaces/default/configmaps', json(configMap('rest-watch', { v: '1' })))
    const from = Number(created.body.metadata.resourceVersion) - 1
    await call('/api/v1/namespaces/default/configmaps/rest-watch', json({ data: { v: '2' } }, 'PATCH', 'application/merge-patch+json'))
    const response = await fetch(
      `${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${from}&fieldSelector=metadata.name%3Drest-watch&timeoutSeconds=2`,
      { headers: { authorization: `Bearer ${s.tokens.admin}` } },
    )
    expect(response.status).toBe(200)
    setTimeout(() => void call('/api/v1/namespaces/default/configmaps/rest-watch', { method: 'DELETE' }), 200)
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((e) => [e.type, e.object.data?.v])).toEqual([
      ['ADDED', '1'],
      ['MODIFIED', '2'],
      ['DELETED', '2'],
    ])
  })

  it('streams the current objects first with sendInitialEvents, then a bookmark that marks their end', async () => {
    await call(
      '/api/v1/namespaces/default/configmaps',
      json({ ...configMap('rest-initial'), metadata: { name: 'rest-initial', labels: { i: '1' } } }),
    )
    const query = 'watch=true&labelSelector=i%3D1&sendInitialEvents=true&allowWatchBookmarks=true&timeoutSeconds=1'
    const response = await fetch(`${base}/api/v1/namespaces/default/configmaps?${query}&resourceVersionMatch=NotOlderThan`, {
      headers: { authorization: `Bearer ${s.tokens.admin}` },
    })
    const events = (await response.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type !== 'BOOKMARK' || e.object.metadata.annotations)
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK'])
    expect(events[0].object.metadata.name).toBe('rest-initial')
    expect(events[1].object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' })
    expect(Number(events[1].object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(events[0].object.metadata.resourceVersion))
    expect((await call(`/api/v1/namespaces/default/configmaps?${query}`)).body).toMatchObject({
      code: 422,
      message: 'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
    })
  })

  it('answers every bad request with a Kubernetes Status: no credentials, no permission, bad paths, bodies and parameters', async () => {
    const unauthenticated = await call('/api/v1/pods', { token: null })
    expect(unauthenticated).toMatchObject({ status: 401, body: { kind: 'Status', reason: 'Unauthorized' } })
    expect(unauthenticated.headers.get('www-authenticate')).toBe('Bearer realm="revkube"')
    // Authenticated before the path is read: a stranger cannot tell a served resource from another.
    expect((await call('/api/v1/widgets', { token: null })).status).toBe(401)
    expect((await call('/api/v1/namespaces/default/secrets', { token: s.tokens.carol })).body).toMatchObject({
      code: 403,
      message: 'secrets is forbidden: User "carol" cannot list resource "secrets" in API group "" in the namespace "default"',
    })
    // Audited as GraphQL's refusals are (written within a second).
    await waitFor(async () => {
      const { audit } = await s.admin('{ audit(user: "carol") { outcome operation status } }')
      return audit.some(
        (e: any) => e.operation === 'GET /api/v1/namespaces/default/secrets' && e.status === 403 && e.outcome === 'forbidden',
      )
    }, 'the refused REST read in the audit')
    expect((await call('/api/v1/widgets')).body).toMatchObject({ code: 404, message: 'the server could not find the requested resource' })
    expect((await call('/api/v1/namespaces/default/configmaps/%E0%A4%A')).body).toMatchObject({ code: 400 })
    expect(
      (
        await call('/api/v1/namespaces/default/configmaps', {
          method: 'POST',
          body: '{"kind":',
          headers: { 'content-type': 'application/json' },
        })
      ).body,
    ).toMatchObject({
      code: 400,
      message: expect.stringMatching(/^the request body is not valid JSON/),
    })
    expect(
      (
        await call('/api/v1/namespaces/default/configmaps', {
          method: 'POST',
          body: 'k8s\u0000…',
          headers: { 'content-type': 'application/vnd.kubernetes.protobuf' },
        })
      ).body,
    ).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' })
    const huge = 'x'.repeat(defaultLimits.requestBytes + 1)
    expect((await call('/api/v1/namespaces/default/configmaps', json(configMap('huge', { huge })))).body).toMatchObject({ code: 413 })
    expect((await call('/api/v1/namespaces/default/configmaps?limit=many')).body).toMatchObject({
      code: 400,
      message: 'limit must be an integer, got "many"',
    })
    expect((await call('/api/v1/configmaps', json(configMap('nowhere')))).body).toMatchObject({ code: 405 })
    expect(
      (await call('/api/v1/namespaces/default/configmaps', json({ ...configMap('wrong'), apiVersion: 'apps/v1' }))).body,
    ).toMatchObject({
      code: 400,
      message: 'the API version in the data (apps/v1) does not match the expected API version (v1)',
    })
    expect((await call('/api/v1/namespaces/default/configmaps/x', json({}, 'PATCH', 'text/plain'))).body).toMatchObject({ code: 415 })
    // Nothing above took the server down.
    expect((await fetch(`${base}/livez`)).status).toBe(200)
  })
})

describe(`the Kubernetes REST API under load (${backend})`, () => {
  it('answers 429 with Retry-After when the requests in flight fill their pool, and watches take no place', async () => {
    const s = await startSecureServer({}, { limits: { ...defaultLimits, maxRequestsInflight: 0, maxMutatingRequestsInflight: 0 } })
    try {
      const headers = { authorization: `Bearer ${s.tokens.admin}` }
      const read = await fetch(`${s.server.url}/api/v1/namespaces/default/configmaps`, { headers })
      expect(read.status).toBe(429)
      expect(read.headers.get('retry-after')).toBe('1')
      expect(await read.json()).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 })
      const watch = await fetch(`${s.server.url}/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1`, { headers })
      expect(watch.status).toBe(200)
      await watch.text()
    } finally {
      await s.close()
    }
  })
})
