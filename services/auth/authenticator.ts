import { getObject, type ClusterState } from '../../projections/cluster-state.js'
import { StatusError } from '../errors.js'
import { expiryOf, isJwt, verifyToken } from './service-account-tokens.js'
import { serviceAccountGroups, serviceAccountUser, withAuthenticated, type UserInfo } from './user.js'

/** A request's user from its bearer token: a static token (file or the admin's), or a ServiceAccount JWT. */
export class Authenticator {
  constructor(
    private readonly tokens: ReadonlyMap<string, UserInfo>,
    private readonly signingKey: Buffer,
    private readonly state: () => ClusterState,
  ) {}

  /** The user of an `Authorization` value (`Bearer <token>`); Unauthorized, with why, otherwise. */
  authenticate(authorization: string | null | undefined): UserInfo {
    if (!authorization) throw unauthorized('no bearer token: send "Authorization: Bearer <token>"')
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
    if (!match) throw unauthorized('the Authorization header is not "Bearer <token>"')
    const token = match[1]!
    const user = this.tokens.get(token)
    if (user) return withAuthenticated(user)
    if (!isJwt(token)) throw unauthorized('invalid bearer token')
    const claims = verifyToken(this.signingKey, token)
    if ('invalid' in claims) throw unauthorized(`invalid bearer token: ${claims.invalid}`)
    const account = getObject(this.state(), 'ServiceAccount', claims.namespace, claims.name)
    const uid = (account?.metadata as { uid?: string } | undefined)?.uid
    if (!account || uid !== claims.uid)
      throw unauthorized(`invalid bearer token: the ServiceAccount ${claims.namespace}/${claims.name} no longer exists`)
    return { name: serviceAccountUser(claims.namespace, claims.name), uid: claims.uid, groups: serviceAccountGroups(claims.namespace) }
  }

  /** When the token of an `Authorization` value expires: a ServiceAccount token's `exp`; static tokens never do. */
  expiresAt(authorization: string | null | undefined): Date | undefined {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1]
    if (!token || this.tokens.has(token) || !isJwt(token)) return undefined
    const claims = verifyToken(this.signingKey, token)
    return 'invalid' in claims ? undefined : expiryOf(token)
  }
}

export function unauthorized(why: string): StatusError {
  return new StatusError('Unauthorized', `Unauthorized: ${why}`)
}
