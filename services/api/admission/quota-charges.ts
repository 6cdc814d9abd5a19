import { arrayAt, isObject, objectAt, type JsonObject } from '../../json.js'
import type { KindRegistry } from '../../resources/registry.js'
import { parseQuantity, quantityString, type Quantity } from '../../resources/validation/quantity.js'
import { inScopes, Sum, usageOf } from '../../quota/usage.js'
import { metadataOf } from '../object-meta.js'
import { forbidden, type AdmissionRequest } from './plugin.js'

/**
 * What an admitted write charges each ResourceQuota it counts against (upstream's `checkRequest`),
 * shared by the admission plugin (resource-quota.ts) and the charger (resource-quota-charger.ts).
 */

/** Kinds whose updates can change what they count. */
export const CHARGED_ON_UPDATE = new Set(['Service', 'PersistentVolumeClaim'])
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
export function quotaCharges(
  request: Pick<AdmissionRequest, 'definition' | 'name' | 'object' | 'old'>,
  quotas: CountedQuota[],
  registry: KindRegistry,
  now: Date,
): QuotaCharge[] {
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
    const requested = delta(
      usageOf((k) => (k === object.kind ? [object] : []), registry, quota, now),
      old ? usageOf((k) => (k === old.kind ? [old] : []), registry, quota, now) : {},
    )
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
      const list = (value: (r: string) => string) =>
        exceeded
          .sort()
          .map((r) => `${r}=${value(r)}`)
          .join(',')
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
