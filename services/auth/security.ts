import { readFileSync } from 'node:fs'
import type { ClusterState } from '../../projections/cluster-state.js'
import { ConfigError } from '../config.js'
import { StatusError } from '../errors.js'
import { Authenticator } from './authenticator.js'
import { adminTokenPath, newSigningKey, newToken, readOrCreate, signingKeyPath } from './credentials.js'
import { allowed, forbiddenMessage, type Attributes } from './rbac.js'
import { issueToken, type TokenRequest } from './service-account-tokens.js'
import { parseTokenFile } from './token-file.js'
import {
  AUTHENTICATED,
  MASTERS,
  serviceAccountGroups,
  serviceAccountUser,
  UNAUTHENTICATED,
  type UserInfo,
  withAuthenticated,
} from './user.js'

/** A request's headers (names in lower case): a Fetch `Headers`, or Node's `req.headers` behind the same two methods. */
export type Headers = { get(name: string): string | null | undefined; keys(): Iterable<string> }

/** Who is asking and what they may do: authentication, impersonation and RBAC for every request. */
export interface Security {
  /** `token`: bearer tokens and RBAC. `none`: everybody may do everything (local experiments). */
  readonly mode: 'token' | 'none'
  /** The admin's token (token mode), written to the data folder on first start. */
  readonly adminToken: string | undefined
  readonly adminTokenFile: string | undefined
  /**
   * The request's user, from its token (or, without one, the client certificate the TLS handshake
   * verified: `certificate`, its CN and O) and any impersonation headers; Unauthorized, Forbidden
   * (impersonation not allowed) or BadRequest (impersonation headers without Impersonate-User) otherwise.
   */
  identify(headers: Headers, params?: Record<string, unknown>, certificate?: UserInfo): UserInfo
  /**
   * When the request's credentials stop being valid on their own (a ServiceAccount token's `exp`),
   * if they ever do; undefined too for credentials `identify` refuses. Requests that last (subscriptions) end then.
   */
  expiresAt(headers: Headers, params?: Record<string, unknown>): Date | undefined
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

/** The challenge a 401 carries (RFC 6750), as kube-apiserver's, on every API. */
export const WWW_AUTHENTICATE = 'Bearer realm="revkube"'

export function createSecurity(options: SecurityOptions): Security {
  const keep = (path: (dir: string) => string, create: () => string) =>
    options.dataDir ? readOrCreate(path(options.dataDir), create) : create()
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
    identify: (headers, params, certificate) => {
      const authorization = authorizationOf(headers, params)
      const real = !authorization && certificate ? withAuthenticated(certificate) : authenticator.authenticate(authorization)
      return impersonated(real, headers, params, authorize)
    },
    expiresAt: (headers, params) => authenticator.expiresAt(authorizationOf(headers, params)),
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
      const named =
        headers.get('impersonate-user') ?? headers.get('x-remote-user') ?? (typeof params?.user === 'string' ? params.user : undefined)
      return { name: named || 'anonymous', groups: [MASTERS, AUTHENTICATED] }
    },
    expiresAt: () => undefined,
    can: () => true,
    authorize: () => undefined,
    issueServiceAccountToken: issue,
  }
}

/** The bearer token comes in the Authorization header, or (WebSocket) in the connection_init payload. */
function authorizationOf(headers: Headers, params: Record<string, unknown> | undefined): string | undefined {
  return headers.get('authorization') ?? (typeof params?.authorization === 'string' ? params.authorization : undefined)
}

const AUTHENTICATION_GROUP = 'authentication.k8s.io'
const EXTRA_PREFIX = 'impersonate-extra-'
const ANONYMOUS = 'system:anonymous'

/** One thing a request asks to act as, as kube-apiserver's impersonation filter lists them. */
interface ImpersonationRequest {
  kind: 'ServiceAccount' | 'User' | 'Group' | 'UserExtra' | 'UID'
  namespace?: string
  name: string
  /** UserExtra: the key (Impersonate-Extra-<key>). */
  key?: string
}

/**
 * Kubernetes' impersonation (apiserver's WithImpersonation filter): `Impersonate-User`, and with it
 * `Impersonate-Group`, `Impersonate-Uid` and `Impersonate-Extra-<key>`, act as another user when the
 * caller may `impersonate` each of them; the CLI's --as sends Impersonate-User (over WebSocket, the
 * connection_init payload's `user`). Groups, uid or extras without a user are refused, as Kubernetes
 * refuses them. An impersonated ServiceAccount has its ServiceAccount groups unless groups are given;
 * everyone impersonated is in system:authenticated (system:anonymous in system:unauthenticated).
 */
