import type { Pod, PodSpec } from 'kubernetes-types/core/v1.js'
import { isObject, type JsonObject } from '../services/json.js'
import type { KubeObject, ObjectOf, TypedKind } from '../services/resources/kind-types.js'
import { metadataOf } from '../services/resources/objects.js'
import { ownerReferences } from '../services/runtime/objects.js'
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

/**
 * The object of a typed GraphQL type as its Kubernetes type: `Object.__resolveType` chose the
 * GraphQL type from the object's kind, and stored objects were decoded against that kind's schema.
 * Reads stay guarded (`str`, `int`) for objects stored before writes were decoded.
 */
const as =
  <K extends TypedKind>(_kind: K) =>
  (ref: ObjectRef) =>
    ref.object as ObjectOf<K>
const pod = as('Pod')
const node = as('Node')
const service = as('Service')
const deployment = as('Deployment')
const replicaSet = as('ReplicaSet')
const namespace = as('Namespace')

const int = (v: unknown) => (typeof v === 'number' ? v : 0)
/** A nullable String or Int field read from the object: null when absent (or of another type). */
const str = (v: unknown) => (typeof v === 'string' ? v : null)
const intOrNull = (v: unknown) => (typeof v === 'number' ? v : null)
const list = <T>(v: readonly T[] | undefined): readonly T[] => (Array.isArray(v) ? v : [])
const refs = (objects: JsonObject[], at: number): ObjectRef[] => objects.map((object) => ({ object, at }))

function images(podSpec: PodSpec | undefined): string[] {
  return list(podSpec?.containers).flatMap((c) => (isObject(c) && typeof c.image === 'string' ? [c.image] : []))
}

function ownedBy(objects: JsonObject[], uid: string | undefined): JsonObject[] {
  return objects.filter((o) => ownerReferences(o).some((r) => r.uid === uid))
}

async function controllerOf(ref: ObjectRef, ctx: GraphQLContext): Promise<ObjectRef | null> {
  const owner = ownerReferences(ref.object).find((r) => r.controller === true)
  if (!owner) return null
  const definition = ctx.api.registry.get(String(owner.kind))
  if (!definition) return null
  const namespace = definition.namespaced ? (metaOf(ref).namespace ?? '') : undefined
  const found = (await ctx.all(definition.kind, namespace, ref.at)).find((o) => metadataOf(o).uid === owner.uid)
  return found ? { object: found, at: ref.at } : null
}

async function podsOf(ctx: GraphQLContext, at: number, namespace: string | undefined, keep: (pod: Pod) => boolean) {
  return refs(
    (await ctx.all('Pod', namespace, at)).filter((o) => keep(o as Pod)),
    at,
  )
}

type Get = { namespace?: string | null; name: string; at?: AtInput | null }
const getter = (kind: string) => (_: unknown, args: Get, ctx: GraphQLContext) => getObject(ctx, kind, args.namespace, args.name, args.at)

/** The controller that owns the object (Pod.owner, ReplicaSet.owner). */
const owner = (ref: ObjectRef, _: unknown, ctx: GraphQLContext) => controllerOf(ref, ctx)
const metaOf = (ref: ObjectRef) => (ref.object as KubeObject).metadata ?? {}

