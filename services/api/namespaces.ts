import { isStatusError, StatusError } from '../errors.js'
import { firstServiceIp } from '../resources/kinds/core/service-ranges.js'
import type { RequestContext } from './context.js'
import type { ResourceApi } from './resource-api.js'

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

/**
 * The `default/kubernetes` Service with the first address of the service range, as the
 * apiserver keeps it. Left alone when it exists, or when its address is taken (Invalid).
 */
export async function bootstrapKubernetesService(api: ResourceApi, ctx: RequestContext): Promise<void> {
  if (await api.store.get({ kind: 'Service', namespace: 'default', name: 'kubernetes' })) return
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: firstServiceIp(), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
  }
  try {
    await api.create(ctx, service)
  } catch (error) {
    if (!(isStatusError(error, 'AlreadyExists') || isStatusError(error, 'Invalid'))) throw error
  }
}
