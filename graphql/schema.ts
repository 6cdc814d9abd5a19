import { createSchema } from 'graphql-yoga'
import type { GraphQLContext } from './context.js'
import * as audit from './audit.graphql.js'
import * as auth from './auth.graphql.js'
import * as discovery from './discovery.graphql.js'
import * as history from './history.graphql.js'
import * as kinds from './kinds.graphql.js'
import * as mutations from './mutations.graphql.js'
import * as objects from './objects.graphql.js'
import * as operators from './operators.graphql.js'
import * as subscriptions from './subscriptions.graphql.js'

/**
 * The GraphQL schema, joined from one module per area. Each area's `resolvers` is typed by the
 * `Resolvers` that graphql/types/resolvers.generated.ts derives from this schema (npm run codegen).
 */
export function buildSchema() {
  const areas = [objects, history, kinds, mutations, operators, subscriptions, discovery, auth, audit]
  return createSchema<GraphQLContext>({
    typeDefs: areas.map((a) => a.typeDefs),
    resolvers: areas.map((a) => a.resolvers),
  })
}
