import { arrayAt, isObject, objectAt, type JsonObject } from '../services/json.js'
import type { KindDefinition } from '../services/resources/kind.js'
import { registry } from '../services/resources/registry.js'
import type { AtInput, GraphQLContext, ObjectRef } from './context.js'
import { getObject, objectFields, objectResolvers } from './objects.graphql.js'

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

type Get = { namespace?: string; name: string; at?: AtInput }
const getter = (kind: string) => (_: unknown, args: Get, ctx: GraphQLContext) => getObject(ctx, kind, args.namespace, args.name, args.at)

export const resolvers = {
  Pod: {
    ...objectResolvers,
    phase: (ref: ObjectRef) => status(ref).phase ?? null,
    conditions: (ref: ObjectRef) => status(ref).conditions ?? null,
    images: (ref: ObjectRef) => images(spec(ref)),
    nodeName: (ref: ObjectRef) => spec(ref).nodeName ?? null,
    ip: (ref: ObjectRef) => status(ref).podIP ?? null,
    ready: (ref: ObjectRef) => arrayAt(status(ref), 'conditions').some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True'),
    restarts: (ref: ObjectRef) =>
      arrayAt(status(ref), 'containerStatuses').reduce<number>((n, c) => n + int(isObject(c) ? c.restartCount : 0), 0),
    node: async (ref: ObjectRef, _: unknown, ctx: GraphQLContext) => {
      const name = spec(ref).nodeName
      if (typeof name !== 'string' || name === '') return null
      const node = (await ctx.all('Node', undefined, ref.at)).find((n) => meta(n).name === name)
      return node ? { object: node, at: ref.at } : null
    },
    owner: controllerOf,
  },
  Node: {
    ...objectResolvers,
    ready: (ref: ObjectRef) => {
      const condition = arrayAt(status(ref), 'conditions').find((c) => isObject(c) && c.type === 'Ready') as JsonObject | undefined
      return condition ? condition.status === 'True' : null
    },
    unschedulable: (ref: ObjectRef) => spec(ref).unschedulable === true,
    taints: (ref: ObjectRef) => spec(ref).taints ?? null,
    conditions: (ref: ObjectRef) => status(ref).conditions ?? null,
    capacity: (ref: ObjectRef) => status(ref).capacity ?? null,
    allocatable: (ref: ObjectRef) => status(ref).allocatable ?? null,
    pods: (ref: ObjectRef, _: unknown, ctx: GraphQLContext) =>
      podsOf(ctx, ref.at, undefined, (pod) => objectAt(pod, 'spec')?.nodeName === meta(ref.object).name),
  },
  Service: {
    ...objectResolvers,
    type: (ref: ObjectRef) => spec(ref).type ?? null,
    clusterIP: (ref: ObjectRef) => spec(ref).clusterIP ?? null,
    ports: (ref: ObjectRef) => spec(ref).ports ?? null,
    selector: (ref: ObjectRef) => spec(ref).selector ?? null,
    endpoints: async (ref: ObjectRef, _: unknown, ctx: GraphQLContext) => {
      const m = meta(ref.object)
      const endpoints = (await ctx.all('Endpoints', String(m.namespace), ref.at)).find((e) => meta(e).name === m.name)
      return endpoints ? { object: endpoints, at: ref.at } : null
    },
    pods: (ref: ObjectRef, _: unknown, ctx: GraphQLContext) => {
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
    replicas: (ref: ObjectRef) => spec(ref).replicas ?? null,
    readyReplicas: (ref: ObjectRef) => int(status(ref).readyReplicas),
    updatedReplicas: (ref: ObjectRef) => int(status(ref).updatedReplicas),
    availableReplicas: (ref: ObjectRef) => int(status(ref).availableReplicas),
    unavailableReplicas: (ref: ObjectRef) => int(status(ref).unavailableReplicas),
    observedGeneration: (ref: ObjectRef) => status(ref).observedGeneration ?? null,
    paused: (ref: ObjectRef) => spec(ref).paused === true,
    strategy: (ref: ObjectRef) => objectAt(spec(ref), 'strategy')?.type ?? null,
    conditions: (ref: ObjectRef) => status(ref).conditions ?? null,
    images: (ref: ObjectRef) => images(objectAt(objectAt(spec(ref), 'template'), 'spec')),
    replicaSets: async (ref: ObjectRef, _: unknown, ctx: GraphQLContext) =>
      refs(ownedBy(await ctx.all('ReplicaSet', String(meta(ref.object).namespace), ref.at), meta(ref.object).uid), ref.at),
  },
  ReplicaSet: {
    ...objectResolvers,
    replicas: (ref: ObjectRef) => spec(ref).replicas ?? null,
    readyReplicas: (ref: ObjectRef) => int(status(ref).readyReplicas),
    availableReplicas: (ref: ObjectRef) => int(status(ref).availableReplicas),
    images: (ref: ObjectRef) => images(objectAt(objectAt(spec(ref), 'template'), 'spec')),
    rolloutRevision: (ref: ObjectRef) => objectAt(meta(ref.object), 'annotations')?.['deployment.kubernetes.io/revision'] ?? null,
    owner: controllerOf,
    pods: async (ref: ObjectRef, _: unknown, ctx: GraphQLContext) =>
      refs(ownedBy(await ctx.all('Pod', String(meta(ref.object).namespace), ref.at), meta(ref.object).uid), ref.at),
  },
  Namespace: {
    ...objectResolvers,
    phase: (ref: ObjectRef) => status(ref).phase ?? null,
    objects: async (ref: ObjectRef, args: { kind: string }, ctx: GraphQLContext) => {
      const definition = ctx.api.registry.resolve(args.kind)
      if (!definition.namespaced) return []
      return refs(await ctx.all(definition.kind, String(meta(ref.object).name), ref.at), ref.at)
    },
  },
  Query: Object.fromEntries(typedDefinitions().map((k) => [queryName(k), getter(k.kind)])),
}

/** Every type above belongs to a kind whose definition names it: a typed kind is declared in one place. */
for (const type of Object.keys(resolvers)) {
  if (type !== 'Query' && !typedDefinitions().some((k) => k.graphqlType === type))
    throw new Error(`no kind definition names the GraphQL type ${type}`)
}
