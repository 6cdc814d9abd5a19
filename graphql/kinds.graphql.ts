import { arrayAt, isObject, objectAt, type JsonObject } from '../services/json.js'
import type { KindDefinition } from '../services/resources/kind.js'
import { registry } from '../services/resources/registry.js'
import type { AtInput, GraphQLContext, ObjectRef } from './context.js'
import { getObject, objectFields, objectResolvers } from './objects.graphql.js'
import type { QueryResolvers, Resolvers } from './types/resolvers.generated.js'

/** The kinds with a typed GraphQL type (`KindDefinition.graphqlType`), in the registry's order. */
function typedDefinitions(): KindDefinition[] {
  return registry.kinds.filter((k) => k.graphqlType !== undefined)
}

/** A typed kind's query: its type's name in lowerCamelCase (`replicaSet`). */
const queryName = (k: KindDefinition) => k.graphqlType!.charAt(0).toLowerCase() + k.graphqlType!.slice(1)

/** One query per typed kind: by namespace (namespaced kinds) and name, now or at a point in history. */
function typedQueries(): string {
  return typedDefinitions()
    .map((k) => `${queryName(k)}(${k.namespaced ? 'namespace: String, ' : ''}name: String!, at: At): ${k.graphqlType}`)
    .join('\n    ')
}

/**
 * Typed conveniences for the kinds people follow relations between. Every relation resolves at
 * the revision its parent was read at, and reads each kind once per operation (no N+1).
 */
export const typeDefs = /* GraphQL */ `
  type Pod implements Object {
    ${objectFields}
    phase: String
    conditions: JSON
    images: [String!]!
    nodeName: String
    ip: String
    "All containers ready."
    ready: Boolean!
    restarts: Int!
    node: Node
    "The controller that owns the pod (a ReplicaSet, a Job, …)."
    owner: Object
  }

  type Node implements Object {
    ${objectFields}
    ready: Boolean
    unschedulable: Boolean!
    taints: JSON
    conditions: JSON
    capacity: JSON
    allocatable: JSON
    pods: [Pod!]!
  }

  type Service implements Object {
    ${objectFields}
    type: String
    clusterIP: String
    ports: JSON
    selector: JSON
    endpoints: Object
    "Pods in the namespace the selector matches."
    pods: [Pod!]!
  }

  type Deployment implements Object {
    ${objectFields}
    replicas: Int
    readyReplicas: Int!
    updatedReplicas: Int!
    availableReplicas: Int!
    unavailableReplicas: Int!
    observedGeneration: Int
    paused: Boolean!
    strategy: String
    conditions: JSON
    images: [String!]!
    replicaSets: [ReplicaSet!]!
  }

  type ReplicaSet implements Object {
    ${objectFields}
    replicas: Int
    readyReplicas: Int!
    availableReplicas: Int!
    images: [String!]!
    "The deployment.kubernetes.io/revision annotation: the rollout revision it belongs to."
    rolloutRevision: String
    owner: Object
    pods: [Pod!]!
  }

  type Namespace implements Object {
    ${objectFields}
    phase: String
    "Objects of a kind in this namespace."
    objects(kind: String!): [Object!]!
  }

  extend type Query {
    ${typedQueries()}
  }
`

const meta = (o: JsonObject) => objectAt(o, 'metadata') ?? {}
const spec = (ref: ObjectRef) => objectAt(ref.object, 'spec') ?? {}
const status = (ref: ObjectRef) => objectAt(ref.object, 'status') ?? {}
const int = (v: unknown) => (typeof v === 'number' ? v : 0)
/** A nullable String or Int field read from the object: null when absent (or of another type). */
const str = (v: unknown) => (typeof v === 'string' ? v : null)
const intOrNull = (v: unknown) => (typeof v === 'number' ? v : null)
const refs = (objects: JsonObject[], at: number): ObjectRef[] => objects.map((object) => ({ object, at }))

function images(podSpec: JsonObject | undefined): string[] {
  return arrayAt(podSpec, 'containers').flatMap((c) => (isObject(c) && typeof c.image === 'string' ? [c.image] : []))
}

function ownedBy(objects: JsonObject[], uid: unknown): JsonObject[] {
  return objects.filter((o) => arrayAt(meta(o), 'ownerReferences').some((r) => isObject(r) && r.uid === uid))
}

async function controllerOf(ref: ObjectRef, ctx: GraphQLContext): Promise<ObjectRef | null> {
  const owner = arrayAt(meta(ref.object), 'ownerReferences').find((r) => isObject(r) && r.controller === true) as JsonObject | undefined
  if (!owner) return null
  const definition = ctx.api.registry.get(String(owner.kind))
  if (!definition) return null
  const namespace = definition.namespaced ? String(meta(ref.object).namespace ?? '') : undefined
  const found = (await ctx.all(definition.kind, namespace, ref.at)).find((o) => meta(o).uid === owner.uid)
  return found ? { object: found, at: ref.at } : null
}

async function podsOf(ctx: GraphQLContext, at: number, namespace: string | undefined, keep: (pod: JsonObject) => boolean) {
  return refs((await ctx.all('Pod', namespace, at)).filter(keep), at)
}

type Get = { namespace?: string | null; name: string; at?: AtInput | null }
const getter = (kind: string) => (_: unknown, args: Get, ctx: GraphQLContext) => getObject(ctx, kind, args.namespace, args.name, args.at)

