import { arrayAt, child, isObject, objectAt, type JsonObject } from '../../json.js'
import { parseQuantity, quantityString, type Quantity } from '../../resources/validation/quantity.js'
import { podResources } from '../../quota/usage.js'
import { aggregate, forbidden, type AdmissionPlugin, type AdmissionRequest } from './plugin.js'

/**
 * LimitRanger (K `plugin/pkg/admission/limitranger/admission.go`): a Pod being created gets the
 * default limits and requests of the namespace's Container-type LimitRanges for what its
 * containers leave out, recorded in the `kubernetes.io/limit-ranger` annotation; then Pods (on
 * create) and PersistentVolumeClaims (on create and update) are checked against the min, max and
 * maxLimitRequestRatio of every LimitRange, each LimitRange's violations in one 403. Pod
 * templates are not admitted: their Pods are, when a controller creates them.
 */
export const limitRanger: AdmissionPlugin = {
  name: 'LimitRanger',
  admit: async (request, context) => {
    if (!isPodCreate(request)) return false
    let changed = false
    for (const range of await context.list('LimitRange', request.namespace)) changed = setPodDefaults(request.object, range) || changed
    return changed
  },
  validate: async (request, context) => {
    const claim = request.definition.kind === 'PersistentVolumeClaim' && request.operation !== 'DELETE' && !request.subresource
    if (!isPodCreate(request) && !claim) return
    for (const range of await context.list('LimitRange', request.namespace)) {
      const violations = claim ? claimViolations(request.object, range) : podViolations(request.object, range)
      if (violations.length > 0) throw forbidden(request, aggregate(violations))
    }
  },
}

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger'

const isPodCreate = (request: AdmissionRequest) =>
  request.definition.kind === 'Pod' && request.operation === 'CREATE' && !request.subresource

const itemsOf = (range: JsonObject, type: string) =>
  arrayAt(objectAt(range, 'spec'), 'limits').filter((l): l is JsonObject => isObject(l) && l.type === type)

/**
 * `PodMutateLimitFunc`: each container's missing limits from the Container-type `default`,
 * missing requests from `defaultRequest` (which the LimitRange's own defaults fill from the
 * default limit, or min). Returns whether anything was set.
 */
export function setPodDefaults(pod: JsonObject, range: JsonObject): boolean {
  const limits: JsonObject = {}
  const requests: JsonObject = {}
  for (const item of itemsOf(range, 'Container')) {
    Object.assign(requests, objectAt(item, 'defaultRequest'))
    Object.assign(limits, objectAt(item, 'default'))
  }
  const notes: string[] = []
  const spec = objectAt(pod, 'spec') ?? {}
  for (const [list, what] of [
    ['containers', 'container'],
    ['initContainers', 'init container'],
  ] as const) {
    for (const container of arrayAt(spec, list)) {
      if (!isObject(container)) continue
      const setLimits = fill(container, 'limits', limits)
      const setRequests = fill(container, 'requests', requests)
      if (setRequests.length > 0) notes.push(`${setRequests.join(', ')} request for ${what} ${String(container.name)}`)
      if (setLimits.length > 0) notes.push(`${setLimits.join(', ')} limit for ${what} ${String(container.name)}`)
    }
  }
  if (notes.length === 0) return false
  child(child(pod, 'metadata'), 'annotations')[LIMIT_RANGER_ANNOTATION] = `LimitRanger plugin set: ${notes.join('; ')}`
  return true
}

/** Copies into the container's `resources[which]` the defaults it lacks; the names it set, sorted. */
function fill(container: JsonObject, which: 'limits' | 'requests', defaults: JsonObject): string[] {
  const missing = Object.keys(defaults).filter((name) => objectAt(objectAt(container, 'resources'), which)?.[name] === undefined)
  if (missing.length === 0) return []
  const list = child(child(container, 'resources'), which)
  for (const name of missing) list[name] = defaults[name]
  return missing.sort()
}

type Amounts = Map<string, Quantity>

function amounts(list: JsonObject | undefined): Amounts {
  const out: Amounts = new Map()
  for (const [name, value] of Object.entries(list ?? {})) {
    const q = parseQuantity(String(value))
    if (q) out.set(name, q)
  }
  return out
}

