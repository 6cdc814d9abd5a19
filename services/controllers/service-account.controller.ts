import type { ServiceAccount } from 'kubernetes-types/core/v1.js'
import { getObject, listObjects } from '../../projections/cluster-state.js'
import { DEFAULT_SERVICE_ACCOUNT } from '../api/admission/service-account.js'
import { asJson, isDeleting, nameOf } from '../runtime/objects.js'
import { nothing, type Controller } from '../runtime/controller.js'

/**
 * The service account controller (K `pkg/controller/serviceaccount/serviceaccounts_controller.go`):
 * every Active namespace, the bootstrap ones included, has a `default` ServiceAccount; one that
 * is missing (a new namespace, or the account deleted) is created. Keys are namespace names.
 */
export function createServiceAccountController(): Controller {
  return {
    name: 'serviceaccount',
    actor: 'system:controller:service-account-controller',
    keysFor: ({ event }) => {
      if (event.kind === 'Namespace') return [event.name]
      if (event.kind === 'ServiceAccount' && event.name === DEFAULT_SERVICE_ACCOUNT && event.type === 'Deleted') return [event.namespace]
      return []
    },
    allKeys: (state) => listObjects(state, 'Namespace').map(nameOf),
    reconcile: (name, state) => {
      const namespace = getObject(state, 'Namespace', '', name)
      if (!namespace || isDeleting(namespace) || namespace.status?.phase !== 'Active') return nothing
      if (getObject(state, 'ServiceAccount', name, DEFAULT_SERVICE_ACCOUNT)) return nothing
      const account: ServiceAccount = {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: name },
      }
      return { actions: [{ type: 'create', reason: 'every namespace has a default service account', object: asJson(account) }] }
    },
  }
}
