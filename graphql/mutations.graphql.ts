import { GraphQLError } from 'graphql'
import type { ApplyResult } from '../services/api/apply.js'
import type { RequestContext } from '../services/api/context.js'
import type { PatchType } from '../services/api/resource-api.js'
import type { FieldValidation } from '../services/resources/schema/decode.js'
import { errors, StatusError } from '../services/errors.js'
import { clone, isObject, type JsonObject } from '../services/json.js'
import type { GraphQLContext, ObjectRef } from './context.js'
import { toGraphQLError } from './errors.js'
import type {
  FieldValidation as FieldValidationArg,
  MutationRevertArgs,
  PatchType as PatchTypeArg,
  Resolvers,
} from './types/resolvers.generated.js'

export const typeDefs = /* GraphQL */ `
  enum PatchType {
    "RFC 7386 JSON merge patch"
    MERGE
    "RFC 6902 JSON patch"
    JSON
    "Kubernetes' strategic merge patch (lists such as containers merge by name)"
    STRATEGIC
  }

  "Kubernetes' fieldValidation: what unknown fields in the object written do. Wrong types are refused whatever it says."
  enum FieldValidation {
    "Unknown fields are dropped silently."
    IGNORE
    "Unknown fields are dropped, each with a warning in the response's extensions.warnings (the default, as in Kubernetes)."
    WARN
    "Unknown fields refuse the write with BAD_REQUEST: strict decoding error: unknown field … (kubectl's default)."
    STRICT
  }

  enum PropagationPolicy {
    Foreground
    Background
    Orphan
  }

  input Preconditions {
    uid: String
    resourceVersion: String
  }

  "What apply did with one manifest: created, configured, unchanged, or failed (with the error)."
  type ApplyOutcome {
    "The manifest's place in the document, from 0."
    index: Int!
    action: String!
    kind: String
    namespace: String
    name: String
    "The stored object (absent when the manifest failed)."
    object: Object
    error: ApiError
  }

  "A Kubernetes Status error: its reason (NotFound, Conflict, Invalid, …), message and field causes."
  type ApiError {
    reason: String!
    message: String!
    code: Int!
    causes: JSON
  }

  type Mutation {
    "Creates or updates each manifest (YAML, multi-document, or JSON) in order, like kubectl apply."
    apply(manifest: String!, namespace: String, dryRun: Boolean, fieldValidation: FieldValidation = WARN): [Object!]!
    "Like apply, but reports what happened to each manifest and goes on past failures, as kubectl apply does."
    applyEach(manifest: String!, namespace: String, dryRun: Boolean, fieldValidation: FieldValidation = WARN): [ApplyOutcome!]!
    create(object: JSON!, namespace: String, dryRun: Boolean, fieldValidation: FieldValidation = WARN): Object!
    "Replaces an object; conditional on metadata.resourceVersion when it is set."
    replace(object: JSON!, namespace: String, dryRun: Boolean, fieldValidation: FieldValidation = WARN): Object!
    "Replaces an object's status (the status subresource)."
    replaceStatus(object: JSON!, namespace: String, dryRun: Boolean, fieldValidation: FieldValidation = WARN): Object!
    "Patches an object. type defaults to STRATEGIC, as kubectl patch does. subresource: status."
    patch(
      kind: String!
      namespace: String
      name: String!
      patch: JSON!
      type: PatchType
      subresource: String
      dryRun: Boolean
      fieldValidation: FieldValidation = WARN
    ): Object!
    "Deletes an object, or marks it for deletion while finalizers remain (then it is returned marked)."
    delete(kind: String!, namespace: String, name: String!, propagationPolicy: PropagationPolicy, preconditions: Preconditions, gracePeriodSeconds: Int, dryRun: Boolean): Object!
    "Sets the replicas of a Deployment, ReplicaSet, ReplicationController or StatefulSet."
    scale(kind: String!, namespace: String, name: String!, replicas: Int!, dryRun: Boolean): Object!
    "Writes the object back as it was at a point in history, as a new revision; re-creates it if it is gone."
    revert(kind: String!, namespace: String, name: String!, to: At!, dryRun: Boolean): Object!
  }
`

