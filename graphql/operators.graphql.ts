import { rolloutHistory, rolloutPause, rolloutRestart, rolloutResume, rolloutUndo } from '../services/operations/rollout.js'
import { cordon, drain, taint, uncordon } from '../services/operations/node-operations.js'
import { errors } from '../services/errors.js'
import type { JsonObject } from '../services/json.js'
import type { GraphQLContext, ObjectRef } from './context.js'
import type { Resolvers } from './types/resolvers.generated.js'

/**
 * What operators do to workloads and nodes, as kubectl does it: rollout history, undo, restart,
 * pause and resume of Deployments; cordon, uncordon, drain and taint of Nodes. Every mutation is
 * recorded with the caller as actor and the operation as the events' verb.
 */
export const typeDefs = /* GraphQL */ `
  "One revision of a Deployment's rollout (kubectl rollout history)."
  type RolloutRevision {
    revision: Int!
    "The kubernetes.io/change-cause annotation of the revision's ReplicaSet."
    changeCause: String
    "The revision's pod template, as its ReplicaSet holds it."
    template: JSON!
    replicaSet: ReplicaSet
  }

  type SkippedPod {
    pod: Pod!
    "Why drain left it, e.g. ignoring DaemonSet-managed Pods, mirror pod."
    reason: String!
  }

  type DrainResult {
    node: Node!
    "Pods evicted from the node (as the deletes left them: Terminating, or gone)."
    evicted: [Pod!]!
    skipped: [SkippedPod!]!
    warnings: [String!]!
    "What kubectl drain prints, line by line."
    messages: [String!]!
  }

  extend type Query {
    "The revisions of a Deployment's rollout, oldest first."
    rolloutHistory(namespace: String, name: String!): [RolloutRevision!]!
  }

  extend type Mutation {
    "Rolls a Deployment back to a revision (default: the previous one) by writing its pod template back."
    rolloutUndo(namespace: String, name: String!, toRevision: Int): Deployment!
    "Replaces every pod of a Deployment (stamps kubectl.kubernetes.io/restartedAt on its pod template)."
    rolloutRestart(namespace: String, name: String!): Deployment!
    rolloutPause(namespace: String, name: String!): Deployment!
    rolloutResume(namespace: String, name: String!): Deployment!
    "Marks a node unschedulable."
    cordon(node: String!): Node!
    uncordon(node: String!): Node!
    "Cordons a node and evicts its pods, except DaemonSet and mirror pods (unless ignoreDaemonSets is false)."
    drain(node: String!, force: Boolean, ignoreDaemonSets: Boolean, deleteEmptyDirData: Boolean, gracePeriodSeconds: Int): DrainResult!
    "Adds a taint (key[=value]:effect), or removes it with remove: true or an effect ending in '-' ('-' alone: every effect of the key)."
    taint(node: String!, key: String!, value: String, effect: String!, remove: Boolean, overwrite: Boolean): Node!
  }
`

/** An object as resolvers pass it on: read at its own resourceVersion, or at the operation's head. */
async function ref(ctx: GraphQLContext, object: JsonObject): Promise<ObjectRef> {
  const rv = Number(((object.metadata ?? {}) as JsonObject).resourceVersion)
  return { object, at: Number.isSafeInteger(rv) && rv > 0 ? rv : await ctx.head() }
}

type Named = { namespace?: string | null; name: string }
const ns = (args: Named) => args.namespace || 'default'

const present = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null

export const resolvers: Resolvers = {
  Query: {
    rolloutHistory: async (_, args, ctx) => {
      ctx.authorize('get', 'Deployment', ns(args), args.name)
      ctx.authorize('list', 'ReplicaSet', ns(args))
      return Promise.all(
        (await rolloutHistory(ctx.api, ns(args), args.name)).map(async (r) => ({
          revision: r.revision,
          changeCause: r.changeCause ?? null,
          template: r.template,
          replicaSet: await ref(ctx, r.replicaSet),
        })),
      )
    },
  },
  Mutation: {
    rolloutUndo: async (_, args, ctx) =>
      ref(ctx, (await rolloutUndo(ctx.api, ctx.request, ns(args), args.name, args.toRevision ?? 0)).deployment),
    rolloutRestart: async (_, args, ctx) => ref(ctx, (await rolloutRestart(ctx.api, ctx.request, ns(args), args.name)).deployment),
    rolloutPause: async (_, args, ctx) => ref(ctx, (await rolloutPause(ctx.api, ctx.request, ns(args), args.name)).deployment),
    rolloutResume: async (_, args, ctx) => ref(ctx, (await rolloutResume(ctx.api, ctx.request, ns(args), args.name)).deployment),
    cordon: async (_, args, ctx) => ref(ctx, (await cordon(ctx.api, ctx.request, args.node)).node),
    uncordon: async (_, args, ctx) => ref(ctx, (await uncordon(ctx.api, ctx.request, args.node)).node),
    drain: async (_, args, ctx) => {
      if (present(args.gracePeriodSeconds) && args.gracePeriodSeconds < 0)
        throw errors.badRequest('gracePeriodSeconds must not be negative')
      const result = await drain(ctx.api, ctx.request, args.node, {
        ...(present(args.force) && { force: args.force }),
        ...(present(args.ignoreDaemonSets) && { ignoreDaemonSets: args.ignoreDaemonSets }),
        ...(present(args.deleteEmptyDirData) && { deleteEmptyDirData: args.deleteEmptyDirData }),
        ...(present(args.gracePeriodSeconds) && { gracePeriodSeconds: args.gracePeriodSeconds }),
      })
      return {
        node: await ref(ctx, result.node),
        evicted: await Promise.all(result.evicted.map((pod) => ref(ctx, pod))),
        skipped: await Promise.all(result.skipped.map(async ({ pod, reason }) => ({ pod: await ref(ctx, pod), reason }))),
        warnings: result.warnings,
        messages: result.messages,
      }
    },
    taint: async (_, args, ctx) =>
      ref(
        ctx,
        (
          await taint(ctx.api, ctx.request, args.node, args.key, args.value ?? undefined, args.effect, {
            ...(present(args.remove) && { remove: args.remove }),
            ...(present(args.overwrite) && { overwrite: args.overwrite }),
          })
        ).node,
      ),
  },
}
