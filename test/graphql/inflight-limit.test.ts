import { request, type IncomingMessage } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultLimits } from '../../services/limits.js'
import { whileLive } from '../support/liveness.js'
import { sampleValue, scrape } from '../support/prometheus-text.js'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'
import { backend } from '../support/store.js'
import { waitFor } from '../support/wait.js'

/**
 * kube-apiserver's max-requests-inflight: queries and mutations each have a bounded pool, and an
 * operation holds its place until its answer is sent; past the bound an operation is answered 429
 * with Retry-After at once, never left to time out on the database pool; subscriptions are counted
 * in neither. Places are held here by clients that do not read their (large) answers, so the pools
 * are full for as long as the test needs, whatever the backend's speed.
 */
let s: SecureServer
const READS = 2
const MUTATIONS = 1

beforeAll(async () => {
  s = await startSecureServer(
    { viewer: [] },
    { limits: { ...defaultLimits, maxRequestsInflight: READS, maxMutatingRequestsInflight: MUTATIONS } },
  )
  await s.bind('viewer', 'ClusterRole', 'view')
  const manifest = (i: number) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${i}, namespace: default}\ndata: {k: "${'v'.repeat(100_000)}"}\n`
  const manifests = Array.from({ length: 30 }, (_, i) => manifest(i))
  await s.admin('mutation($m: String!) { apply(manifest: $m) { revision } }', { m: manifests.join('---\n') })
}, 120_000)

afterAll(async () => s?.close())

/** A read whose answer is ~30 MB: ten copies of every object. */
const copies = (n: number) => Array.from({ length: n }, (_, i) => `r${i}: raw`).join(' ')
const LARGE_READ = `{ objects(kind: "configmaps", namespace: "default", first: 1000) { edges { node { ${copies(10)} } } } }`
/** A write whose answer is ~20 MB: twenty copies of a 1 MB object. */
const LARGE_WRITE = `mutation($o: JSON!) { create(object: $o) { ${copies(20)} } }`
const bigConfigMap = (name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data: { k: 'v'.repeat(1024 * 1024) },
})

async function post(token: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(s.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  })
  return { status: response.status, retryAfter: response.headers.get('retry-after'), text: await response.text() }
}

/** Sends an operation and does not read its answer: its place is held until `release()`. */
async function holdPlace(token: string, query: string, variables?: Record<string, unknown>): Promise<{ status: number; release(): void }> {
  const body = JSON.stringify({ query, variables })
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) }
    const req = request(s.url, { method: 'POST', headers }, resolve)
    req.once('error', reject)
    req.end(body)
  })
  response.pause()
  return { status: response.statusCode ?? 0, release: () => response.destroy() }
}

async function inflight(pool: 'reads' | 'mutations'): Promise<number | undefined> {
  return sampleValue(await scrape(s.server.url), 'revkube_graphql_inflight_requests', { pool })
}

const TOO_MANY = '{"errors":[{"message":"too many requests, please try again later","extensions":{"code":"TOO_MANY_REQUESTS"}}]}'

describe(`in-flight limits (${backend})`, () => {
  it(`answers a read 429 with Retry-After while ${READS} reads hold every place, lets a mutation through, and stays live`, async () => {
    const held = await Promise.all(Array.from({ length: READS }, () => holdPlace(s.tokens.viewer!, LARGE_READ)))
    try {
      expect(held.map((h) => h.status)).toEqual(Array(READS).fill(200))
      expect(await inflight('reads')).toBe(READS)
      const refused = await whileLive(s.server.url, () => post(s.tokens.viewer!, '{ revision { revision } }'))
      expect(refused).toEqual({ status: 429, retryAfter: '1', text: TOO_MANY })
      // Mutations have a pool of their own.
      const write = await post(s.tokens.admin!, 'mutation($o: JSON!) { create(object: $o) { revision } }', {
        o: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'during-reads', namespace: 'default' } },
      })
      expect(write.status).toBe(200)
      expect(JSON.parse(write.text).errors).toBeUndefined()
    } finally {
      for (const h of held) h.release()
    }
    // Every place is given back once the answers are gone.
    await waitFor(async () => (await inflight('reads')) === 0, 'the reads to give their places back')
    expect((await post(s.tokens.viewer!, '{ revision { revision } }')).status).toBe(200)
  })

  it(`answers a mutation 429 while ${MUTATIONS} holds its place, and reads still go through`, async () => {
    const held = await holdPlace(s.tokens.admin!, LARGE_WRITE, { o: bigConfigMap('held') })
    try {
      expect(held.status).toBe(200)
      expect(await inflight('mutations')).toBe(MUTATIONS)
      const refused = await post(s.tokens.admin!, LARGE_WRITE, { o: bigConfigMap('refused') })
      expect(refused).toEqual({ status: 429, retryAfter: '1', text: TOO_MANY })
      expect((await post(s.tokens.viewer!, '{ revision { revision } }')).status).toBe(200)
    } finally {
      held.release()
    }
    await waitFor(async () => (await inflight('mutations')) === 0, 'the mutation to give its place back')
    // The refused one wrote nothing; the held one was written.
    expect((await s.admin('{ object(kind: "ConfigMap", namespace: "default", name: "refused") { revision } }')).object).toBeNull()
    expect((await s.admin('{ object(kind: "ConfigMap", namespace: "default", name: "held") { revision } }')).object).not.toBeNull()
  })

  it('answers a burst of reads with data or 429, never a server error', async () => {
    const read = '{ objects(kind: "configmaps", namespace: "default", first: 5) { edges { node { raw } } } }'
    const answers = await whileLive(s.server.url, () => Promise.all(Array.from({ length: 40 }, () => post(s.tokens.viewer!, read))))
    for (const answer of answers) {
      expect([200, 429]).toContain(answer.status)
      if (answer.status === 429) expect([answer.retryAfter, answer.text]).toEqual(['1', TOO_MANY])
    }
  })

  it.runIf(backend === 'postgres')(
    'answers 503 "the database is busy" with Retry-After, not an internal error, when no database connection frees up',
    async () => {
      // Every connection of the reads' pool (10) taken and held, as slow statements would.
      let free!: () => void
      const held = new Promise<void>((resolve) => (free = resolve))
      const taken: Promise<void>[] = []
      let holding = 0
      for (let i = 0; i < 10; i++) {
        taken.push(
          s.server.store.database.reads.connection().execute(async () => {
            holding++
            await held
          }),
        )
      }
      try {
        await waitFor(() => holding === 10, 'every connection to be taken')
        // The pool gives up waiting after its 10 s connection timeout.
        const busy = await post(s.tokens.viewer!, '{ revision { revision } }')
        expect(busy.status).toBe(503)
        expect(busy.retryAfter).toBe('1')
        expect(JSON.parse(busy.text).errors).toEqual([
          expect.objectContaining({
            message: 'the database is busy, please try again later',
            extensions: expect.objectContaining({ code: 'UNAVAILABLE' }),
          }),
        ])
      } finally {
        free()
        await Promise.all(taken)
      }
      expect((await post(s.tokens.viewer!, '{ revision { revision } }')).status).toBe(200)
    },
    30_000,
  )

  it('counts no subscription: more watches than the read pool holds all open, and reads still go through', async () => {
    const streams = await Promise.all(
      Array.from({ length: READS + 3 }, () =>
        fetch(s.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${s.tokens.viewer}` },
          body: JSON.stringify({ query: 'subscription { watch(kind: "namespaces") { type } }' }),
        }),
      ),
    )
    try {
      expect(streams.map((r) => r.status)).toEqual(Array(READS + 3).fill(200))
      expect((await post(s.tokens.viewer!, '{ revision { revision } }')).status).toBe(200)
      expect(await inflight('reads')).toBe(0)
    } finally {
      await Promise.all(streams.map((r) => r.body!.cancel()))
    }
  })
})