const patchTypes: Record<PatchTypeArg, PatchType> = { MERGE: 'merge', JSON: 'json', STRATEGIC: 'strategic' }
const fieldValidations: Record<FieldValidationArg, FieldValidation> = { IGNORE: 'Ignore', WARN: 'Warn', STRICT: 'Strict' }

/** The API request of a mutation: the caller's, with its dryRun and fieldValidation (WARN unless named, as Kubernetes). */
function request(
  ctx: GraphQLContext,
  dryRun: boolean | null | undefined,
  extra: Partial<RequestContext> = {},
  fieldValidation?: FieldValidationArg | null,
): RequestContext {
  return {
    ...ctx.request,
    fieldValidation: fieldValidations[fieldValidation ?? 'WARN'],
    ...extra,
    ...(dryRun && { dryRun: true }),
  }
}

async function ref(ctx: GraphQLContext, object: JsonObject): Promise<ObjectRef> {
  const rv = Number(((object.metadata ?? {}) as JsonObject).resourceVersion)
  return { object, at: Number.isSafeInteger(rv) && rv > 0 ? rv : await ctx.head() }
}

function body(value: unknown): JsonObject {
  if (!isObject(value)) throw errors.badRequest('object must be a JSON object (a Kubernetes manifest)')
  return value
}

/** An apply with failures is an error naming each; what succeeded is listed in its extensions. */
function applyFailure(results: ApplyResult[]): GraphQLError {
  const describe = (r: ApplyResult) => {
    const source = r.action === 'failed' ? r.manifest : r.object
    const metadata = (source.metadata ?? {}) as JsonObject
    return { kind: source.kind, namespace: metadata.namespace, name: metadata.name }
  }
  const failed = results.flatMap((r, index) => (r.action === 'failed' ? [{ index, ...describe(r), error: r.error }] : []))
  const first = toGraphQLError(failed[0]!.error) as GraphQLError
  const lines = failed.map((f) => `document ${f.index + 1} (${String(f.kind)} "${String(f.name ?? '')}"): ${f.error.message}`)
  return new GraphQLError(`${failed.length} of ${results.length} manifests failed: ${lines.join('; ')}`, {
    extensions: {
      ...first.extensions,
      failures: failed.map((f) => ({ index: f.index, kind: f.kind, name: f.name, reason: f.error.reason, message: f.error.message })),
      applied: results.flatMap((r, index) => (r.action === 'failed' ? [] : [{ index, ...describe(r), action: r.action }])),
    },
  })
}

/**
 * A manifest's kind, namespace or name as a String field: as GraphQL's String would print it, and null
 * where it could not (a failed manifest may name anything there, e.g. a name that is an object).
 */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return String(value)
  return null
}

async function applyOutcome(ctx: GraphQLContext, result: ApplyResult, index: number) {
  const source = result.action === 'failed' ? result.manifest : result.object
  const metadata = isObject(source.metadata) ? source.metadata : {}
  const named = { index, action: result.action, kind: text(source.kind), namespace: text(metadata.namespace), name: text(metadata.name) }
  if (result.action !== 'failed') return { ...named, object: await ref(ctx, result.object), error: null }
  const { reason, message, code, details } = result.error
  return { ...named, object: null, error: { reason, message, code, causes: details.causes ?? null } }
}

