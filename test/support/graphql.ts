import { createClient, type Client } from 'graphql-ws'
import WebSocket from 'ws'
import { createLogger } from '../../services/log.js'
import { startServer, type RunningServer } from '../../services/app/server.js'
import { dropSchema, freshDatabaseConfig } from './store.js'

export interface GraphQLResult {
  data?: Record<string, any> | null
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>
  extensions?: Record<string, any>
}

export interface TestServer {
  server: RunningServer
  url: string
  /** POSTs an operation to /graphql over real HTTP. */
  gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResult>
  /** A graphql-ws client over a real WebSocket. */
  ws(connectionParams?: Record<string, unknown>): Client
  close(): Promise<void>
}

/** A real revkube server on a free port, over a fresh database. */
export async function startTestServer(): Promise<TestServer> {
  const database = await freshDatabaseConfig()
  const server = await startServer(
    { database, port: 0, host: '127.0.0.1', controllers: false, simNodes: 0 },
    createLogger({ level: 'error' }),
  )
  const url = `${server.url}/graphql`
  const clients: Client[] = []
  return {
    server,
    url,
    gql: async (query, variables, headers = {}) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-remote-user': 'tester', ...headers },
        body: JSON.stringify({ query, variables }),
      })
      return (await response.json()) as GraphQLResult
    },
    ws: (connectionParams = {}) => {
      const client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams,
        lazy: true,
        retryAttempts: 0,
      })
      clients.push(client)
      return client
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.dispose()))
      await server.stop()
      if (database.backend === 'postgres' && database.schema) await dropSchema(database.url, database.schema)
    },
  }
}

/** Reads the `next` events of a GraphQL-over-SSE response until `count` arrived or the stream ends. */
export async function sseEvents(response: Response, count: number, onEach?: (data: any) => void): Promise<any[]> {
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  const out: any[] = []
  let buffer = ''
  while (out.length < count) {
    const { value, done } = await reader.read()
    if (done) break
    buffer += decoder.decode(value, { stream: true })
    let boundary: number
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, boundary)
      buffer = buffer.slice(boundary + 2)
      const event = /^event: (.*)$/m.exec(frame)?.[1]
      const data = /^data: (.*)$/m.exec(frame)?.[1]
      if (event === 'next' && data) {
        const parsed = JSON.parse(data)
        out.push(parsed)
        onEach?.(parsed)
      }
    }
  }
  await reader.cancel()
  return out
}