/** The bounds of one item, in a stable order (stored JSON does not keep the order they were written in). */
const bounds = (item: JsonObject, field: string) => [...amounts(objectAt(item, field))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

/** `PodValidateLimitFunc`: Container items per container (then init container), Pod items on the pod's sums. */
export function podViolations(pod: JsonObject, range: JsonObject): string[] {
  const spec = objectAt(pod, 'spec') ?? {}
  const out: string[] = []
  for (const item of arrayAt(objectAt(range, 'spec'), 'limits')) {
    if (!isObject(item)) continue
    if (item.type === 'Container') {
      const containers = [...arrayAt(spec, 'containers'), ...arrayAt(spec, 'initContainers')].filter(isObject)
      for (const container of containers) {
        const resources = objectAt(container, 'resources')
        out.push(...check('Container', item, amounts(objectAt(resources, 'requests')), amounts(objectAt(resources, 'limits'))))
      }
    } else if (item.type === 'Pod') {
      // Upstream's podRequests/podLimits: PodRequests without the overhead.
      const bare = { ...pod, spec: { ...spec, overhead: undefined } }
      out.push(...check('Pod', item, podResources(bare, 'requests'), podResources(bare, 'limits')))
    }
  }
  return out
}

function check(type: string, item: JsonObject, requests: Amounts, limits: Amounts): string[] {
  const out: string[] = []
  for (const [name, enforced] of bounds(item, 'min')) push(out, minimum(type, name, enforced, requests, limits))
  for (const [name, enforced] of bounds(item, 'max')) push(out, maximum(type, name, enforced, requests, limits))
  for (const [name, enforced] of bounds(item, 'maxLimitRequestRatio')) push(out, ratio(type, name, enforced, requests, limits))
  return out
}

/** `PersistentVolumeClaimValidateLimitFunc`: storage requested within min and max. */
export function claimViolations(claim: JsonObject, range: JsonObject): string[] {
  const requests = amounts(objectAt(objectAt(objectAt(claim, 'spec'), 'resources'), 'requests'))
  const out: string[] = []
  for (const item of itemsOf(range, 'PersistentVolumeClaim')) {
    for (const [name, enforced] of bounds(item, 'min')) push(out, minimum('PersistentVolumeClaim', name, enforced, requests, new Map()))
    for (const [name, enforced] of bounds(item, 'max')) push(out, maximumRequest('PersistentVolumeClaim', name, enforced, requests))
  }
  return out
}

const push = (out: string[], message: string | undefined) => void (message && out.push(message))
const text = quantityString

function minimum(type: string, name: string, enforced: Quantity, requests: Amounts, limits: Amounts): string | undefined {
  const request = requests.get(name)
  const limit = limits.get(name)
  const [req, lim, min] = comparable(request, limit, enforced)
  if (!request) return `minimum ${name} usage per ${type} is ${text(enforced)}.  No request is specified`
  if (req < min) return `minimum ${name} usage per ${type} is ${text(enforced)}, but request is ${text(request)}`
  if (limit && lim < min) return `minimum ${name} usage per ${type} is ${text(enforced)}, but limit is ${text(limit)}`
  return undefined
}

function maximum(type: string, name: string, enforced: Quantity, requests: Amounts, limits: Amounts): string | undefined {
  const request = requests.get(name)
  const limit = limits.get(name)
  const [req, lim, max] = comparable(request, limit, enforced)
  if (!limit) return `maximum ${name} usage per ${type} is ${text(enforced)}.  No limit is specified`
  if (lim > max) return `maximum ${name} usage per ${type} is ${text(enforced)}, but limit is ${text(limit)}`
  if (request && req > max) return `maximum ${name} usage per ${type} is ${text(enforced)}, but request is ${text(request)}`
  return undefined
}

/** `maxRequestConstraint`: for kinds whose limits are not the user's (claims). */
function maximumRequest(type: string, name: string, enforced: Quantity, requests: Amounts): string | undefined {
  const request = requests.get(name)
  const [req, , max] = comparable(request, undefined, enforced)
  if (!request) return `maximum ${name} usage per ${type} is ${text(enforced)}.  No request is specified`
  if (req > max) return `maximum ${name} usage per ${type} is ${text(enforced)}, but request is ${text(request)}`
  return undefined
}

function ratio(type: string, name: string, enforced: Quantity, requests: Amounts, limits: Amounts): string | undefined {
  const request = requests.get(name)
  const limit = limits.get(name)
  const [req, lim] = comparable(request, limit, enforced)
  if (!request || req === 0n)
    return `${name} max limit to request ratio per ${type} is ${text(enforced)}, but no request is specified or request is 0`
  if (!limit || lim === 0n)
    return `${name} max limit to request ratio per ${type} is ${text(enforced)}, but no limit is specified or limit is 0`
  const observed = Number(lim) / Number(req)
  const enforcedValue = ceilDiv(enforced.nanos, UNIT)
  const exceeded = enforcedValue <= MAX_MILLI ? observed * 1000 > Number(ceilDiv(enforced.nanos, MILLI)) : observed > Number(enforcedValue)
  return exceeded
    ? `${name} max limit to request ratio per ${type} is ${text(enforced)}, but provided ratio is ${observed.toFixed(6)}`
    : undefined
}

const UNIT = 1_000_000_000n
const MILLI = 1_000_000n
const MAX_MILLI = ((1n << 63n) - 1n) / 1000n
const ceilDiv = (n: bigint, d: bigint) => (n >= 0n ? (n + d - 1n) / d : -((-n + d - 1n) / d))

/**
 * `requestLimitEnforcedValues`: the three at a common precision, milli-units when none overflows
 * them (as upstream, a missing request or limit counts as 0).
 */
function comparable(request: Quantity | undefined, limit: Quantity | undefined, enforced: Quantity): [bigint, bigint, bigint] {
  const all = [request?.nanos ?? 0n, limit?.nanos ?? 0n, enforced.nanos]
  const values = all.map((n) => ceilDiv(n, UNIT))
  const unit = values.every((v) => v <= MAX_MILLI) ? MILLI : UNIT
  return all.map((n) => ceilDiv(n, unit)) as [bigint, bigint, bigint]
}