export const resolvers: Resolvers = {
  Pod: {
    ...objectResolvers,
    phase: (ref) => str(pod(ref).status?.phase),
    conditions: (ref) => pod(ref).status?.conditions ?? null,
    images: (ref) => images(pod(ref).spec),
    nodeName: (ref) => str(pod(ref).spec?.nodeName),
    ip: (ref) => str(pod(ref).status?.podIP),
    ready: (ref) => list(pod(ref).status?.conditions).some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True'),
    restarts: (ref) => list(pod(ref).status?.containerStatuses).reduce<number>((n, c) => n + int(isObject(c) ? c.restartCount : 0), 0),
    node: async (ref, _, ctx) => {
      const name = pod(ref).spec?.nodeName
      if (typeof name !== 'string' || name === '') return null
      const found = (await ctx.all('Node', undefined, ref.at)).find((n) => metadataOf(n).name === name)
      return found ? { object: found, at: ref.at } : null
    },
    owner,
  },
  Node: {
    ...objectResolvers,
    ready: (ref) => {
      const condition = list(node(ref).status?.conditions).find((c) => isObject(c) && c.type === 'Ready')
      return condition ? condition.status === 'True' : null
    },
    unschedulable: (ref) => node(ref).spec?.unschedulable === true,
    taints: (ref) => node(ref).spec?.taints ?? null,
    conditions: (ref) => node(ref).status?.conditions ?? null,
    capacity: (ref) => node(ref).status?.capacity ?? null,
    allocatable: (ref) => node(ref).status?.allocatable ?? null,
    pods: (ref, _, ctx) => podsOf(ctx, ref.at, undefined, (p) => p.spec?.nodeName === metaOf(ref).name),
  },
  Service: {
    ...objectResolvers,
    type: (ref) => str(service(ref).spec?.type),
    clusterIP: (ref) => str(service(ref).spec?.clusterIP),
    ports: (ref) => service(ref).spec?.ports ?? null,
    selector: (ref) => service(ref).spec?.selector ?? null,
    endpoints: async (ref, _, ctx) => {
      const m = metaOf(ref)
      const endpoints = (await ctx.all('Endpoints', m.namespace ?? '', ref.at)).find((e) => metadataOf(e).name === m.name)
      return endpoints ? { object: endpoints, at: ref.at } : null
    },
    pods: (ref, _, ctx) => {
      const selector = service(ref).spec?.selector
      if (!isObject(selector) || Object.keys(selector).length === 0) return []
      return podsOf(ctx, ref.at, metaOf(ref).namespace ?? '', (p) => {
        const labels = p.metadata?.labels ?? {}
        return Object.entries(selector).every(([k, v]) => labels[k] === v)
      })
    },
  },
  Deployment: {
    ...objectResolvers,
    replicas: (ref) => intOrNull(deployment(ref).spec?.replicas),
    readyReplicas: (ref) => int(deployment(ref).status?.readyReplicas),
    updatedReplicas: (ref) => int(deployment(ref).status?.updatedReplicas),
    availableReplicas: (ref) => int(deployment(ref).status?.availableReplicas),
    unavailableReplicas: (ref) => int(deployment(ref).status?.unavailableReplicas),
    observedGeneration: (ref) => intOrNull(deployment(ref).status?.observedGeneration),
    paused: (ref) => deployment(ref).spec?.paused === true,
    strategy: (ref) => str(deployment(ref).spec?.strategy?.type),
    conditions: (ref) => deployment(ref).status?.conditions ?? null,
    images: (ref) => images(deployment(ref).spec?.template?.spec),
    replicaSets: async (ref, _, ctx) =>
      refs(ownedBy(await ctx.all('ReplicaSet', metaOf(ref).namespace ?? '', ref.at), metaOf(ref).uid), ref.at),
  },
  ReplicaSet: {
    ...objectResolvers,
    replicas: (ref) => intOrNull(replicaSet(ref).spec?.replicas),
    readyReplicas: (ref) => int(replicaSet(ref).status?.readyReplicas),
    availableReplicas: (ref) => int(replicaSet(ref).status?.availableReplicas),
    images: (ref) => images(replicaSet(ref).spec?.template?.spec),
    rolloutRevision: (ref) => str(metaOf(ref).annotations?.['deployment.kubernetes.io/revision']),
    owner,
    pods: async (ref, _, ctx) => refs(ownedBy(await ctx.all('Pod', metaOf(ref).namespace ?? '', ref.at), metaOf(ref).uid), ref.at),
  },
  Namespace: {
    ...objectResolvers,
    phase: (ref) => str(namespace(ref).status?.phase),
    objects: async (ref, args, ctx) => {
      const definition = ctx.api.registry.resolve(args.kind)
      if (!definition.namespaced) return []
      return refs(await ctx.all(definition.kind, metaOf(ref).name ?? '', ref.at), ref.at)
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
