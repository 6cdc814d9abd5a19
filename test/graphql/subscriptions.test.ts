import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { activeSubscriptions } from '../../graphql/subscriptions.graphql.js'
import { sseEvents, startTestServer, type TestServer } from '../support/graphql.js'
import { backend } from '../support/store.js'
import { waitFor } from '../support/wait.js'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

const configMap = (name: string, value: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels: { app: 'sub' } },
  data: { value },
})
const create = (name: string, value = '1') =>
  t.gql(`mutation($o: JSON!) { create(object: $o) { revision } }`, { o: configMap(name, value) })
const head = async () => (await t.gql(`{ revision { revision } }`)).data!.revision.revision as string

const WATCH = `subscription($from: Revision) { watch(kind: "configmaps", labelSelector: "app=sub", fromRevision: $from) { type revision object { metadata { name } } } }`

describe(`GraphQL subscriptions (${backend})`, () => {
  it('deliver watch events over WebSocket, resumed from a revision with exactly the events after it', async () => {
    const from = await head()
    for (const name of ['a', 'b', 'c']) await create(name)
    await t.gql(`mutation { delete(kind: "cm", namespace: "default", name: "b") { kind } }`)
    const client = t.ws()
    const seen: any[] = []
    const done = new Promise<void>((resolve, reject) => {
      const dispose = client.subscribe(
        { query: WATCH, variables: { from } },
        {
          next: (result) => {
            seen.push(result.data!.watch)
            if (seen.length === 5) {
              dispose()
              resolve()
            }
          },
          error: reject,
          complete: () => undefined,
        },
      )
    })
    await waitFor(() => seen.length === 4, 'the backlog')
    await create('d')
    await done
    expect(seen.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED a', 'ADDED b', 'ADDED c', 'DELETED b', 'ADDED d'])
    expect(seen.map((e) => Number(e.revision))).toEqual([...seen.map((e) => Number(e.revision))].sort((x, y) => x - y))
    expect(Number(seen[0].revision)).toBe(Number(from) + 1)
    await waitFor(() => activeSubscriptions() === 0, 'the subscription to be released')
  })

  it('deliver over SSE, and release the subscription when the client goes', async () => {
    const from = await head()
    const controller = new AbortController()
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: WATCH, variables: { from } }),
      signal: controller.signal,
    })
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/)
    const reading = sseEvents(response, 2)
    await waitFor(() => activeSubscriptions() === 1, 'the SSE subscription')
    await create('e')
    await create('f')
    const events = await reading
    expect(events.map((e) => e.data.watch.object.metadata.name)).toEqual(['e', 'f'])
    controller.abort()
    await waitFor(() => activeSubscriptions() === 0, 'the SSE subscription to be released')
  })

  it('stream the log from a revision', async () => {
    const from = await head()
    await create('g')
    await t.gql(
      `mutation { patch(kind: "cm", namespace: "default", name: "g", type: MERGE, patch: { data: { value: "2" } }) { kind } }`,
      {},
      { 'x-remote-user': 'carol' },
    )
    const client = t.ws()
    const seen: any[] = []
    await new Promise<void>((resolve, reject) => {
      const dispose = client.subscribe(
        {
          query: `subscription($from: Revision) { log(fromRevision: $from, kind: "ConfigMap") { revision type name actor verb } }`,
          variables: { from },
        },
        {
          next: (r) => {
            seen.push(r.data!.log)
            if (seen.length === 2) {
              dispose()
              resolve()
            }
          },
          error: reject,
          complete: () => undefined,
        },
      )
    })
    expect(seen.map((e) => [e.type, e.name, e.actor, e.verb])).toEqual([
      ['Created', 'g', 'tester', 'create'],
      ['Updated', 'g', 'carol', 'patch'],
    ])
  })

  it('release every subscription of a WebSocket that closes', async () => {
    const client = t.ws()
    for (let i = 0; i < 3; i++)
      client.subscribe({ query: WATCH }, { next: () => undefined, error: () => undefined, complete: () => undefined })
    await waitFor(() => activeSubscriptions() === 3, 'three subscriptions')
    await client.dispose()
    await waitFor(() => activeSubscriptions() === 0, 'all three to be released')
  })
})
