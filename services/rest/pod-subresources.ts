import type { RequestContext } from '../api/context.js'
import type { DeleteOptions } from '../api/decide.js'
import type { ResourceApi } from '../api/resource-api.js'
import { errors, StatusError } from '../errors.js'
import { isObject, type JsonObject } from '../json.js'

/**
 * The subresources a Pod has beside status, as kube-apiserver's pod storage serves them:
 * `eviction` (kubectl drain: a delete that disruption budgets may refuse), `binding` (a scheduler's
 * placement), and what a kubelet serves from running containers — which simulated nodes do not
 * have, so those are answered with a clear error.
 */

/** Served from a pod's containers (kubectl logs, exec, attach, port-forward). */
const CONTAINER_SUBRESOURCES = ['log', 'exec', 'attach', 'portforward', 'proxy']

/** Discovery's entries for them (beside `pods/status`). */
export const POD_SUBRESOURCES = [
  { subresource: 'eviction', responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
  { subresource: 'binding', responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
  { subresource: 'log', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
  { subresource: 'exec', responseKind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: ['create', 'get'] },
  { subresource: 'attach', responseKind: { group: '', version: 'v1', kind: 'PodAttachOptions' }, verbs: ['create', 'get'] },
  { subresource: 'portforward', responseKind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' }, verbs: ['create', 'get'] },
]

export const isPodSubresource = (subresource: string) =>
  POD_SUBRESOURCES.some((s) => s.subresource === subresource) || subresource === 'proxy'

/** The answer to logs, exec, attach and port-forward: simulated nodes run no containers. */
export function noContainers(pod: string): StatusError {
  return errors.badRequest(
    `pod "${pod}" runs on a simulated node, which runs no containers: there are no logs to read, and nothing to exec into, attach to or forward ports of (revkube history pod/${pod} shows what happened to it)`,
  )
}

/** Serves `pods/{name}/{subresource}` for the subresources above; the answer's status code and body. */
export async function servePodSubresource(
  api: ResourceApi,
  ctx: RequestContext,
  method: string,
  target: { namespace: string; name: string; subresource: string },
  body: () => Promise<unknown>,
): Promise<{ code: number; body: JsonObject }> {
  const { namespace, name, subresource } = target
  if (CONTAINER_SUBRESOURCES.includes(subresource)) throw noContainers(name)
  if (method !== 'POST')
    throw new StatusError('MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`)
  const request = await body()
  if (!isObject(request)) throw errors.badRequest('the request body must be a JSON object')
  if (subresource === 'eviction') {
    // No PodDisruptionBudget is served yet, so no budget refuses an eviction: it is the delete it asks for.
    const options = isObject(request.deleteOptions) ? request.deleteOptions : {}
    await api.delete(ctx, 'Pod', namespace, name, deleteOptionsOf(options))
    return { code: 201, body: success(name) }
  }
  // binding: the scheduler's placement, once.
  const node = isObject(request.target) ? request.target.name : undefined
  if (typeof node !== 'string' || node === '') throw errors.badRequest('a Binding needs target.name, the node')
  const pod = await api.get('Pod', namespace, name)
  const bound = (pod.spec as JsonObject | undefined)?.nodeName
  if (typeof bound === 'string' && bound !== '') throw new StatusError('Conflict', `pod ${name} is already assigned to node "${bound}"`)
  await api.update(
    { ...ctx, meta: { ...ctx.meta, subresource: 'binding' } },
    { ...pod, spec: { ...(pod.spec as JsonObject), nodeName: node } },
    { namespace },
  )
  return { code: 201, body: success(name) }
}

function deleteOptionsOf(options: JsonObject): DeleteOptions {
  return {
    ...(typeof options.propagationPolicy === 'string' && { propagationPolicy: options.propagationPolicy }),
    ...(typeof options.gracePeriodSeconds === 'number' && { gracePeriodSeconds: options.gracePeriodSeconds }),
    ...(isObject(options.preconditions) && {
      preconditions: {
        ...(typeof options.preconditions.uid === 'string' && { uid: options.preconditions.uid }),
        ...(typeof options.preconditions.resourceVersion === 'string' && { resourceVersion: options.preconditions.resourceVersion }),
      },
    }),
  }
}

const success = (name: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success',
  details: { name, kind: 'pods' },
  code: 201,
})
