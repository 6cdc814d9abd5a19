import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { defaultLimits } from '../../services/limits.js'
import { whileLive } from '../support/liveness.js'
import { startServerProcess, type ServerProcess } from '../support/server-process.js'
import { backend } from '../support/store.js'

/**
 * What the front door costs an attacker's requests, measured on a server in a process of its own:
 * unique multi-megabyte documents without a token and oversized WebSocket frames before
 * authentication leave its memory as it was, and /livez answers within a second throughout.
 */
const MiB = 1024 * 1024
/** How much the server's heap may grow over an attack (each 3 MB document used to keep ~145 MiB). */
const GROWTH_BOUND = 64 * MiB

let server: ServerProcess

beforeAll(async () => {
  server = await startServerProcess({ viewer: [] })
}, 120_000)

afterAll(async () => server?.stop())

async function heapUsed(): Promise<number> {
  return (await server.metric('nodejs_heap_size_used_bytes'))!
}

describe(`the front door's memory (${backend})`, () => {
  it('keeps its memory while unique ~3 MB documents without a token arrive, and stays live', async () => {
    // Written before the attack, so that the probe of /livez does not wait on this process.
    const document = (n: number) => `{ ${Array.from({ length: 100_000 }, (_, i) => `a${n}_${i}: __typename`).join(' ')} }`
    const bodies = Array.from({ length: 31 }, (_, n) => JSON.stringify({ query: document(n) }))
    const send = async (body: string) => {
      const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      await response.arrayBuffer()
      return response.status
    }
    await send(bodies.pop()!)
    const before = await heapUsed()
    const statuses = await whileLive(server.url, async () => {
      const out: number[] = []
      for (let round = 0; round < 10; round++) out.push(...(await Promise.all(bodies.splice(0, 3).map(send))))
      return out
    })
    const after = await heapUsed()
    console.log(`heap before ${(before / MiB).toFixed(1)} MiB, after 30 token-less 3 MB documents ${(after / MiB).toFixed(1)} MiB`)
    expect(statuses).toEqual(Array(30).fill(401))
    expect(after - before).toBeLessThan(GROWTH_BOUND)
  })

  it(`closes a WebSocket (1009) when a frame is over ${defaultLimits.requestBytes / MiB} MiB, before authentication, and keeps its memory`, async () => {
    const oversized = async () => {
      const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws')
      socket.on('error', () => undefined)
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve())
        socket.once('unexpected-response', () => reject(new Error('the upgrade was refused')))
      })
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))
      socket.send(Buffer.alloc(defaultLimits.requestBytes + 1, 0x20))
      return closed
    }
    const before = await heapUsed()
    const codes = await whileLive(server.url, async () => {
      const out: number[] = []
      for (let round = 0; round < 5; round++) out.push(...(await Promise.all([oversized(), oversized(), oversized(), oversized()])))
      return out
    })
    const after = await heapUsed()
    console.log(`heap before ${(before / MiB).toFixed(1)} MiB, after 20 oversized frames ${(after / MiB).toFixed(1)} MiB`)
    expect(codes).toEqual(Array(20).fill(1009))
    expect(after - before).toBeLessThan(GROWTH_BOUND)
  })

  it('still takes a message up to the limit once authenticated', async () => {
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws')
    const messages: any[] = []
    socket.on('message', (data) => messages.push(JSON.parse(String(data))))
    await new Promise((resolve) => socket.once('open', resolve))
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${server.tokens.viewer}` } }))
    await new Promise<void>((resolve) => {
      const check = () => (messages.some((m) => m.type === 'connection_ack') ? resolve() : setTimeout(check, 20))
      check()
    })
    // A 3 MiB message: a query whose comment fills it, under the 4 MiB limit.
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `# ${'x'.repeat(3 * MiB)}\n{ revision { revision } }` } }))
    await new Promise<void>((resolve) => {
      const check = () => (messages.some((m) => m.type === 'complete') ? resolve() : setTimeout(check, 20))
      check()
    })
    expect(messages.find((m) => m.type === 'next')?.payload.data.revision.revision).toMatch(/^\d+$/)
    socket.close()
  })
})
