import { readFileSync } from 'node:fs'
import type { ClusterState } from '../../projections/cluster-state.js'
import { ConfigError } from '../config.js'
import { StatusError } from '../errors.js'
import { Authenticator } from './authenticator.js'
import { adminTokenPath, newSigningKey, newToken, readOrCreate, signingKeyPath } from './credentials.js'
import { allowed, forbiddenMessage, type Attributes } from './rbac.js'
import { issueToken, type TokenRequest } from './service-account-tokens.js'
import { parseTokenFile } from './token-file.js'
import { AUTHENTICATED, MASTERS, type UserInfo } from './user.js'

type Headers = { get(name: string): string | null | undefined }

/** Who is asking and what they may do: authentication, impersonation and RBAC for every request. */
export interface Security {
  /** `token`: bearer tokens and RBAC. `none`: everybody may do everything (local experiments). */
  readonly mode: 'token' | 'none'
  /** The admin's token (token mode), written to the data folder on first start. */
  readonly adminToken: string | undefined
  readonly adminTokenFile: string | undefined
  /** The request's user, from its token and any impersonation headers; Unauthorized or Forbidden otherwise. */
  identify(headers: Headers, params?: Record<string, unknown>): UserInfo
  can(attributes: Attributes): boolean
  /** Forbidden, with Kubernetes' message, unless allowed. */
  authorize(attributes: Attributes): void
  /** A signed token for a ServiceAccount (TokenRequest). */
  issueServiceAccountToken(request: TokenRequest): { token: string; expiresAt: Date }
}

export interface SecurityOptions {
  mode: 'token' | 'none'
  /** Where the admin token and the signing key live; without one they are made anew, in memory (tests). */
  dataDir?: string | undefined
  /** A static token file in kube-apiserver's format. */
  tokenFile?: string | undefined
  /** The live state: RBAC objects and ServiceAccounts. */
  state: () => ClusterState
}

export const ADMIN_USER = 'admin'

export function createSecurity(options: SecurityOptions): Security {
  const keep = (path: (dir: string) => string, create: () => string) => (options.dataDir ? readOrCreate(path(options.dataDir), create) : create())
  const signingKey = Buffer.from(keep(signingKeyPath, newSigningKey), 'base64')
  const issue = (request: TokenRequest) => issueToken(signingKey, request)
  if (options.mode === 'none') return openSecurity(issue)

  const tokens = new Map(options.tokenFile ? parseTokenFile(readTokenFile(options.tokenFile), options.tokenFile) : [])
  const adminTokenFile = options.dataDir ? adminTokenPath(options.dataDir) : undefined
  const adminToken = keep(adminTokenPath, newToken)
  tokens.set(adminToken, { name: ADMIN_USER, groups: [MASTERS] })
  const authenticator = new Authenticator(tokens, signingKey, options.state)
  const can = (a: Attributes) => allowed(options.state(), a)
  const authorize = (a: Attributes) => {
    if (!can(a)) throw new StatusError('Forbidden', forbiddenMessage(a))
  }
  return {
    mode: 'token',
    adminToken,
    adminTokenFile,
    identify: (headers, params) => {
      const authorization = headers.get('authorization') ?? (typeof params?.authorization === 'string' ? params.authorization : undefined)
      const real = authenticator.authenticate(authorization)
      return impersonated(real, headers, params, authorize)
    },
    can,
    authorize,
    issueServiceAccountToken: issue,
  }
}

/** --auth=none: the caller is whoever it says (X-Remote-User, Impersonate-User), and may do anything. */
function openSecurity(issue: Security['issueServiceAccountToken']): Security {
  return {
    mode: 'none',
    adminToken: undefined,
    adminTokenFile: undefined,
    identify: (headers, params) => {
      const named = headers.get('impersonate-user') ?? headers.get('x-remote-user') ?? (typeof params?.user === 'string' ? params.user : undefined)
      return { name: named || 'anonymous', groups: [MASTERS, AUTHENTICATED] }
    },
    can: () => true,
    authorize: () => undefined,
    issueServiceAccountToken: issue,
  }
}

/**
 * Kubernetes' impersonation: `Impersonate-User` (and `Impersonate-Group`) act as another user when
 * the caller may `impersonate` that user (and those groups); the CLI's --as sends them.
 */
function impersonated(real: UserInfo, headers: Headers, params: Record<string, unknown> | undefined, authorize: (a: Attributes) => void): UserInfo {
  const name = headers.get('impersonate-user') ?? (typeof params?.user === 'string' ? params.user : undefined)
  if (!name) return real
  const account = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name)
  authorize(
    account
      ? { user: real, verb: 'impersonate', apiGroup: '', resource: 'serviceaccounts', namespace: account[1]!, name: account[2]! }
      : { user: real, verb: 'impersonate', apiGroup: '', resource: 'users', name },
  )
  const groups = (headers.get('impersonate-group') ?? '').split(',').map((g) => g.trim()).filter(Boolean)
  for (const group of groups) authorize({ user: real, verb: 'impersonate', apiGroup: '', resource: 'groups', name: group })
  return { name, groups: [...groups, AUTHENTICATED] }
}

function readTokenFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`REVKUBE_TOKEN_FILE: cannot read ${path}: ${(error as Error).message}`)
  }
}
