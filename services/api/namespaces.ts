import { StatusError } from '../errors.js'
import type { RequestContext } from './context.js'
import type { ResourceApi } from './resource-api.js'
import { bootstrapKubernetesService } from './service-allocation.js'

/** The namespaces every cluster has; the first three may not be deleted (admission/namespace-lifecycle.ts). */
export const BOOTSTRAP_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']

/** Creates the bootstrap namespaces that are missing. */
export async function bootstrapNamespaces(api: ResourceApi): Promise<void> {
  const ctx: RequestContext = { actor: 'system:apiserver', reason: 'bootstrap' }
  for (const name of BOOTSTRAP_NAMESPACES) {
    if (await api.store.get({ kind: 'Namespace', namespace: '', name })) continue
    try {
      await api.create(ctx, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === 'AlreadyExists')) throw error
    }
  }
  // The `default/kubernetes` Service, with the first address of the service range.
  await bootstrapKubernetesService(api, ctx)
}
