import type { Command } from '../command.js'
import { CliError } from '../errors.js'

/** The server's own flags, passed through to it (services/config.ts reads them). */
const passThrough = ['port', 'host', 'data-dir', 'sim-nodes', 'shutdown-timeout', 'auth', 'token-auth-file'] as const

export const server: Command = {
  name: 'server',
  summary: 'Start a revkube server (GraphQL API, controllers, scheduler, simulated nodes) in this process',
  usage: 'server [--port 4000] [--data-dir ./data | --database-url postgres://…] [--sim-nodes N] [--no-controllers] [--auth token|none]',
  examples: [
    'revkube server --sim-nodes 3',
    'revkube server --database-url postgres://postgres@127.0.0.1:5432/revkube --port 4001',
    'revkube server --data-dir /var/lib/revkube --no-controllers',
  ],
  description:
    'Runs until SIGINT or SIGTERM, then shuts down gracefully. Without --database-url it keeps its log in an embedded PostgreSQL (PGlite) in --data-dir.',
  local: true,
  flags: [
    { name: 'port', type: 'string', value: 'PORT', help: 'HTTP port for /graphql, /livez, /readyz and /metrics (default $PORT or 4000)' },
    { name: 'host', type: 'string', value: 'HOST', help: 'address to listen on (default $HOST or 127.0.0.1)' },
    {
      name: 'data-dir',
      type: 'string',
      value: 'DIR',
      help: 'where the embedded database keeps its files (default $REVKUBE_DATA_DIR or ./data)',
    },
    { name: 'database-url', type: 'string', value: 'URL', help: 'use this PostgreSQL database instead (default $DATABASE_URL)' },
    { name: 'sim-nodes', type: 'string', value: 'N', help: 'simulated nodes to create at start (default $REVKUBE_SIM_NODES or 0)' },
    { name: 'no-controllers', type: 'boolean', help: 'serve the API only: no controllers, scheduler or simulated kubelets' },
    {
      name: 'shutdown-timeout',
      type: 'string',
      value: 'DURATION',
      help: 'how long a graceful shutdown waits for open requests (default 10s)',
    },
    { name: 'auth', type: 'string', value: 'token|none', help: 'bearer tokens and RBAC (default), or none for local experiments' },
    { name: 'token-auth-file', type: 'string', value: 'FILE', help: 'a static token file: CSV lines token,user,uid,"group1,group2"' },
  ],
  run: async (ctx) => {
    if (ctx.args.length) throw new CliError(`server takes no arguments, got "${ctx.args[0]}"`)
    if (ctx.flags['database-url'] !== undefined && ctx.flags['data-dir'] !== undefined)
      throw new CliError('--data-dir and --database-url cannot be combined: choose one database')
    // A flag wins over the environment: --data-dir means the embedded database even if $DATABASE_URL is set.
    if (ctx.flags['database-url'] !== undefined) process.env.DATABASE_URL = String(ctx.flags['database-url'])
    if (ctx.flags['data-dir'] !== undefined) delete process.env.DATABASE_URL
    const argv = passThrough.flatMap((name) => (ctx.flags[name] === undefined ? [] : [`--${name}`, String(ctx.flags[name])]))
    if (ctx.flags['no-controllers']) argv.push('--no-controllers')
    // services/app/main.ts is `npm start`: it reads process.argv, serves, and exits the process on a signal.
    process.argv = [process.argv[0]!, 'revkube-server', ...argv]
    await import('../../services/app/main.js')
    return new Promise<number>(() => undefined)
  },
}
