import type { AdmissionPlugin } from './plugin.js'
import { CHARGED_ON_UPDATE, quotaCharges } from './quota-charges.js'
import { chargerOf, countedQuota } from './resource-quota-charger.js'

export { QUOTA_ADMISSION_ACTOR } from './resource-quota-charger.js'

/**
 * ResourceQuota (K `plugin/pkg/admission/resourcequota/controller.go`, `pkg/quota/v1/evaluator/core`):
 * a write that would take a namespace past one of its quotas is refused (403 `exceeded quota:
 * <quota>, requested: …, used: …, limited: …`), as is a Pod lacking a request or limit a quota
 * tracks (`failed quota: <quota>: must specify …`). What a write adds is counted by the quota
 * controller's own evaluators (services/quota/usage.ts) over the one object, less
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
    if (request.ctx.dryRun)
      return void quotaCharges(request, await Promise.all(quotas.map((q) => countedQuota(api, q, now))), api.registry, now)
    const charges = await chargerOf(api).charge(request)
    return async (stored) => {
      if (!stored && charges.length > 0) await chargerOf(api).refund(request, charges)
    }
  },
}
