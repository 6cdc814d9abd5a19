import { arrayAt, isObject, objectAt, type JsonObject } from '../../resources/json.js'
import type { KindRegistry } from '../../resources/registry.js'
import { parseQuantity, quantityString, type Quantity } from '../../resources/validation/quantity.js'
import { inScopes, Sum, usageOf } from '../../controllers/quota-usage.js'
import { metadataOf } from '../object-meta.js'
import { forbidden, type AdmissionPlugin, type AdmissionRequest } from './plugin.js'
import { chargerOf, countedQuota } from './resource-quota-charger.js'

export { QUOTA_ADMISSION_ACTOR } from './resource-quota-charger.js'

/**
 * ResourceQuota (K `plugin/pkg/admission/resourcequota/controller.go`, `pkg/quota/v1/evaluator/core`):
 * a write that would take a namespace past one of its quotas is refused (403 `exceeded quota:
 * <quota>, requested: …, used: …, limited: …`), as is a Pod lacking a request or limit a quota
 * tracks (`failed quota: <quota>: must specify …`). What a write adds is counted by the quota
 * controller's own evaluators (services/controllers/quota-usage.ts) over the one object, less
 * what the stored object already used.
 *
 * An admitted write is charged at once (resource-quota-charger.ts): `status.used` of each quota
 * it counts against is raised by a status write conditional on the quota's resourceVersion, so
 * two concurrent writes can never both take the last unit. A write that is then not stored gives
 * its charge back.
 *
 * Differences from upstream: `spec.hard` is the limit (upstream reads `status.hard`, which the
 * controller copies from it), and a quota the controller has not counted yet is counted here
 * from the store instead of refusing with `status unknown for quota`. Scopes Terminating,
 * NotTerminating, BestEffort and NotBestEffort select pods; `scopeSelector` (PriorityClass,
 * CrossNamespacePodAffinity) is not supported. Updates are charged only for Services (type and
 * ports) and PersistentVolumeClaims (size): other kinds cannot change what they count.
 */
export const resourceQuota: AdmissionPlugin = {
  name: 'ResourceQuota',
  validate: async (request, context) => {
    const { definition, operation } = request
    if (!definition.namespaced || request.subresource || operation === 'DELETE') return
    if (operation === 'UPDATE' && !CHARGED_ON_UPDATE.has(definition.kind)) return
    const quotas = await context.list('ResourceQuota', request.namespace)
    if (quotas.length === 0) return
    const { api, now } = context
    // A dry run is judged on the quotas as read, and charges nothing.
    if (request.ctx.dryRun) return void quotaCharges(request, await Promise.all(quotas.map((q) => countedQuota(api, q, now))), api.registry, now)
    const charges = await chargerOf(api).charge(request)
    return async (stored) => {
      if (!stored && charges.length > 0) await chargerOf(api).refund(request, charges)
    }
  },
}

const CHARGED_ON_UPDATE = new Set(['Service', 'PersistentVolumeClaim'])
/** Requests and limits every container must state once a quota tracks them (`validationSet`). */
const MUST_SPECIFY: Record<string, ['requests' | 'limits', string]> = {
  cpu: ['requests', 'cpu'],
  'requests.cpu': ['requests', 'cpu'],
  memory: ['requests', 'memory'],
  'requests.memory': ['requests', 'memory'],
  'limits.cpu': ['limits', 'cpu'],
  'limits.memory': ['limits', 'memory'],
}
export type Amounts = Record<string, Quantity>

/** A quota with what it counts as used now. */
export interface CountedQuota {
  quota: JsonObject
  used: Record<string, string>
}

/** What one admitted write adds to one quota. */
export interface QuotaCharge {
  quota: JsonObject
  requested: Amounts
  /** `status.used` with the request added. */
  used: Record<string, string>
}

const nameOf = (o: JsonObject) => String(metadataOf(o).name)
const byName = (a: JsonObject, b: JsonObject) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0)
const hardOf = (quota: JsonObject) => objectAt(objectAt(quota, 'spec'), 'hard') ?? {}
export const parse = (value: unknown) => parseQuantity(String(value ?? '0')) ?? { nanos: 0n, format: 'DecimalSI' as const }

