import { errors, StatusError } from '../errors.js'
import { objectAt, type JsonObject } from '../resources/json.js'
import { qualifiedResourceName, type KindDefinition } from '../resources/kind.js'
import type { Store } from '../store/store.js'
import type { RequestContext } from './context.js'
import type { ResourceApi } from './resource-api.js'
import { bootstrapKubernetesService } from './service-allocation.js'

/** The namespaces every cluster has; the first three may not be deleted. */
export const BOOTSTRAP_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']
const PROTECTED = new Set(['default', 'kube-system', 'kube-public'])

/**
 * NamespaceLifecycle admission: content goes only into namespaces that exist and are not
 * terminating. Like Kubernetes' plugin, it trusts a cache (the projection) for namespaces it
 * knows to be active and asks the store about any other.
 */
export async function checkNamespaceAcceptsContent(
  store: Store,
  cached: ((name: string) => JsonObject | undefined) | undefined,
  definition: KindDefinition,
  namespace: string,
  name: string,
): Promise<void> {
  const known = cached?.(namespace)
  if (known && objectAt(known, 'status')?.phase === 'Active') return
  const found = await store.get({ kind: 'Namespace', namespace: '', name: namespace })
  if (!found) throw errors.notFound({ resource: 'namespaces', group: '' }, namespace)
  if (objectAt(found, 'status')?.phase === 'Terminating') {
    throw new StatusError(
      'Forbidden',
      `${qualifiedResourceName(definition)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      { name, group: definition.group, kind: definition.resource, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] },
    )
  }
}

export function undeletableNamespace(name: string): void {
  if (PROTECTED.has(name)) throw new StatusError('Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' })
}

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
