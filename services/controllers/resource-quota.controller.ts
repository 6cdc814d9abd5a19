import type { ResourceQuota } from 'kubernetes-types/core/v1.js'
import { getObject, listObjects } from '../../projections/cluster-state.js'
import { QUOTA_ADMISSION_ACTOR } from '../api/admission/resource-quota.js'
import { deepEqual } from '../json.js'
import { registry as builtin, type KindRegistry } from '../resources/registry.js'
import { parseQuantity, quantityString } from '../resources/validation/quantity.js'
import { asJson, keyOfObject } from '../runtime/objects.js'
import { quotaUsage } from '../quota/usage.js'
import { keyOf, nothing, splitKey, type Controller } from '../runtime/controller.js'

/**
 * The resource quota controller (K `pkg/controller/resourcequota/resource_quota_controller.go`):
 * keeps each ResourceQuota's status current, `hard` copied from spec.hard and `used` recounted
 * for exactly those resources (services/quota/usage.ts), whenever something in its namespace changes and
 * at every resync (upstream's full recalculation, 5 minutes). Writes only when the status differs.
 * Between recounts, ResourceQuota admission raises `used` as it admits (services/api/admission/resource-quota.ts).
 */
export function createResourceQuotaController(registry: KindRegistry = builtin): Controller {
  return {
    name: 'resourcequota',
    keysFor: (change, state) => {
      const { event } = change
      // Admission's charge comes just before the object it is for: a recount now would miss that object.
      if (event.kind === 'ResourceQuota' && event.type === 'StatusUpdated' && event.meta.actor === QUOTA_ADMISSION_ACTOR) return []
      if (event.kind === 'ResourceQuota') return [keyOf(event.namespace, event.name)]
      if (!event.namespace || event.kind === 'Event') return []
      return listObjects(state, 'ResourceQuota', event.namespace).map(keyOfObject)
    },
    allKeys: (state) => listObjects(state, 'ResourceQuota').map(keyOfObject),
    reconcile: (key, state, now) => {
      const { namespace, name } = splitKey(key)
      const quota = getObject(state, 'ResourceQuota', namespace, name)
      if (!quota || quota.metadata?.deletionTimestamp !== undefined) return nothing
      const hard = canonical(quota.spec?.hard ?? {})
      const used = quotaUsage(state, registry, quota, now)
      const current = quota.status ?? {}
      if (deepEqual(canonical(current.hard ?? {}), hard) && deepEqual(current.used ?? {}, used)) return nothing
      const next: ResourceQuota = { ...quota, status: { ...current, hard, used } }
      return { actions: [{ type: 'updateStatus', object: asJson(next) }] }
    },
  }
}

/** Quantities in their canonical form, as the API serialises them. */
function canonical(list: Record<string, string | number>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(list)) {
    const q = parseQuantity(String(value))
    out[name] = q ? quantityString(q) : String(value)
  }
  return out
}