/** The controller that owns the object (Pod.owner, ReplicaSet.owner). */
const owner = (ref: ObjectRef, _: unknown, ctx: GraphQLContext) => controllerOf(ref, ctx)

export const resolvers: Resolvers = {
  Pod: {
    ...objectResolvers,
    phase: (ref) => str(status(ref).phase),
    conditions: (ref) => status(ref).conditions ?? null,
    images: (ref) => images(spec(ref)),
    nodeName: (ref) => str(spec(ref).nodeName),
    ip: (ref) => str(status(ref).podIP),
    ready: (ref) => arrayAt(status(ref), 'conditions').some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True'),
    restarts: (ref) => arrayAt(status(ref), 'containerStatuses').reduce<number>((n, c) => n + int(isObject(c) ? c.restartCount : 0), 0),
    node: async (ref, _, ctx) => {
      const name = spec(ref).nodeName
      if (typeof name !== 'string' || name === '') return null
      const node = (await ctx.all('Node', undefined, ref.at)).find((n) => meta(n).name === name)
      return node ? { object: node, at: ref.at } : null
    },
    owner,
  },
  Node: {
    ...objectResolvers,
    ready: (ref) => {
      const condition = arrayAt(status(ref), 'conditions').find((c) => isObject(c) && c.type === 'Ready') as JsonObject | undefined
      return condition ? condition.status === 'True' : null
    },
    unschedulable: (ref) => spec(ref).unschedulable === true,
    taints: (ref) => spec(ref).taints ?? null,
    conditions: (ref) => status(ref).conditions ?? null,
    capacity: (ref) => status(ref).capacity ?? null,
    allocatable: (ref) => status(ref).allocatable ?? null,
    pods: (ref, _, ctx) => podsOf(ctx, ref.at, undefined, (pod) => objectAt(pod, 'spec')?.nodeName === meta(ref.object).name),
  },
  Service: {
    ...objectResolvers,
    type: (ref) => str(spec(ref).type),
    clusterIP: (ref) => str(spec(ref).clusterIP),
    ports: (ref) => spec(ref).ports ?? null,
    selector: (ref) => spec(ref).selector ?? null,
    endpoints: async (ref, _, ctx) => {
      const m = meta(ref.object)
      const endpoints = (await ctx.all('Endpoints', String(m.namespace), ref.at)).find((e) => meta(e).name === m.name)
      return endpoints ? { object: endpoints, at: ref.at } : null
    },
    pods: (ref, _, ctx) => {
      const selector = objectAt(spec(ref), 'selector')
      if (!selector || Object.keys(selector).length === 0) return []
      return podsOf(ctx, ref.at, String(meta(ref.object).namespace), (pod) => {
        const labels = objectAt(meta(pod), 'labels') ?? {}
        return Object.entries(selector).every(([k, v]) => labels[k] === v)
      })
    },
  },
  Deployment: {
    ...objectResolvers,
    replicas: (ref) => intOrNull(spec(ref).replicas),
    readyReplicas: (ref) => int(status(ref).readyReplicas),
    updatedReplicas: (ref) => int(status(ref).updatedReplicas),
    availableReplicas: (ref) => int(status(ref).availableReplicas),
    unavailableReplicas: (ref) => int(status(ref).unavailableReplicas),
    observedGeneration: (ref) => intOrNull(status(ref).observedGeneration),
    paused: (ref) => spec(ref).paused === true,
    strategy: (ref) => str(objectAt(spec(ref), 'strategy')?.type),
    conditions: (ref) => status(ref).conditions ?? null,
    images: (ref) => images(objectAt(objectAt(spec(ref), 'template'), 'spec')),
    replicaSets: async (ref, _, ctx) =>
      refs(ownedBy(await ctx.all('ReplicaSet', String(meta(ref.object).namespace), ref.at), meta(ref.object).uid), ref.at),
  },
  ReplicaSet: {
    ...objectResolvers,
    replicas: (ref) => intOrNull(spec(ref).replicas),
    readyReplicas: (ref) => int(status(ref).readyReplicas),
    availableReplicas: (ref) => int(status(ref).availableReplicas),
    images: (ref) => images(objectAt(objectAt(spec(ref), 'template'), 'spec')),
    rolloutRevision: (ref) => str(objectAt(meta(ref.object), 'annotations')?.['deployment.kubernetes.io/revision']),
    owner,
    pods: async (ref, _, ctx) =>
      refs(ownedBy(await ctx.all('Pod', String(meta(ref.object).namespace), ref.at), meta(ref.object).uid), ref.at),
  },
  Namespace: {
    ...objectResolvers,
    phase: (ref) => str(status(ref).phase),
    objects: async (ref, args, ctx) => {
      const definition = ctx.api.registry.resolve(args.kind)
      if (!definition.namespaced) return []
      return refs(await ctx.all(definition.kind, String(meta(ref.object).name), ref.at), ref.at)
    },
  },
  // One query per typed kind, named by its definition (typedQueries above): the generated QueryResolvers names each.
  Query: Object.fromEntries(typedDefinitions().map((k) => [queryName(k), getter(k.kind)])) satisfies QueryResolvers,
}

/** Every type above belongs to a kind whose definition names it: a typed kind is declared in one place. */
for (const type of Object.keys(resolvers)) {
  if (type !== 'Query' && !typedDefinitions().some((k) => k.graphqlType === type))
    throw new Error(`no kind definition names the GraphQL type ${type}`)
}