/** `evaluator.Matches`: a quota with scopes counts only the pods they select. */
function matches(quota: JsonObject, object: JsonObject): boolean {
  const scopes = arrayAt(objectAt(quota, 'spec'), 'scopes').map(String)
  if (scopes.length === 0) return true
  return object.kind === 'Pod' && inScopes(object, scopes)
}

/**
 * Upstream's `checkRequest`, pure: what `object` (replacing `old`, if given) adds to each quota,
 * or Forbidden. Quotas are judged in name order; the pod constraints of every quota before any usage.
 */
export function quotaCharges(request: Pick<AdmissionRequest, 'definition' | 'name' | 'object' | 'old'>, quotas: CountedQuota[], registry: KindRegistry, now: Date): QuotaCharge[] {
  const { object, old } = request
  const matching = quotas.filter((q) => matches(q.quota, object)).sort((a, b) => byName(a.quota, b.quota))
  if (object.kind === 'Pod') {
    for (const { quota } of matching) {
      const missing = missingResources(object, Object.keys(hardOf(quota)))
      if (missing) throw forbidden(request, `failed quota: ${nameOf(quota)}: must specify ${missing}`)
    }
  }
  const charges: QuotaCharge[] = []
  for (const { quota, used } of matching) {
    const requested = delta(usageOf((k) => (k === object.kind ? [object] : []), registry, quota, now), old ? usageOf((k) => (k === old.kind ? [old] : []), registry, quota, now) : {})
    if (Object.keys(requested).length === 0) continue
    const hard = hardOf(quota)
    const after: Record<string, string> = { ...used }
    const exceeded: string[] = []
    for (const [resource, amount] of Object.entries(requested)) {
      const sum = new Sum()
      sum.add(parse(used[resource]))
      sum.add(amount)
      after[resource] = sum.toString()
      if (sum.nanos > parse(hard[resource]).nanos) exceeded.push(resource)
    }
    if (exceeded.length > 0) {
      const list = (value: (r: string) => string) => exceeded.sort().map((r) => `${r}=${value(r)}`).join(',')
      const canonical = (v: unknown) => quantityString(parse(v))
      throw forbidden(
        request,
        `exceeded quota: ${nameOf(quota)}, requested: ${list((r) => quantityString(requested[r]!))}, used: ${list((r) => canonical(used[r]))}, limited: ${list((r) => canonical(hard[r]))}`,
      )
    }
    charges.push({ quota, requested, used: after })
  }
  return charges
}

/** Upstream's pod `Constraints`: `limits.cpu for: a,b; limits.memory for: a` for what containers leave out, or undefined. */
function missingResources(pod: JsonObject, tracked: string[]): string | undefined {
  const required = tracked.filter((r) => MUST_SPECIFY[r]).sort()
  const spec = objectAt(pod, 'spec') ?? {}
  const containers = [...arrayAt(spec, 'containers'), ...arrayAt(spec, 'initContainers')].filter(isObject)
  const missing: string[] = []
  for (const resource of required) {
    const [which, name] = MUST_SPECIFY[resource]!
    const lacking = containers.filter((c) => objectAt(objectAt(c, 'resources'), which)?.[name] === undefined).map((c) => String(c.name))
    if (lacking.length > 0) missing.push(`${resource} for: ${[...new Set(lacking)].sort().join(',')}`)
  }
  return missing.length > 0 ? missing.join('; ') : undefined
}

/** `SubtractWithNonNegativeResult` without the zeros: what `after` uses beyond `before`. */
function delta(after: Record<string, string>, before: Record<string, string>): Amounts {
  const out: Amounts = {}
  for (const [resource, value] of Object.entries(after)) {
    const nanos = parse(value).nanos - parse(before[resource]).nanos
    if (nanos > 0n) out[resource] = { nanos, format: parse(value).format }
  }
  return out
}
