import { getObject } from '../../projections/cluster-state.js'
import { isStatusError } from '../errors.js'
import type { AllocationHost } from '../resources/allocation.js'
import type { JsonObject } from '../json.js'
import type { KindDefinition } from '../resources/kind.js'
import type { RequestContext } from './context.js'
import { metadataOf } from './object-meta.js'
import type { ResourceApi } from './resource-api.js'

const ALLOCATOR = 'system:apiserver'

/**
 * What a kind's allocation may do during the write of `object` (services/resources/allocation.ts):
 * reservations are written by the API server, correlated with the request they serve, and a dry
 * run reserves nothing.
 */
export function allocationHost(api: ResourceApi, request: RequestContext, definition: KindDefinition, object: JsonObject): AllocationHost {
  const { namespace, name } = metadataOf(object)
  const ctx: RequestContext = {
    actor: ALLOCATOR,
    reason: `allocation for ${definition.kind} ${String(namespace ?? '')}/${String(name ?? '')}`,
    ...((request.correlationId ?? request.requestId) && { correlationId: request.correlationId ?? request.requestId }),
    ...(request.causationRevision !== undefined && { causationRevision: request.causationRevision }),
  }
  return {
    dryRun: request.dryRun === true,
    serves: (kind) => api.registry.get(kind) !== undefined,
    get: (kind, namespace, name) => api.store.get({ kind, namespace, name }),
    cached: (kind, namespace, name) => (api.projection ? getObject(api.projection.state, kind, namespace, name) : undefined),
    create: async (manifest) => {
      try {
        await api.create(ctx, manifest)
        return true
      } catch (error) {
        if (isStatusError(error, 'AlreadyExists')) return false
        throw error
      }
    },
    delete: async (kind, namespace, name, uid) => {
      await api.delete(ctx, kind, namespace || undefined, name, { preconditions: { uid } })
    },
  }
}
