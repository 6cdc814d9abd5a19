import type { ClusterState } from '../../projections/cluster-state.js'
import type { WriteGuard } from './context.js'
import { StatusError } from '../errors.js'
import { qualifiedResourceName } from '../resources/kind.js'
import type { JsonObject } from '../json.js'
import { escalation } from '../auth/escalation.js'
import type { Security } from '../auth/security.js'

/** The resource API's authorization: RBAC on each write a user makes, and no escalation through RBAC objects. */
export function writeGuard(security: Security, state: () => ClusterState): WriteGuard {
  return {
    authorize: (ctx, request) => {
      if (!ctx.user || security.mode === 'none') return
      security.authorize({
        user: ctx.user,
        verb: request.verb,
        apiGroup: request.definition.group,
        resource: request.definition.resource,
        ...(request.subresource && { subresource: request.subresource }),
        ...(request.definition.namespaced && { namespace: request.namespace }),
        ...(request.name && { name: request.name }),
      })
    },
    admit: (ctx, definition, object) => {
      if (!ctx.user || security.mode === 'none') return
      const missing = escalation(state(), ctx.user, object)
      if (missing.length === 0) return
      const name = String(((object.metadata ?? {}) as JsonObject).name ?? '')
      throw new StatusError(
        'Forbidden',
        `${qualifiedResourceName(definition)} "${name}" is forbidden: user "${ctx.user.name}" (groups=${JSON.stringify(ctx.user.groups)}) is attempting to grant RBAC permissions not currently held: ${missing.join(', ')}`,
      )
    },
  }
}
