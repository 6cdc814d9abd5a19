import type { Projection } from '../projections/projection.js'
import type { RequestContext } from '../services/api/context.js'
import type { ResourceApi } from '../services/api/resource-api.js'
import type { JsonObject } from '../services/resources/json.js'
import type { Store } from '../services/store/store.js'
import type { Security } from '../services/auth/security.js'
import type { UserInfo } from '../services/auth/user.js'
import type { Rejection } from '../services/audit/rejections.js'
import { badRequest } from './errors.js'

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
}

export interface ContextServices {
  api: ResourceApi
  store: Store
  projection: Projection
  security: Security
  /** Records a refused request for audit (services/audit); never throws. */
  reject(rejection: Rejection): void
}

export function createContext(services: ContextServices, request: RequestContext): GraphQLContext {
  let pinned: Promise<number> | undefined
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
    if (answer === undefined) answers.set(key, (answer = services.security.can(attributes(request.user, verb, kind, namespace, name, subresource))))
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
