import { arrayAt, isObject, objectAt, type JsonObject } from '../../json.js'
import { forbidden, type AdmissionPlugin } from './plugin.js'

/** The ServiceAccount every namespace has (created by services/controllers/service-account.controller.ts). */
export const DEFAULT_SERVICE_ACCOUNT = 'default'

/** Marks a kubelet's mirror of a static pod; such pods are left alone. */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror'

/**
 * ServiceAccount (K `plugin/pkg/admission/serviceaccount/admission.go`): a Pod being created runs
 * as a ServiceAccount that exists (403 `error looking up service account <ns>/<sa>: serviceaccount
 * "<sa>" not found`) and inherits its imagePullSecrets when it names none. A pod without
 * `spec.serviceAccountName` has already been given `default` by the Pod defaults.
 *
 * Two differences from upstream, on purpose:
 * - `default` is taken to exist even before the service account controller has created it in a
 *   new namespace. Upstream refuses such a pod until the controller has run (clients retry);
 *   here a namespace is usable the moment it is created, with or without controllers running,
 *   and the controller creates the account shortly after.
 * - The projected `kube-api-access-<suffix>` token volume and its mounts are not added: revkube
 *   issues no ServiceAccount tokens and publishes no `kube-root-ca.crt`, so the volume would
 *   point at nothing.
 */
export const serviceAccount: AdmissionPlugin = {
  name: 'ServiceAccount',
  admit: async (request, context) => {
    const { object, namespace } = request
    if (request.definition.kind !== 'Pod' || request.operation !== 'CREATE' || request.subresource) return false
    if (isMirrorPod(object)) return false
    const spec = objectAt(object, 'spec') ?? {}
    const name =
      typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '' ? spec.serviceAccountName : DEFAULT_SERVICE_ACCOUNT
    // `default` is taken to exist (above): the projection's copy, if any, is all it needs to read.
    const account =
      name === DEFAULT_SERVICE_ACCOUNT && context.api.projection
        ? context.cached('ServiceAccount', namespace, name)
        : await context.get('ServiceAccount', namespace, name)
    if (!account) {
      if (name === DEFAULT_SERVICE_ACCOUNT) return false
      throw forbidden(request, `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`)
    }
    return inheritPullSecrets(spec, account)
  },
}

const isMirrorPod = (pod: JsonObject) => objectAt(objectAt(pod, 'metadata'), 'annotations')?.[MIRROR_POD_ANNOTATION] !== undefined

/** A pod naming no imagePullSecrets gets its ServiceAccount's. */
function inheritPullSecrets(spec: JsonObject, account: JsonObject): boolean {
  const secrets = arrayAt(account, 'imagePullSecrets').filter(isObject)
  if (arrayAt(spec, 'imagePullSecrets').length > 0 || secrets.length === 0) return false
  spec.imagePullSecrets = secrets.map((s) => ({ name: s.name }))
  return true
}
