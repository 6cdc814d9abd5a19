import { encodeContinue } from '../services/store/reads.js'
import type { JsonObject } from '../services/json.js'
import { registry } from '../services/resources/registry.js'
import type { AtInput, GraphQLContext, ObjectRef } from './context.js'
import { badRequest } from './errors.js'
import { DateTime, JSONScalar, Revision } from './scalars.js'
import type { GenericObjectResolvers, ObjectResolvers, Resolvers } from './types/resolvers.generated.js'

/** The fields every Kubernetes object has, shared by the Object interface and its typed kinds. */
export const objectFields = `
  kind: String!
  apiVersion: String!
  metadata: ObjectMeta!
  "The object's resourceVersion: the revision of the event that last changed it."
  revision: Revision!
  "The whole Kubernetes object."
  raw: JSON!
`

/** The GraphQL types of the kinds that have one (their definitions' `graphqlType`). */
const typedKinds = registry.kinds.flatMap((k) => (k.graphqlType ? [k.graphqlType] : [])).join(', ')

/** Lists are paged: at most this many per page, this many when `first` is absent. */
export const MAX_PAGE = 10_000
export const DEFAULT_PAGE = 1_000

export const typeDefs = /* GraphQL */ `
  scalar Revision
  scalar JSON
  scalar DateTime

  "A point in the log's history: exactly one of a revision or a time."
  input At {
    revision: Revision
    time: DateTime
  }

  type RevisionInfo {
    revision: Revision!
    "When the head revision was committed."
    time: DateTime!
  }

  type ObjectMeta {
    "Absent only on the object of a BOOKMARK."
    name: String
    namespace: String
    uid: String
    resourceVersion: String
    generation: Int
    generateName: String
    creationTimestamp: DateTime
    deletionTimestamp: DateTime
    labels: JSON
    annotations: JSON
    ownerReferences: JSON
    finalizers: [String!]
  }

  "Any Kubernetes object. Typed kinds (${typedKinds}) add their own fields."
  interface Object {
    ${objectFields}
  }

  "An object of a kind without a typed GraphQL type."
  type GenericObject implements Object {
    ${objectFields}
  }

  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }

  type ObjectEdge {
    cursor: String!
    node: Object!
  }

  type ObjectConnection {
    edges: [ObjectEdge!]!
    pageInfo: PageInfo!
    "The revision this page was read at; later pages (after:) read at the same one."
    revision: Revision!
  }

  type Query {
    "The head of the log."
    revision: RevisionInfo!
    "One object, now or at a point in history; null if it did not exist."
    object(kind: String!, namespace: String, name: String!, at: At): Object
    "Objects of a kind, filtered by Kubernetes label and field selectors, in pages of first (default ${DEFAULT_PAGE}, at most ${MAX_PAGE})."
    objects(kind: String!, namespace: String, labelSelector: String, fieldSelector: String, at: At, first: Int, after: String): ObjectConnection!
  }
`

const meta = (ref: ObjectRef) => (ref.object.metadata ?? {}) as JsonObject

/** A connection page over objects read at one revision. */
export function connection(items: JsonObject[], at: number, more: string | undefined) {
  const cursor = (o: JsonObject) => {
    const m = (o.metadata ?? {}) as JsonObject
    return encodeContinue({ revision: at, namespace: String(m.namespace ?? ''), name: String(m.name) })
  }
  const edges = items.map((object) => ({ cursor: cursor(object), node: { object, at } satisfies ObjectRef }))
  return { edges, pageInfo: { hasNextPage: more !== undefined, endCursor: edges.at(-1)?.cursor ?? null }, revision: at }
}

export function pageSize(first: number | null | undefined): number {
  if (first === undefined || first === null) return DEFAULT_PAGE
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw badRequest(`first must be between 1 and ${MAX_PAGE}, got ${first}`)
  return first
}

interface ListArgs {
  kind: string
  namespace?: string | null
  labelSelector?: string | null
  fieldSelector?: string | null
  at?: AtInput | null
  first?: number | null
  after?: string | null
}

/** objects(...) for any kind; typed list queries use it too. */
export async function listObjects(ctx: GraphQLContext, args: ListArgs) {
  ctx.authorize('list', args.kind, args.namespace)
  const limit = pageSize(args.first)
  const at = args.after ? undefined : await ctx.revisionOf(args.at)
  const page = await ctx.api.list(args.kind, {
    ...(args.namespace && { namespace: args.namespace }),
    ...(args.labelSelector && { labelSelector: args.labelSelector }),
    ...(args.fieldSelector && { fieldSelector: args.fieldSelector }),
    ...(at !== undefined && { at }),
    ...(args.after && { continue: args.after }),
    limit,
  })
  return connection(page.items, page.revision, page.continue)
}

export async function getObject(
  ctx: GraphQLContext,
  kind: string,
  namespace: string | null | undefined,
  name: string,
  atInput?: AtInput | null,
) {
  const definition = ctx.api.registry.resolve(kind)
  const ns = definition.namespaced ? (namespace ?? 'default') : ''
  ctx.authorize('get', kind, ns, name)
  const at = await ctx.revisionOf(atInput)
  const object = await ctx.store.get({ kind: definition.kind, namespace: ns, name }, { at })
  return object ? ({ object, at } satisfies ObjectRef) : null
}

/**
 * Field resolvers shared by every type implementing Object. A stored object (and a BOOKMARK's) always
 * has its kind and apiVersion: the write path refuses one without.
 */
export const objectResolvers = {
  kind: (ref) => String(ref.object.kind),
  apiVersion: (ref) => String(ref.object.apiVersion),
  metadata: (ref) => meta(ref),
  revision: (ref) => Number(meta(ref).resourceVersion ?? 0),
  raw: (ref) => ref.object,
} satisfies GenericObjectResolvers

/** The types implementing Object, as the generated types name them. */
type ObjectTypeName = NonNullable<Awaited<ReturnType<ObjectResolvers['__resolveType']>>>

export const resolvers: Resolvers = {
  Revision,
  JSON: JSONScalar,
  DateTime,
  Object: {
    // A kind's graphqlType is a type implementing Object: kinds.graphql.ts declares one for each.
    __resolveType: (ref) => (registry.get(String(ref.object.kind))?.graphqlType ?? 'GenericObject') as ObjectTypeName,
  },
  GenericObject: objectResolvers,
  ObjectMeta: {
    labels: (m) => m.labels ?? null,
    annotations: (m) => m.annotations ?? null,
    namespace: (m) => (typeof m.namespace === 'string' && m.namespace !== '' ? m.namespace : null),
  },
  Query: {
    revision: async (_, __, ctx) => {
      const head = await ctx.store.head()
      return { revision: head.revision, time: head.committedAt ?? new Date(0) }
    },
    object: (_, args, ctx) => getObject(ctx, args.kind, args.namespace, args.name, args.at),
    objects: (_, args, ctx) => listObjects(ctx, args),
  },
}
