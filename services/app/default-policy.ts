import type { RequestContext } from '../api/context.js'
import type { ResourceApi } from '../api/resource-api.js'
import { StatusError } from '../errors.js'
import { defaultClusterRoleBindings, defaultClusterRoles } from '../auth/default-roles.js'

/** Creates Kubernetes' default ClusterRoles and the cluster-admin binding when they are missing (users may edit them after). */
export async function ensureDefaultPolicy(api: ResourceApi): Promise<void> {
  const ctx: RequestContext = { actor: 'system:apiserver', reason: 'bootstrap RBAC policy' }
  for (const object of [...defaultClusterRoles, ...defaultClusterRoleBindings]) {
    const name = String((object.metadata as { name: string }).name)
    if (await api.store.get({ kind: String(object.kind), namespace: '', name })) continue
    try {
      await api.create(ctx, structuredClone(object))
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === 'AlreadyExists')) throw error
    }
  }
}
