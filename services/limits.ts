import { ConfigError } from './config-error.js'

/**
 * The bounds that keep one request, one client or one table from taking the server down: every
 * one has a default (Kubernetes' where Kubernetes has one) and an environment variable. docs/limits.md
 * lists them; `LIMIT_SETTINGS` below is where they are declared, once.
 */
export interface Limits {
  /** Largest request body, and largest WebSocket message, in bytes. @default 4 MiB (room for a 3 MiB manifest) */
  requestBytes: number
  /** Most lexical tokens in one GraphQL document (graphql-js `maxTokens`). @default 10000 */
  documentTokens: number
  /** Deepest selection nesting of a GraphQL operation (introspection excepted, within its own bound). @default 12 */
  queryDepth: number
  /** Largest estimated cost of a GraphQL operation. @default 2000000 */
  queryCost: number
  /** Most rows of the log or of object history that one request may read. @default 200000 */
  scanRows: number
  /** Longest a read's SQL statement may run, ms. @default 30000 */
  statementTimeoutMs: number
  /** Largest object a write (create, update, patch, apply) may store, serialized as JSON, bytes. @default 1.5 MiB, as etcd */
  objectBytes: number
  /**
   * Queries served at once (not mutations, not subscriptions); the rest get 429. kube-apiserver's
   * 400 is for many cores: one Node process answers ~250 small or ~20 large reads a second
   * (`npm run bench -- overload`), so 100 at once already means ~0.4 s or ~5 s each, and 100 over
   * a pool of 10 connections waits less than the pool's 10 s unless statements average 1 s. @default 100
   */
  maxRequestsInflight: number
  /** Mutations served at once; the rest get 429. Half the queries' bound, as kube-apiserver's 200 to 400. @default 50 */
  maxMutatingRequestsInflight: number
  /** Shortest lifetime of a watch or subscription, ms: each gets a random lifetime between this and twice it. @default 30 min, as kube-apiserver */
  minRequestTimeoutMs: number
  /** How long refused requests stay in the audit table, ms. @default 7 days */
  auditRetentionMs: number
}

type Parser = (name: string, value: string) => number

/** Every limit: its variable, its default as written in the environment, and how the value is read. */
export const LIMIT_SETTINGS: Record<keyof Limits, { variable: string; default: string; parse: Parser }> = {
  requestBytes: { variable: 'REVKUBE_MAX_REQUEST_BYTES', default: '4Mi', parse: bytes },
  documentTokens: { variable: 'REVKUBE_MAX_DOCUMENT_TOKENS', default: '10000', parse: count },
  queryDepth: { variable: 'REVKUBE_MAX_QUERY_DEPTH', default: '12', parse: count },
  queryCost: { variable: 'REVKUBE_MAX_QUERY_COST', default: '2000000', parse: count },
  scanRows: { variable: 'REVKUBE_MAX_SCAN_ROWS', default: '200000', parse: count },
  statementTimeoutMs: { variable: 'REVKUBE_STATEMENT_TIMEOUT', default: '30s', parse: duration },
  objectBytes: { variable: 'REVKUBE_MAX_OBJECT_BYTES', default: '1.5Mi', parse: bytes },
  maxRequestsInflight: { variable: 'REVKUBE_MAX_REQUESTS_INFLIGHT', default: '100', parse: count },
  maxMutatingRequestsInflight: { variable: 'REVKUBE_MAX_MUTATING_REQUESTS_INFLIGHT', default: '50', parse: count },
  minRequestTimeoutMs: { variable: 'REVKUBE_MIN_REQUEST_TIMEOUT', default: '30m', parse: duration },
  auditRetentionMs: { variable: 'REVKUBE_AUDIT_RETENTION', default: '7d', parse: duration },
}

/** The limits from the environment; a variable that is unset takes its default. */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): Limits {
  const out = {} as Limits
  for (const [key, setting] of Object.entries(LIMIT_SETTINGS) as [keyof Limits, (typeof LIMIT_SETTINGS)[keyof Limits]][]) {
    const value = env[setting.variable]?.trim() || setting.default
    out[key] = setting.parse(setting.variable, value)
  }
  return out
}

function count(name: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new ConfigError(`${name} must be a whole number of at least 1, got "${value}"`)
  }
  return Number(value)
}

const BYTE_UNITS: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, K: 1000, M: 1000 ** 2, G: 1000 ** 3 }

/** `1048576`, `512Ki`, `1.5Mi`, `4M`: bytes, as Kubernetes quantities write them. */
function bytes(name: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(value)
  const n = match ? Math.floor(Number(match[1]) * BYTE_UNITS[match[2] ?? '']!) : NaN
  if (!(n >= 1) || !Number.isSafeInteger(n)) throw new ConfigError(`${name} must be a size such as 1048576, 512Ki or 4Mi, got "${value}"`)
  return n
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `500ms`, `30s`, `30m`, `12h`, `7d`, or a bare number of seconds: milliseconds. */
function duration(name: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value)
  const ms = match ? Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 's']!) : NaN
  if (!(ms >= 1)) throw new ConfigError(`${name} must be a duration such as 500ms, 30s, 30m, 12h or 7d, got "${value}"`)
  return ms
}

/** The defaults, for servers built without the environment (tests). */
export const defaultLimits: Readonly<Limits> = limitsFromEnv({})
