import { FakeClock } from '../../services/runtime/clock.js'
import { createLogger } from '../../services/log.js'
import { startServer, type RunningServer } from '../../services/app/server.js'
import type { JsonObject } from '../../services/json.js'
import type { GraphQLResult } from './graphql.js'
import { dropSchema, freshDatabaseConfig } from './store.js'
import { waitFor } from './wait.js'

export interface TestCluster {
  server: RunningServer
  clock: FakeClock
  url: string
  /** A GraphQL operation over real HTTP; fails the test on errors. */
  gql(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>>
  /** Moves the controllers' clock forward in steps and lets them settle after each. */
  advance(ms: number, step?: number): Promise<void>
  /** Waits until the controllers have nothing left to do. */
  settled(): Promise<void>
  /** Polls (advancing the clock a second at a time) until `condition` holds. */
  until(condition: () => Promise<boolean>, what: string, maxSeconds?: number): Promise<void>
  close(): Promise<void>
}

/** A real revkube server running its controllers and `nodes` simulated nodes on a fake clock. */
export async function startTestCluster(nodes = 3): Promise<TestCluster> {
  const database = await freshDatabaseConfig()
  const clock = new FakeClock(new Date())
  const server = await startServer(
    { database, port: 0, host: '127.0.0.1', controllers: true, simNodes: nodes },
    createLogger({ level: 'error' }),
    { clock },
  )
  await waitFor(() => server.leading, 'leadership')
  const url = `${server.url}/graphql`
  const settled = () => server.settled(60_000)
  const cluster: TestCluster = {
    server,
    clock,
    url,
    gql: async (query, variables) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-remote-user': 'tester' },
        body: JSON.stringify({ query, variables }),
      })
      const result = (await response.json()) as GraphQLResult
      if (result.errors) throw new Error(`GraphQL: ${result.errors.map((e) => e.message).join('; ')}`)
      return result.data!
    },
    advance: async (ms, step = 1000) => {
      await settled()
      for (let done = 0; done < ms; done += step) {
        clock.advance(Math.min(step, ms - done))
        await settled()
      }
    },
    settled,
    until: async (condition, what, maxSeconds = 600) => {
      await settled()
      for (let s = 0; s <= maxSeconds; s++) {
        if (await condition()) return
        clock.advance(1000)
        await settled()
      }
      throw new Error(`the cluster did not reach: ${what}`)
    },
    close: async () => {
      await server.stop()
      if (database.backend === 'postgres' && database.schema) await dropSchema(database.url, database.schema)
    },
  }
  await cluster.until(async () => (await server.api.list('nodes')).items.every((n) => isReady(n)), 'every node Ready', 30)
  return cluster
}

export function isReady(object: JsonObject): boolean {
  const conditions = ((object.status ?? {}) as JsonObject).conditions
  return Array.isArray(conditions) && conditions.some((c) => (c as JsonObject).type === 'Ready' && (c as JsonObject).status === 'True')
}
