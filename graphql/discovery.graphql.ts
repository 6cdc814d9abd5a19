import { apiVersionOf, type KindDefinition } from '../services/resources/kind.js'
import type { Resolvers } from './types/resolvers.generated.js'

export const typeDefs = /* GraphQL */ `
  "A kind the server serves, as kubectl api-resources lists it."
  type ApiResource {
    "The plural resource name: deployments."
    name: String!
    singularName: String!
    shortNames: [String!]!
    kind: String!
    "'' for the core group."
    group: String!
    "The preferred apiVersion: apps/v1."
    apiVersion: String!
    namespaced: Boolean!
    "Subresources: status, scale."
    subresources: [String!]!
  }

  extend type Query {
    "Every kind the server serves."
    apiResources: [ApiResource!]!
  }
`

function describe(k: KindDefinition) {
  return {
    name: k.resource,
    singularName: k.kind.toLowerCase(),
    shortNames: k.shortNames ?? [],
    kind: k.kind,
    group: k.group,
    apiVersion: apiVersionOf(k),
    namespaced: k.namespaced,
    subresources: [...(k.status ? ['status'] : []), ...(k.scale ? ['scale'] : [])],
  }
}

export const resolvers: Resolvers = {
  Query: {
    apiResources: (_, __, ctx) => ctx.api.registry.kinds.map(describe),
  },
}
