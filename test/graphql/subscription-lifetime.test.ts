import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RevkubeClient } from '../../cli/client.js'
import { activeSubscriptions } from '../../graphql/subscriptions.graphql.js'
import { defaultLimits } from '../../services/limits.js'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'
import { backend } from '../support/store.js'
import { subscribe, type ClientSubscription, type SubscriptionTransport } from '../support/subscription-client.js'
import { waitFor } from '../support/wait.js'

/**
 * Every watch and subscription has a maximum lifetime, as kube-apiserver's --min-request-timeout
 * gives its watches (random between the minimum and twice it): at its end the subscription sends
 * a last result, EXPIRED with the revision to subscribe again from, and completes; subscribing
 * again from that revision misses nothing and repeats nothing.
 */
let s: SecureServer
const transports: SubscriptionTransport[] = ['sse', 'ws']

beforeAll(async () => {
  s = await startSecureServer({}, { limits: { ...defaultLimits, minRequestTimeoutMs: 500 } })
})

afterAll(async () => s?.close())

const head = async () => (await s.admin('{ revision { revision } }')).revision.revision as string
const configMap = async (name: string) =>
  (
    await s.admin('mutation($o: JSON!) { create(object: $o) { revision } }', {
      o: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } },
    })
  ).create.revision as string
const last = (sub: ClientSubscription) => sub.results.at(-1)!.errors![0]!

describe.each(transports)(`subscription lifetime (%s, ${backend})`, (transport) => {
  const WATCH =
    'subscription($from: Revision) { watch(kind: "configmaps", namespace: "default", fromRevision: $from) { revision object { metadata { name } } } }'
  const LOG = 'subscription($from: Revision) { log(fromRevision: $from, kind: "ConfigMap") { revision name } }'

  for (const [field, query] of [
    ['watch', WATCH],
    ['log', LOG],
  ] as const) {
    it(`ends a ${field} subscription with EXPIRED and the revision to resume from; resuming there misses and repeats nothing`, async () => {
      const from = await head()
      const written = [await configMap(`${field}-${transport}-1`)]
      const delivered: string[] = []
      // A client's loop: subscribe, and when the subscription expires, subscribe again from where it says.
      for (let cursor = from, round = 0; delivered.length < 2 && round < 20; round++) {
        const sub = subscribe(transport, s.url, query, { token: s.tokens.admin!, variables: { from: cursor } })
        expect(await sub.ended).toEqual({ how: 'complete' })
        const revisions = sub.results.slice(0, -1).map((r) => r.data![field].revision as string)
        cursor = revisions.at(-1) ?? cursor
        expect(last(sub)).toEqual({
          message: `the subscription reached its maximum lifetime; subscribe again from revision ${cursor}`,
          extensions: { code: 'EXPIRED', revision: cursor },
        })
        delivered.push(...revisions)
        // Written while no subscription is open: the next one starts with it.
        if (round === 0) written.push(await configMap(`${field}-${transport}-2`))
      }
      expect(delivered).toEqual(written)
      await waitFor(() => activeSubscriptions() === 0, 'every subscription to be released')
    })
  }

  it('tells a watch that ended before its first change to start afresh (no revision: it had only the current objects)', async () => {
    await configMap(`initial-${transport}`)
    const sub = subscribe(transport, s.url, 'subscription { watch(kind: "configmaps", namespace: "default") { type } }', {
      token: s.tokens.admin!,
    })
    expect(await sub.ended).toEqual({ how: 'complete' })
    expect(sub.results.slice(0, -1).every((r) => r.data!.watch.type === 'ADDED')).toBe(true)
    expect(last(sub)).toEqual({
      message: 'the subscription reached its maximum lifetime; subscribe again',
      extensions: { code: 'EXPIRED' },
    })
  })
})

describe(`the CLI's client (${backend})`, () => {
  it('subscribes again from the revision an EXPIRED subscription names, so a long watch goes on without a gap', async () => {
    const client = new RevkubeClient(s.server.url, s.tokens.admin!)
    const events = client.subscribe<{ watch: { revision: string } }>(
      'subscription($fromRevision: Revision) { watch(kind: "configmaps", namespace: "default", fromRevision: $fromRevision) { revision } }',
      { fromRevision: await head() },
    )
    try {
      const first = await configMap('cli-1')
      expect((await events.next()).value).toEqual({ watch: { revision: first } })
      // Longer than any lifetime (at most twice 500 ms): the first subscription has expired by now.
      await new Promise((resolve) => setTimeout(resolve, 1500))
      const second = await configMap('cli-2')
      expect((await events.next()).value).toEqual({ watch: { revision: second } })
    } finally {
      await events.return(undefined)
      await client.close()
    }
  })
})
