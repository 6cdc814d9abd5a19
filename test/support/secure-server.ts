import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Config } from '../../services/config.js'
import { createLogger } from '../../services/log.js'
import { startServer, type RunningServer } from '../../services/app/server.js'
import type { GraphQLResult } from './graphql.js'
import { dropSchema, freshDatabaseConfig } from './store.js'

export interface SecureServer {
  server: RunningServer
  url: string
  dataDir: string
  /** Each user's bearer token (from the static token file), and the admin's. */
  tokens: Record<string, string>
  /** POSTs an operation with a bearer token (or none); the HTTP status comes back too. */
  gql(token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GraphQLResult & { status: number }>
  /** Like gql, failing the test on errors: what the admin sets up. */
  admin(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>>
  /** Binds a user to a role in a namespace (as the admin) and waits until RBAC sees it. */
  bind(user: string, roleKind: 'Role' | 'ClusterRole', role: string, namespace?: string): Promise<void>
  close(): Promise<void>
}

/**
 * A real revkube server with authentication and RBAC on (--auth=token): a static token file with
 * `users` (token `<name>-token`), its keys in a temporary data folder, over a fresh database.
 * `config` adds to (or overrides) its configuration, e.g. `{ limits }`.
 */
export async function startSecureServer(users: Record<string, string[]> = {}, config: Partial<Config> = {}): Promise<SecureServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'revkube-auth-'))
  const tokenFile = join(dataDir, 'tokens.csv')
  await writeFile(
    tokenFile,
    Object.entries(users)
      .map(([name, groups], i) => `${name}-token,${name},uid-${i},"${groups.join(',')}"`)
      .join('\n'),
  )
  const database = await freshDatabaseConfig()
  const server = await startServer(
    { database, port: 0, host: '127.0.0.1', controllers: false, simNodes: 0, auth: 'token', tokenFile, dataDir, ...config },
    createLogger({ level: 'error' }),
  )
  const url = `${server.url}/graphql`
  const tokens: Record<string, string> = { admin: server.security.adminToken! }
  for (const name of Object.keys(users)) tokens[name] = `${name}-token`
  const gql: SecureServer['gql'] = async (token, query, variables) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query, variables }),
    })
    return { ...((await response.json()) as GraphQLResult), status: response.status }
  }
  const admin: SecureServer['admin'] = async (query, variables) => {
    const result = await gql(tokens.admin, query, variables)
    if (result.errors) throw new Error(`GraphQL: ${result.errors.map((e) => e.message).join('; ')}`)
    return result.data!
  }
  return {
    server,
    url,
    dataDir,
    tokens,
    gql,
    admin,
    bind: async (user, roleKind, role, namespace = 'default') => {
      const subject = user.startsWith('system:serviceaccount:')
        ? { kind: 'ServiceAccount', namespace: user.split(':')[2], name: user.split(':')[3] }
        : { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }
      await admin('mutation($o: JSON!) { create(object: $o) { revision } }', {
        o: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: `${user.replace(/[^a-z0-9-]/g, '-')}-${role}`, namespace },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: role },
          subjects: [subject],
        },
      })
      await server.projection.waitFor(Number((await admin('{ revision { revision } }')).revision.revision))
    },
    close: async () => {
      await server.stop()
      if (database.backend === 'postgres' && database.schema) await dropSchema(database.url, database.schema)
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
