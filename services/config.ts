import { homedir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from './config-error.js'
import { limitsFromEnv, type Limits } from './limits.js'

export { ConfigError }

/**
 * Start-up configuration from the environment (twelve-factor). Every mistake is reported as a
 * `ConfigError` with one line that names the setting and what is wrong with it.
 */

/** Where the event log lives: a PostgreSQL server, or an embedded PGlite data folder. */
export type DatabaseConfig = { backend: 'postgres'; url: string; schema?: string } | { backend: 'pglite'; dataDir: string; schema?: string }

export interface Config {
  database: DatabaseConfig
  /** @default 4000 */
  port: number
  /** @default '127.0.0.1' */
  host: string
  /**
   * The HTTPS port, serving the same routes as `port` (Kubernetes' --secure-port): kubectl and
   * client-go send credentials only over TLS. 0 or unset: no secure listener; `any`: a free port.
   * @default 6443 from the environment
   */
  securePort?: number | 'any'
  /** The serving certificate and key (PEM files); without them the server makes its own, signed by its CA, in the data folder. */
  tlsCertFile?: string
  tlsPrivateKeyFile?: string
  /** The CA that signs client certificates (PEM); without it, the server's own CA. */
  clientCaFile?: string
  /** Extra names (DNS names or addresses) for the serving certificate the server makes, beside 127.0.0.1, localhost and the host name. */
  tlsSans?: string[]
  /** Run the controllers, scheduler and simulated kubelets (when this process leads). @default true */
  controllers: boolean
  /** Simulated nodes to create at start if there are fewer. @default 0 */
  simNodes: number
  /**
   * How long a graceful shutdown waits for open requests and subscriptions before it cuts their
   * connections (the database is closed cleanly either way). @default 10000
   */
  shutdownTimeoutMs?: number
  /**
   * `token`: bearer tokens (the admin token, a static token file, ServiceAccount tokens) and RBAC
   * on every request. `none`: no authentication, everyone may do everything. @default 'none' here,
   * 'token' from the environment (configFromEnv), so tests that build a Config opt in.
   */
  auth?: 'token' | 'none'
  /** A static token file in kube-apiserver's CSV format (token,user,uid,"groups"). */
  tokenFile?: string
  /** Where the server keeps its keys and the admin token, whatever the database. @default the PGlite folder, else ./data */
  dataDir?: string
  /** Paths served without authentication. @default /livez, /readyz, /metrics */
  openPaths?: string[]
  /** Where to record the admin token for the CLI on this machine ($REVKUBE_CONFIG or ~/.revkube/config.json); unset: nowhere. */
  cliConfig?: string
  /** The bounds on requests, documents, reads, objects and tables (services/limits.ts). @default defaultLimits */
  limits?: Limits
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const url = env.DATABASE_URL?.trim()
  const schema = env.REVKUBE_DB_SCHEMA?.trim() || undefined
  const database: DatabaseConfig = url
    ? { backend: 'postgres', url: checkDatabaseUrl(url), ...(schema && { schema: checkSchema(schema) }) }
    : { backend: 'pglite', dataDir: env.REVKUBE_DATA_DIR?.trim() || './data', ...(schema && { schema: checkSchema(schema) }) }
  return {
    database,
    port: checkPort(env.PORT ?? '4000'),
    host: env.HOST?.trim() || '127.0.0.1',
    securePort: checkPort(env.REVKUBE_SECURE_PORT ?? '6443', 'REVKUBE_SECURE_PORT'),
    ...(env.REVKUBE_TLS_CERT_FILE?.trim() && { tlsCertFile: env.REVKUBE_TLS_CERT_FILE.trim() }),
    ...(env.REVKUBE_TLS_PRIVATE_KEY_FILE?.trim() && { tlsPrivateKeyFile: env.REVKUBE_TLS_PRIVATE_KEY_FILE.trim() }),
    ...(env.REVKUBE_CLIENT_CA_FILE?.trim() && { clientCaFile: env.REVKUBE_CLIENT_CA_FILE.trim() }),
    ...(env.REVKUBE_TLS_SAN?.trim() && {
      tlsSans: env.REVKUBE_TLS_SAN.split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    }),
    controllers: checkBoolean('REVKUBE_CONTROLLERS', env.REVKUBE_CONTROLLERS ?? 'true'),
    simNodes: checkCount('REVKUBE_SIM_NODES', env.REVKUBE_SIM_NODES ?? '0'),
    shutdownTimeoutMs: checkDuration('REVKUBE_SHUTDOWN_TIMEOUT', env.REVKUBE_SHUTDOWN_TIMEOUT ?? '10s'),
    auth: checkAuth(env.REVKUBE_AUTH ?? 'token'),
    ...(env.REVKUBE_TOKEN_FILE?.trim() && { tokenFile: env.REVKUBE_TOKEN_FILE.trim() }),
    dataDir: env.REVKUBE_DATA_DIR?.trim() || './data',
    openPaths: (env.REVKUBE_OPEN_PATHS ?? '/livez,/readyz,/metrics')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
    cliConfig: cliConfigPath(env),
    limits: limitsFromEnv(env),
  }
}

function checkAuth(value: string): 'token' | 'none' {
  const v = value.trim().toLowerCase()
  if (v === 'token' || v === 'none') return v
  throw new ConfigError(`REVKUBE_AUTH must be token or none, got "${value}"`)
}

/** Command-line flags and the variables they stand for; a flag wins over its variable. */
export const FLAGS = {
  'sim-nodes': 'REVKUBE_SIM_NODES',
  controllers: 'REVKUBE_CONTROLLERS',
  port: 'PORT',
  host: 'HOST',
  'secure-port': 'REVKUBE_SECURE_PORT',
  'tls-cert-file': 'REVKUBE_TLS_CERT_FILE',
  'tls-private-key-file': 'REVKUBE_TLS_PRIVATE_KEY_FILE',
  'client-ca-file': 'REVKUBE_CLIENT_CA_FILE',
  'tls-san': 'REVKUBE_TLS_SAN',
  'data-dir': 'REVKUBE_DATA_DIR',
  'shutdown-timeout': 'REVKUBE_SHUTDOWN_TIMEOUT',
  auth: 'REVKUBE_AUTH',
  'token-auth-file': 'REVKUBE_TOKEN_FILE',
} as const

/**
 * The environment with `--flag value` / `--flag=value` arguments applied over it (`--no-controllers`
 * for `--controllers=false`). Unknown flags and flags without a value are ConfigErrors.
 */
export function envWithFlags(argv: string[], env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out = { ...env }
  const names = Object.keys(FLAGS)
    .map((f) => `--${f}`)
    .join(', ')
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--no-controllers') {
      out.REVKUBE_CONTROLLERS = 'false'
      continue
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg)
    const flag = match?.[1] as keyof typeof FLAGS | undefined
    if (!match || !flag || !(flag in FLAGS)) throw new ConfigError(`unknown argument "${arg}" (flags: ${names}, --no-controllers)`)
    const value = match[2] ?? argv[++i]
    if (value === undefined || (match[2] === undefined && value.startsWith('--'))) throw new ConfigError(`--${flag} needs a value`)
    out[FLAGS[flag]] = value
  }
  return out
}