function impersonated(
  real: UserInfo,
  headers: Headers,
  params: Record<string, unknown> | undefined,
  authorize: (a: Attributes) => void,
): UserInfo {
  const requests = impersonationRequests(headers, params)
  if (requests.length === 0) return real
  const user = requests[0]!
  if (user.kind !== 'ServiceAccount' && user.kind !== 'User') {
    throw new StatusError('BadRequest', `requested [${requests.map(goObjectReference).join(' ')}] without impersonating a user`)
  }
  const groupsGiven = requests.some((r) => r.kind === 'Group')
  let groups = user.kind === 'ServiceAccount' && !groupsGiven ? serviceAccountGroups(user.namespace!) : []
  let uid: string | undefined
  const extra: Record<string, string[]> = {}
  for (const request of requests) {
    const acting = { user: real, verb: 'impersonate' }
    switch (request.kind) {
      case 'ServiceAccount':
        authorize({ ...acting, apiGroup: '', resource: 'serviceaccounts', namespace: request.namespace!, name: request.name })
        break
      case 'User':
        authorize({ ...acting, apiGroup: '', resource: 'users', name: request.name })
        break
      case 'Group':
        authorize({ ...acting, apiGroup: '', resource: 'groups', name: request.name })
        groups = [...groups, request.name]
        break
      case 'UserExtra':
        authorize({ ...acting, apiGroup: AUTHENTICATION_GROUP, resource: 'userextras', subresource: request.key!, name: request.name })
        extra[request.key!] = [...(extra[request.key!] ?? []), request.name]
        break
      case 'UID':
        authorize({ ...acting, apiGroup: AUTHENTICATION_GROUP, resource: 'uids', name: request.name })
        uid = request.name
        break
    }
  }
  const name = user.kind === 'ServiceAccount' ? serviceAccountUser(user.namespace!, user.name) : user.name
  if (name === ANONYMOUS) {
    if (!groups.includes(UNAUTHENTICATED)) groups.push(UNAUTHENTICATED)
  } else if (!groups.includes(AUTHENTICATED) && !groups.includes(UNAUTHENTICATED)) groups.push(AUTHENTICATED)
  return { name, ...(uid !== undefined && { uid }), groups, ...(Object.keys(extra).length > 0 && { extra }) }
}

/** What the headers ask to act as, the user first (Kubernetes' buildImpersonationRequests order: user, groups, extras, uid). */
function impersonationRequests(headers: Headers, params: Record<string, unknown> | undefined): ImpersonationRequest[] {
  const requests: ImpersonationRequest[] = []
  const name = headers.get('impersonate-user') || (typeof params?.user === 'string' ? params.user : undefined)
  if (name) {
    const account = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name)
    requests.push(account ? { kind: 'ServiceAccount', namespace: account[1]!, name: account[2]! } : { kind: 'User', name })
  }
  for (const group of values(headers.get('impersonate-group'))) requests.push({ kind: 'Group', name: group })
  for (const header of headers.keys()) {
    if (!header.startsWith(EXTRA_PREFIX)) continue
    const key = unescapeExtraKey(header.slice(EXTRA_PREFIX.length))
    for (const value of values(headers.get(header))) requests.push({ kind: 'UserExtra', name: value, key })
  }
  const uid = headers.get('impersonate-uid')
  if (uid) requests.push({ kind: 'UID', name: uid })
  return requests
}

/** A header's values: repeated headers arrive joined with commas. */
const values = (header: string | null | undefined) =>
  (header ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)

/** Extra keys are %-encoded in header names (Kubernetes' unescapeExtraKey); a malformed one is kept as it came. */
function unescapeExtraKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded)
  } catch {
    return encoded
  }
}

/** How Go's %v prints the corev1.ObjectReference kube-apiserver names in its refusal: `{Group  devs    }`. */
function goObjectReference(r: ImpersonationRequest): string {
  const apiVersion = r.kind === 'UserExtra' || r.kind === 'UID' ? `${AUTHENTICATION_GROUP}/v1` : ''
  // Kind, Namespace, Name, UID, APIVersion, ResourceVersion, FieldPath (the extra's key).
  return `{${[r.kind, r.namespace ?? '', r.name, '', apiVersion, '', r.key ?? ''].join(' ')}}`
}

function readTokenFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`REVKUBE_TOKEN_FILE: cannot read ${path}: ${(error as Error).message}`)
  }
}
