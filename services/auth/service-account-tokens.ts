import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'

/**
 * ServiceAccount tokens: JWTs revkube signs (HS256, a key kept in the data folder) with Kubernetes'
 * claims. Verification checks the signature, the issuer, the expiry, and — by the caller, against
 * the live state — that the ServiceAccount still exists with the same uid.
 */
export const ISSUER = 'https://revkube.local'

export interface ServiceAccountClaims {
  namespace: string
  name: string
  uid: string
}

export interface TokenRequest extends ServiceAccountClaims {
  /** @default 3600 */
  expirationSeconds?: number
  now?: Date
}

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url')

export function issueToken(key: Buffer, request: TokenRequest): { token: string; expiresAt: Date } {
  const now = Math.floor((request.now ?? new Date()).getTime() / 1000)
  const exp = now + (request.expirationSeconds ?? 3600)
  const header = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const payload = b64(
    JSON.stringify({
      iss: ISSUER,
      sub: `system:serviceaccount:${request.namespace}:${request.name}`,
      aud: ['revkube'],
      iat: now,
      nbf: now,
      exp,
      jti: randomUUID(),
      'kubernetes.io': { namespace: request.namespace, serviceaccount: { name: request.name, uid: request.uid } },
    }),
  )
  const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url')
  return { token: `${header}.${payload}.${signature}`, expiresAt: new Date(exp * 1000) }
}

/** Looks like a JWT: three base64url parts. */
export const isJwt = (token: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)

/** When a token (verified by `verifyToken`) expires: its `exp` claim. */
export function expiryOf(token: string): Date | undefined {
  try {
    const exp = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp?: unknown }).exp
    return typeof exp === 'number' ? new Date(exp * 1000) : undefined
  } catch {
    return undefined
  }
}

/** The ServiceAccount a token names, or why it is not valid (signature, issuer, expiry, shape). */
export function verifyToken(key: Buffer, token: string, now = new Date()): ServiceAccountClaims | { invalid: string } {
  if (!isJwt(token)) return { invalid: 'not a JWT' }
  const [header, payload, signature] = token.split('.') as [string, string, string]
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest()
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { invalid: 'the signature does not verify' }
  let claims: Record<string, unknown>
  try {
    const head = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>
    if (head.alg !== 'HS256') return { invalid: `unsupported algorithm ${String(head.alg)}` }
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
  } catch {
    return { invalid: 'malformed' }
  }
  if (claims.iss !== ISSUER) return { invalid: 'issued by someone else' }
  const seconds = Math.floor(now.getTime() / 1000)
  if (typeof claims.exp !== 'number' || claims.exp <= seconds) return { invalid: 'expired' }
  if (typeof claims.nbf === 'number' && claims.nbf > seconds + 60) return { invalid: 'not valid yet' }
  const k8s = (claims['kubernetes.io'] ?? {}) as { namespace?: unknown; serviceaccount?: { name?: unknown; uid?: unknown } }
  if (typeof k8s.namespace !== 'string' || typeof k8s.serviceaccount?.name !== 'string' || typeof k8s.serviceaccount.uid !== 'string') {
    return { invalid: 'names no ServiceAccount' }
  }
  return { namespace: k8s.namespace, name: k8s.serviceaccount.name, uid: k8s.serviceaccount.uid }
}
