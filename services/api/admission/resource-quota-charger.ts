import { isStatusError, StatusError } from '../../errors.js'
import { objectAt, type JsonObject } from '../../json.js'
import { quantityString } from '../../resources/validation/quantity.js'
import { kindsCounted, usageOf } from '../../quota/usage.js'
import type { RequestContext } from '../context.js'
import { metadataOf } from '../object-meta.js'
import type { ResourceApi } from '../resource-api.js'
import type { AdmissionRequest } from './plugin.js'
import { parse, quotaCharges, type CountedQuota, type QuotaCharge } from './quota-charges.js'

/** The actor of the status writes that charge and refund quotas. */
export const QUOTA_ADMISSION_ACTOR = 'system:admission:resourcequota'

/** Rounds of re-reading quotas that others wrote first before a batch gives up. */
const MAX_ROUNDS = 20

/** A request to charge (or a refund of what an earlier one was charged) waiting for its namespace's next batch. */
interface Waiter {
  request: AdmissionRequest
  /** Present for a refund: what to give back. */
  refund?: QuotaCharge[]
  /** The charges written for it so far, per quota uid. */
  charged: Map<string, QuotaCharge>
  error?: unknown
  done(error?: unknown): void
}

/**
 * Charges quotas as upstream's quota evaluator does (K `plugin/pkg/admission/resourcequota/controller.go`
 * `checkQuotas`): requests for one namespace wait while a batch is being charged, then go together,
 * judged in turn against the quotas as the earlier ones of the batch leave them, so that many
 * concurrent creates cost one status write per quota, not a race per create. Each write is
 * conditional on the quota's resourceVersion; the quotas someone else changed first are re-read
 * and the batch judged again on them alone. Refunds go through the same queue.
 */
export class QuotaCharger {
  private readonly queues = new Map<string, Waiter[]>()

  constructor(private readonly api: ResourceApi) {}

  /** Judges and charges one admitted write; what it was charged, or Forbidden. */
  async charge(request: AdmissionRequest): Promise<QuotaCharge[]> {
    const waiter = await this.enqueue(request)
    return [...waiter.charged.values()]
  }

  /** Gives back what a write that was not stored had been charged. */
  async refund(request: AdmissionRequest, charges: QuotaCharge[]): Promise<void> {
    // Best effort: the quota controller's recount corrects what a failed refund leaves.
    await this.enqueue(request, charges).catch(() => undefined)
  }

  private enqueue(request: AdmissionRequest, refund?: QuotaCharge[]): Promise<Waiter> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        request,
        ...(refund && { refund }),
        charged: new Map(),
        done: (error) => (error === undefined ? resolve(waiter) : reject(error)),
      }
      const queue = this.queues.get(request.namespace)
      if (queue) return void queue.push(waiter)
      this.queues.set(request.namespace, [waiter])
      void this.work(request.namespace)
    })
  }

  private async work(namespace: string): Promise<void> {
    const queue = this.queues.get(namespace)!
    while (queue.length > 0) {
      const batch = queue.splice(0)
      try {
        await this.chargeBatch(namespace, batch)
      } catch (error) {
        for (const w of batch) w.error ??= error
      }
      for (const w of batch) {
        if (w.error !== undefined && !w.refund && w.charged.size > 0)
          queue.push({ request: w.request, refund: [...w.charged.values()], charged: new Map(), done: () => {} })
        w.done(w.error)
      }
    }
    this.queues.delete(namespace)
  }

  private async chargeBatch(namespace: string, batch: Waiter[]): Promise<void> {
    const { api } = this
    let pending: Set<string> | undefined
    for (let round = 1; ; round++) {
      const quotas = (await api.store.list({ kind: 'ResourceQuota', namespace })).items.filter((q) => !pending || pending.has(uid(q)))
      const now = api.env.now()
      const working = await Promise.all(quotas.map((q) => countedQuota(api, q, now)))
      const changes = new Map<string, Waiter[]>()
      for (const waiter of batch) {
        if (waiter.error !== undefined) continue
        try {
          for (const charge of waiter.refund ? refunds(waiter.refund, working) : quotaCharges(waiter.request, working, api.registry, now)) {
            const entry = working.find((w) => uid(w.quota) === uid(charge.quota))!
            entry.used = charge.used
            changes.set(uid(charge.quota), [...(changes.get(uid(charge.quota)) ?? []), waiter])
            if (!waiter.refund) waiter.charged.set(uid(charge.quota), charge)
          }
        } catch (error) {
          waiter.error = error
        }
      }
      const lost = new Set<string>()
      await Promise.all(
        working.map(async ({ quota, used }) => {
          const waiters = (changes.get(uid(quota)) ?? []).filter((w) => w.error === undefined)
          if (waiters.length === 0) return
          try {
            await writeUsed(api, waiters, quota, used)
          } catch (error) {
            if (!isStatusError(error, 'Conflict') && !isStatusError(error, 'NotFound')) throw error
            lost.add(uid(quota))
            for (const w of waiters) w.charged.delete(uid(quota))
          }
        }),
      )
      if (lost.size === 0) return
      if (round === MAX_ROUNDS)
        throw new StatusError(
          'Conflict',
          `Operation cannot be fulfilled on resourcequotas in namespace ${namespace}: too many concurrent writes; try again`,
        )
      pending = lost
    }
  }
}

