import { getObject, listObjects } from '../../../projections/cluster-state.js'
import { invalid } from '../../resources/field-errors.js'
import type { JsonObject } from '../../json.js'
import type { KindDefinition } from '../../resources/kind.js'
import type { RequestContext } from '../context.js'
import type { Decision } from '../decide.js'
import { metadataOf } from '../object-meta.js'
import type { ResourceApi } from '../resource-api.js'
import type { Store } from '../../store/store.js'
import { kindAdmission } from './kind-admission.js'
import { limitRanger } from './limit-ranger.js'
import { namespaceLifecycle } from './namespace-lifecycle.js'
import type { AdmissionContext, AdmissionPlugin, AdmissionRequest, Settle } from './plugin.js'
import { resourceQuota } from './resource-quota.js'
import { serviceAccount } from './service-account.js'

/**
 * Admission control, as kube-apiserver's admission plugins do it: every write the resource API
 * has decided passes the plugins below before it is appended (dry-run writes too). Mutating
 * plugins run first, in order, and may change the object; then, as in Kubernetes, the object is
 * derived and validated again; then validating plugins accept or refuse it (403 Forbidden).
 *
 * Two plugins of kube-apiserver's default chain live in the Pod defaults instead
 * (services/resources/kinds/pod-spec.ts `defaultPodOnly`), because they need nothing but the
 * pod: ServiceAccount's defaulting of `spec.serviceAccountName` to `default`, and
 * DefaultTolerationSeconds (300 s for not-ready and unreachable nodes). Their place in upstream's
 * order (after LimitRanger and ServiceAccount's lookup) changes nothing they do.
 */

/** kube-apiserver's order for the plugins revkube has (`AllOrderedPlugins`); the kinds' own checks sit where Priority does. */
export const ADMISSION_PLUGINS: readonly AdmissionPlugin[] = [namespaceLifecycle, limitRanger, serviceAccount, kindAdmission, resourceQuota]

export interface Admitted {
  /** Call once the write was tried (`stored`: it was appended). */
  settle: Settle
  /** For a step between admission and the append that failed: gives back what was reserved, rethrows. */
  failed(error: unknown): Promise<never>
}

function admitted(settle: Settle): Admitted {
  return {
    settle,
    failed: async (error) => {
      await settle(false)
      throw error
    },
  }
}

const settled = admitted(async () => {})

/**
 * Runs the admission chain over a decided create. `input` is the object as the caller sent it
 * (its name, or generateName, is what messages give).
 */
export function admitCreate(
  api: ResourceApi,
  ctx: RequestContext,
  definition: KindDefinition,
  object: JsonObject,
  input: JsonObject,
): Promise<Admitted> {
  const metadata = metadataOf(input)
  const name = String(metadata.name || metadata.generateName || metadataOf(object).name || '')
  const namespace = String(metadataOf(object).namespace ?? '')
  return admit(api, { operation: 'CREATE', definition, namespace, name, object, ctx })
}

/**
 * Runs the admission chain over a decided write to a stored object: an update (of a
 * subresource, if `subresource`), a deletion or the step of one. Nothing to write, nothing to admit.
 */
export function admitChange(
  api: ResourceApi,
  ctx: RequestContext,
  target: { definition: KindDefinition; namespace: string; name: string },
  decision: Decision,
  current: JsonObject,
  subresource: string | undefined,
): Promise<Admitted> {
  if (decision.op === 'none') return Promise.resolve(settled)
  const deleting = decision.op === 'delete' || decision.type === 'DeletionRequested'
  const sub = decision.op === 'put' && decision.type === 'StatusUpdated' ? 'status' : subresource
  return admit(api, {
    operation: deleting ? 'DELETE' : 'UPDATE',
    ...(sub && { subresource: sub }),
    ...target,
    object: decision.object,
    old: current,
    ctx,
  })
}

async function admit(api: ResourceApi, request: AdmissionRequest): Promise<Admitted> {
  const context = admissionContext(api)
  let changed = false
  for (const plugin of ADMISSION_PLUGINS) if (plugin.admit && (await plugin.admit(request, context))) changed = true
  if (changed) rederive(request)
  const settles: Settle[] = []
  try {
    for (const plugin of ADMISSION_PLUGINS) {
      const settle = plugin.validate && (await plugin.validate(request, context))
      if (settle) settles.push(settle)
    }
  } catch (error) {
    await Promise.all(settles.map((s) => s(false)))
    throw error
  }
  if (settles.length === 0) return settled
  return admitted(async (stored) => void (await Promise.all(settles.map((s) => s(stored)))))
}

/**
 * Kubernetes runs mutating admission before the strategy's PrepareForCreate and validation, so
 * what those derive from the object (a Pod's QoS class) and check (requests within limits) see
 * what the plugins set.
 */
function rederive(request: AdmissionRequest): void {
  const { definition, object } = request
  if (request.operation === 'CREATE' && definition.status && !definition.keepStatusOnCreate)
    object.status = definition.initialStatus?.(object) ?? {}
  const errors = [
    ...(definition.validate?.(object) ?? []),
    ...(request.old ? (definition.validateUpdate?.(object, request.old) ?? []) : []),
  ]
  if (errors.length > 0) throw invalid(definition.kind, definition.group, String(metadataOf(object).name ?? ''), errors)
}

function admissionContext(api: ResourceApi): AdmissionContext {
  const lists = new Map<string, Promise<JsonObject[]>>()
  const cached = (kind: string, namespace: string, name: string) =>
    api.projection ? getObject(api.projection.state, kind, namespace, name) : undefined
  const committed = lastCommitted(api.store)
  const read = async (kind: string, namespace: string) => {
    const { projection } = api
    if (projection) {
      const fresh = await projection.waitFor(committed.revision).then(
        () => true,
        () => false,
      )
      if (fresh) return listObjects(projection.state, kind, namespace)
    }
    return (await api.store.list({ kind, namespace })).items
  }
  return {
    api,
    now: api.env.now(),
    list: (kind, namespace) => {
      const key = `${kind}\u0000${namespace}`
      let list = lists.get(key)
      if (!list) lists.set(key, (list = read(kind, namespace)))
      return list
    },
    get: async (kind, namespace, name) => cached(kind, namespace, name) ?? (await api.store.get({ kind, namespace, name })),
    cached,
  }
}

const commits = new WeakMap<Store, { revision: number }>()

/**
 * The last revision this process has committed to `store`, followed from the first admission on
 * (which precedes this process's first write): once the projection has it, the projection holds
 * every LimitRange and ResourceQuota a client of this process could have written before.
 */
function lastCommitted(store: Store): { revision: number } {
  let last = commits.get(store)
  if (!last) {
    const tracked = (last = { revision: 0 })
    commits.set(store, tracked)
    store.committed.subscribe((events) => {
      const revision = events.at(-1)?.revision ?? 0
      if (revision > tracked.revision) tracked.revision = revision
    })
  }
  return last
}
