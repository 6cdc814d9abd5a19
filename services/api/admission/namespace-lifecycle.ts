import { getObject } from '../../../projections/cluster-state.js'
import { errors } from '../../errors.js'
import { objectAt } from '../../json.js'
import { forbidden, type AdmissionPlugin } from './plugin.js'

/** The namespaces that may not be deleted (`--immortal-namespaces` is not configurable upstream either). */
const IMMORTAL = new Set(['default', 'kube-system', 'kube-public'])

/**
 * NamespaceLifecycle (K `apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go`): new
 * content goes only into namespaces that exist (404 `namespaces "x" not found`) and are not
 * terminating (403, cause NamespaceTerminating); default, kube-system and kube-public may not be
 * deleted. Like upstream, it trusts its cache (the projection) for a namespace it knows to be
 * Active and asks the store about any other.
 */
export const namespaceLifecycle: AdmissionPlugin = {
  name: 'NamespaceLifecycle',
  admit: async (request, { api }) => {
    const { definition, namespace, operation } = request
    if (operation === 'DELETE' && definition.kind === 'Namespace' && IMMORTAL.has(request.name)) {
      throw forbidden(request, 'this namespace may not be deleted')
    }
    if (operation !== 'CREATE' || !definition.namespaced) return false
    const known = api.projection && getObject(api.projection.state, 'Namespace', '', namespace)
    if (known && objectAt(known, 'status')?.phase === 'Active') return false
    const found = await api.store.get({ kind: 'Namespace', namespace: '', name: namespace })
    if (!found) throw errors.notFound({ resource: 'namespaces', group: '' }, namespace)
    if (objectAt(found, 'status')?.phase === 'Terminating') {
      throw forbidden(request, `unable to create new content in namespace ${namespace} because it is being terminated`, [
        { reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' },
      ])
    }
    return false
  },
}