const chargers = new WeakMap<ResourceApi, QuotaCharger>()

/** The charger of an API instance (its queues are per process, as upstream's are per apiserver). */
export function chargerOf(api: ResourceApi): QuotaCharger {
  let charger = chargers.get(api)
  if (!charger) chargers.set(api, (charger = new QuotaCharger(api)))
  return charger
}

const uid = (quota: JsonObject) => String(metadataOf(quota).uid)

/** A refund as charges against the quotas that still exist (the same uid): `used` less what was charged, never below 0. */
function refunds(charged: QuotaCharge[], quotas: CountedQuota[]): QuotaCharge[] {
  return charged.flatMap((charge) => {
    const quota = quotas.find((q) => uid(q.quota) === uid(charge.quota))
    if (!quota) return []
    const used = { ...quota.used }
    for (const [resource, amount] of Object.entries(charge.requested)) {
      const left = parse(used[resource]).nanos - amount.nanos
      used[resource] = quantityString({ nanos: left > 0n ? left : 0n, format: parse(used[resource]).format })
    }
    return [{ ...charge, quota: quota.quota, used }]
  })
}

/** The quota with its usage: `status.used`, and for resources the controller has not counted yet, a count from the store. */
export async function countedQuota(api: ResourceApi, quota: JsonObject, now: Date): Promise<CountedQuota> {
  const used = (objectAt(objectAt(quota, 'status'), 'used') ?? {}) as Record<string, string>
  const hard = objectAt(objectAt(quota, 'spec'), 'hard') ?? {}
  const uncounted = Object.keys(hard).filter((r) => used[r] === undefined)
  if (uncounted.length === 0) return { quota, used }
  const namespace = String(metadataOf(quota).namespace)
  const kinds = kindsCounted(uncounted, api.registry)
  const lists = new Map(await Promise.all(kinds.map(async (kind) => [kind, (await api.store.list({ kind, namespace })).items] as const)))
  return { quota, used: { ...usageOf((kind) => lists.get(kind) ?? [], api.registry, quota, now), ...used } }
}

/** The status write of a batch, conditional on the quota's resourceVersion, naming the requests it is for. */
function writeUsed(api: ResourceApi, waiters: Waiter[], quota: JsonObject, used: Record<string, string>) {
  const describe = ({ refund, request }: Waiter) =>
    `${refund ? 'refund' : 'charge'} for ${request.operation.toLowerCase()} of ${request.definition.resource} "${request.name}"`
  const reason = waiters.slice(0, 3).map(describe).join(', ') + (waiters.length > 3 ? ` and ${waiters.length - 3} more` : '')
  const only = waiters.length === 1 ? waiters[0]!.request.ctx : undefined
  const correlationId = only?.correlationId ?? only?.requestId
  const ctx: RequestContext = { actor: QUOTA_ADMISSION_ACTOR, ...(correlationId && { correlationId }), reason }
  return api.updateStatus(ctx, { ...quota, status: { ...objectAt(quota, 'status'), used } })
}