async function revert(ctx: GraphQLContext, args: MutationRevertArgs) {
  const at = await ctx.revisionOf(args.to)
  const definition = ctx.api.registry.resolve(args.kind)
  const key = { kind: definition.kind, namespace: definition.namespaced ? (args.namespace ?? 'default') : '', name: args.name }
  ctx.authorize('get', key.kind, key.namespace, key.name)
  const old = await ctx.store.get(key, { at })
  if (!old) {
    throw new StatusError(
      'NotFound',
      `${definition.group ? `${definition.resource}.${definition.group}` : definition.resource} "${args.name}" did not exist at revision ${at}`,
    )
  }
  const current = await ctx.store.get(key)
  const object = clone(old)
  const metadata = { ...((object.metadata ?? {}) as JsonObject) }
  for (const serverOwned of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds']) delete metadata[serverOwned]
  const req = request(ctx, args.dryRun, {
    reason: ctx.request.reason ?? `revert to revision ${at}`,
    meta: { verb: 'revert', revertedTo: at },
  })
  if (current) {
    const now = (current.metadata ?? {}) as JsonObject
    object.metadata = { ...metadata, uid: now.uid, creationTimestamp: now.creationTimestamp, finalizers: now.finalizers }
    if (now.finalizers === undefined) delete (object.metadata as JsonObject).finalizers
    return ref(ctx, await ctx.api.update(req, object))
  }
  delete metadata.uid
  object.metadata = metadata
  delete object.status
  return ref(ctx, await ctx.api.create(req, object, { ...(key.namespace && { namespace: key.namespace }) }))
}

export const resolvers: Resolvers = {
  Mutation: {
    apply: async (_, args, ctx) => {
      const results = await ctx.api.apply(request(ctx, args.dryRun, {}, args.fieldValidation), args.manifest, {
        ...(args.namespace && { namespace: args.namespace }),
      })
      if (results.some((r) => r.action === 'failed')) throw applyFailure(results)
      return Promise.all(results.map((r) => ref(ctx, (r as { object: JsonObject }).object)))
    },
    applyEach: async (_, args, ctx) => {
      const results = await ctx.api.apply(request(ctx, args.dryRun, {}, args.fieldValidation), args.manifest, {
        ...(args.namespace && { namespace: args.namespace }),
      })
      return Promise.all(results.map((r, index) => applyOutcome(ctx, r, index)))
    },
    create: async (_, args, ctx) =>
      ref(
        ctx,
        await ctx.api.create(request(ctx, args.dryRun, {}, args.fieldValidation), body(args.object), {
          ...(args.namespace && { namespace: args.namespace }),
        }),
      ),
    replace: async (_, args, ctx) =>
      ref(
        ctx,
        await ctx.api.update(request(ctx, args.dryRun, {}, args.fieldValidation), body(args.object), {
          ...(args.namespace && { namespace: args.namespace }),
        }),
      ),
    replaceStatus: async (_, args, ctx) =>
      ref(
        ctx,
        await ctx.api.updateStatus(request(ctx, args.dryRun, {}, args.fieldValidation), body(args.object), {
          ...(args.namespace && { namespace: args.namespace }),
        }),
      ),
    patch: async (_, args, ctx) => {
      if (args.subresource && args.subresource !== 'status')
        throw errors.badRequest(`unsupported subresource "${args.subresource}": use status, or the scale mutation`)
      const type = patchTypes[args.type ?? 'STRATEGIC']
      const subresource = args.subresource === 'status' ? { subresource: 'status' as const } : {}
      return ref(
        ctx,
        await ctx.api.patch(
          request(ctx, args.dryRun, {}, args.fieldValidation),
          args.kind,
          args.namespace ?? 'default',
          args.name,
          args.patch,
          type,
          subresource,
        ),
      )
    },
    delete: async (_, args, ctx) =>
      ref(
        ctx,
        await ctx.api.delete(request(ctx, args.dryRun), args.kind, args.namespace ?? 'default', args.name, {
          ...(args.propagationPolicy && { propagationPolicy: args.propagationPolicy }),
          ...(args.preconditions && {
            preconditions: {
              ...(args.preconditions.uid && { uid: args.preconditions.uid }),
              ...(args.preconditions.resourceVersion && { resourceVersion: args.preconditions.resourceVersion }),
            },
          }),
          ...(args.gracePeriodSeconds !== undefined && args.gracePeriodSeconds !== null && { gracePeriodSeconds: args.gracePeriodSeconds }),
        }),
      ),
    scale: async (_, args, ctx) =>
      ref(ctx, await ctx.api.scale(request(ctx, args.dryRun), args.kind, args.namespace ?? 'default', args.name, args.replicas)),
    revert: (_, args, ctx) => revert(ctx, args),
  },
}
