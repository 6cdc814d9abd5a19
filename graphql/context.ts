import type { Projection } from '../projections/projection.js'
import type { RequestContext } from '../services/api/context.js'
import type { ResourceApi } from '../services/api/resource-api.js'
import type { JsonObject } from '../services/json.js'
import type { Store } from '../services/store/store.js'
import type { Security } from '../services/auth/security.js'
import type { UserInfo } from '../services/auth/user.js'
import type { Rejection, RejectionLog } from '../services/audit/rejections.js'
import { defaultLimits, type Limits } from '../services/limits.js'
import { badRequest } from './errors.js'
import type { Credentials, SubscriptionScope } from './subscription-terms.js'

/** `input At { revision, time }` as it arrives. */
export interface AtInput {
  revision?: number | null
  time?: Date | null
}

/** An object as resolvers pass it around: the object and the revision it was read at. */
export interface ObjectRef {
  object: JsonObject
  at: number
}

/** What every resolver of one GraphQL operation shares. */
export interface GraphQLContext {
  api: ResourceApi
  store: Store
  projection: Projection
  security: Security
  reject(rejection: Rejection): void
  /** The refused requests kept for audit. */
  rejections: Pick<RejectionLog, 'list'>
  /** Who is asking: recorded in the events mutations cause. */
  request: RequestContext
  /** The revision reads without `at` use: the head when the operation first needed one, then fixed. */
  head(): Promise<number>
  /** Resolves an `At` (exactly one of revision and time) to a revision; the operation's head without one. */
  revisionOf(at: AtInput | null | undefined): Promise<number>
  /** Every object of a kind (in a namespace) at a revision, read once per operation. */
  all(kind: string, namespace: string | undefined, at: number): Promise<JsonObject[]>
  /** May the caller `verb` objects of `kind` (in `namespace`; named `name`)? Always, with --auth=none. */
  can(verb: string, kind: string, namespace?: string | null, name?: string, subresource?: string): boolean
  /** Forbidden, with Kubernetes' message, unless `can`. */
  authorize(verb: string, kind: string, namespace?: string | null, name?: string, subresource?: string): void
  /**
   * Runs one read of the log or of object history against the operation's budget of rows
   * (limits.scanRows, shared by every field of the operation). `read` is told how many rows to ask
   * for: `rows`, or fewer while little of the budget is left or reserved by reads under way (one more
   * than what is left, so that going past it shows); a read that gets all it asked for must go on
   * from its last row. Once the rows read add up to more than the budget: BadRequest, saying to
   * narrow the range.
   */
  scan<T>(rows: number, read: (limit: number) => Promise<T[]>): Promise<T[]>
  /** The credentials the operation came with (set by the server): a subscription's are checked again while it lasts. */
  credentials?: Credentials
  /** Set by a subscription's resolver: the permission it keeps needing, and how far it has delivered. */
  subscription?: SubscriptionScope
}

export interface ContextServices {
  api: ResourceApi
  store: Store
  projection: Projection
  security: Security
  /** Records a refused request for audit (services/audit); never throws. */
  reject(rejection: Rejection): void
  /** The refused requests kept for audit: what the `audit` query lists. */
  rejections: Pick<RejectionLog, 'list'>
}

/**
 * The context of one operation. `limits.scanRows` is the operation's budget of rows read from the
 * log and object history. @default defaultLimits
 */
export function createContext(
  services: ContextServices,
  request: RequestContext,
  limits: Pick<Limits, 'scanRows'> = defaultLimits,
): GraphQLContext {
  let pinned: Promise<number> | undefined
  let scanned = 0
  let reserved = 0
  const lists = new Map<string, Promise<JsonObject[]>>()
  const head = () => (pinned ??= services.store.head().then((h) => h.revision))
  const attributes = (user: UserInfo, verb: string, kind: string, namespace?: string | null, name?: string, subresource?: string) => {
    const definition = services.api.registry.resolve(kind)
    return {
      user,
      verb,
      apiGroup: definition.group,
      resource: definition.resource,
      ...(subresource && { subresource }),
      ...(definition.namespaced && namespace && { namespace }),
      ...(name && { name }),
    }
  }
  // One operation asks the same question many times (each event of a log page): answer it once per
  // state of the RBAC objects (a long subscription sees permission changes as they happen).
  const answers = new Map<string, boolean>()
  let answeredAt = -1
  const can: GraphQLContext['can'] = (verb, kind, namespace, name, subresource) => {
    if (!request.user) return true
    if (services.projection.revision !== answeredAt) {
      answers.clear()
      answeredAt = services.projection.revision
    }
    const key = `${verb}\u0000${kind}\u0000${namespace ?? ''}\u0000${name ?? ''}\u0000${subresource ?? ''}`
    let answer = answers.get(key)
    if (answer === undefined)
      answers.set(key, (answer = services.security.can(attributes(request.user, verb, kind, namespace, name, subresource))))
    return answer
  }
  return {
    ...services,
    request,
    head,
    can,
    authorize: (verb, kind, namespace, name, subresource) => {
      if (request.user) services.security.authorize(attributes(request.user, verb, kind, namespace, name, subresource))
    },
    scan: async (rows, read) => {
      const limit = Math.min(rows, Math.max(0, limits.scanRows - scanned - reserved) + 1)
      reserved += limit
      let got
      try {
        got = await read(limit)
      } finally {
        reserved -= limit
      }
      scanned += got.length
      if (scanned > limits.scanRows) {
        throw badRequest(
          `this operation reads more than ${limits.scanRows} rows of the log (REVKUBE_MAX_SCAN_ROWS): narrow the range (from, to), name a kind, a namespace or an object, or read fewer fields at once`,
        )
      }
      return got
    },
    revisionOf: async (at) => {
      if (!at) return head()
      const hasRevision = at.revision !== undefined && at.revision !== null
      const hasTime = at.time !== undefined && at.time !== null
      if (hasRevision === hasTime) throw badRequest('At needs exactly one of revision and time')
      if (hasRevision) {
        const current = await head()
        if (at.revision! > current) throw badRequest(`revision ${at.revision} is newer than the head of the log (${current})`)
        return at.revision!
      }
      return services.store.revisionAt(at.time!)
    },
    all: (kind, namespace, at) => {
      if (request.user) services.security.authorize(attributes(request.user, 'list', kind, namespace))
      const key = `${kind}\u0000${namespace ?? ''}\u0000${at}`
      let list = lists.get(key)
      if (!list) {
        list = (async () => {
          const items: JsonObject[] = []
          let page = await services.api.list(kind, { ...(namespace && { namespace }), at, limit: 5000 })
          items.push(...page.items)
          while (page.continue) {
            page = await services.api.list(kind, { limit: 5000, continue: page.continue })
            items.push(...page.items)
          }
          return items
        })()
        lists.set(key, list)
      }
      return list
    },
  }
}
