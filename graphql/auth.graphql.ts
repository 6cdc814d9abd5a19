import { getObject as stateObject } from '../projections/cluster-state.js'
import { StatusError } from '../services/errors.js'
import { badRequest } from './errors.js'
import type { Resolvers } from './types/resolvers.generated.js'

export const typeDefs = /* GraphQL */ `
  "The caller, as authentication saw it (kubectl auth whoami)."
  type UserInfo {
    name: String!
    uid: String
    groups: [String!]!
    "Extra values by key (impersonation's Impersonate-Extra-<key>)."
    extra: JSON
  }

  "A ServiceAccount token (TokenRequest status)."
  type ServiceAccountToken {
    token: String!
    expirationTimestamp: DateTime!
  }

  extend type Query {
    whoami: UserInfo!
    "Whether the caller may do this (kubectl auth can-i)."
    canI(verb: String!, kind: String!, namespace: String, name: String, subresource: String): Boolean!
  }

  "What a key rotation did: the primary key now, and the current objects re-sealed under it."
  type KeyRotation {
    keyId: String!
    "Every key the server can open, the primary first."
    keys: [String!]!
    resealed: Int!
    current: Int!
    "Objects whose key is missing or whose envelope fails authentication, left as they are."
    unreadable: Int!
  }

  extend type Mutation {
    "A signed token for a ServiceAccount (kubectl create token); needs create on serviceaccounts/token."
    createToken(namespace: String, serviceAccount: String!, expirationSeconds: Int): ServiceAccountToken!
    """
    Adds a new primary key for sealing Secrets (key file) and re-seals the current objects under it; with
    REVKUBE_ENCRYPTION_KEY, put the new key first there and restart, then this only re-seals. Old versions
    keep the key that sealed them. Needs update on encryptionkeys in API group revkube.io (cluster-admin).
    """
    rotateEncryptionKey: KeyRotation!
  }
`

const MAX_EXPIRATION = 48 * 3600

export const resolvers: Resolvers = {
  Query: {
    whoami: (_, __, ctx) => ctx.request.user ?? { name: ctx.request.actor, uid: null, groups: ctx.request.groups ?? [] },
    canI: (_, args, ctx) =>
      ctx.can(args.verb, args.kind, args.namespace ?? 'default', args.name ?? undefined, args.subresource ?? undefined),
  },
  Mutation: {
    rotateEncryptionKey: async (_, __, ctx) => {
      const user = ctx.request.user
      if (user && !ctx.security.can({ user, verb: 'update', apiGroup: 'revkube.io', resource: 'encryptionkeys' })) {
        throw new StatusError(
          'Forbidden',
          `encryptionkeys.revkube.io is forbidden: User "${user.name}" cannot update resource "encryptionkeys" in API group "revkube.io" at the cluster scope`,
        )
      }
      const keyring = ctx.store.sealer.keyring
      const result = keyring.source.kind === 'env' ? await ctx.store.resealCurrentObjects() : await ctx.store.rotateEncryptionKey()
      return { ...result, keys: keyring.ids() }
    },
    createToken: (_, args, ctx) => {
      const namespace = args.namespace ?? 'default'
      const seconds = args.expirationSeconds ?? 3600
      if (!Number.isInteger(seconds) || seconds < 600 || seconds > MAX_EXPIRATION)
        throw badRequest(`expirationSeconds must be between 600 and ${MAX_EXPIRATION}, got ${seconds}`)
      ctx.authorize('create', 'ServiceAccount', namespace, args.serviceAccount, 'token')
      const account = stateObject(ctx.projection.state, 'ServiceAccount', namespace, args.serviceAccount)
      if (!account) throw new StatusError('NotFound', `serviceaccounts "${args.serviceAccount}" not found`)
      const uid = String((account.metadata as { uid?: string }).uid)
      const { token, expiresAt } = ctx.security.issueServiceAccountToken({
        namespace,
        name: args.serviceAccount,
        uid,
        expirationSeconds: seconds,
      })
      return { token, expirationTimestamp: expiresAt }
    },
  },
}