/** Accepts `postgres://` and `postgresql://` URLs; returns the URL unchanged. */
export function checkDatabaseUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigError(`DATABASE_URL is not a valid URL: "${redact(url)}" (expected postgres://user@host:5432/database)`)
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(
      `DATABASE_URL must start with postgres:// or postgresql://, got "${parsed.protocol}//" (expected postgres://user@host:5432/database)`,
    )
  }
  if (!parsed.hostname && !parsed.searchParams.get('host')) {
    throw new ConfigError(`DATABASE_URL names no host: "${redact(url)}"`)
  }
  if (parsed.port && !/^\d+$/.test(parsed.port)) {
    throw new ConfigError(`DATABASE_URL has an invalid port: "${parsed.port}"`)
  }
  return url
}

/** Hides the password of a database URL for messages and logs. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@/]*@/, '$1***@')
}

function checkPort(value: string, name = 'PORT'): number {
  const port = Number(value)
  if (!/^\d+$/.test(value.trim()) || port > 65535) {
    throw new ConfigError(`${name} must be a number from 0 to 65535, got "${value}"`)
  }
  return port
}

function checkBoolean(name: string, value: string): boolean {
  const v = value.trim().toLowerCase()
  if (['true', '1', 'yes', 'on'].includes(v)) return true
  if (['false', '0', 'no', 'off'].includes(v)) return false
  throw new ConfigError(`${name} must be true or false, got "${value}"`)
}

function checkCount(name: string, value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || n > 100_000) throw new ConfigError(`${name} must be a whole number from 0 to 100000, got "${value}"`)
  return n
}

/** `10s`, `500ms`, `2m`, or a bare number of seconds; returns milliseconds. */
function checkDuration(name: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim())
  const ms = match ? Number(match[1]) * ({ ms: 1, s: 1000, m: 60_000 } as const)[(match[2] ?? 's') as 'ms' | 's' | 'm'] : NaN
  if (!(ms <= 3_600_000)) throw new ConfigError(`${name} must be a duration such as 10s, 500ms or 2m (at most 1h), got "${value}"`)
  return Math.round(ms)
}

function checkSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError(`REVKUBE_DB_SCHEMA must be a lowercase SQL identifier, got "${schema}"`)
  }
  return schema
}

/** Where the server records its admin token for the CLI on this machine, and the CLI looks for it: $REVKUBE_CONFIG, else ~/.revkube/config.json. */
export function cliConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.REVKUBE_CONFIG || join(homedir(), '.revkube', 'config.json')
}
