import type { ClusterView } from '../../projections/cluster-state.js'
import { labelSelectorFromObject } from '../resources/label-selector-object.js'
import { matchesLabels } from '../resources/label-selector.js'
import type { JsonObject } from '../json.js'
import { MASTERS, type UserInfo } from './user.js'

/** What a request does, as Kubernetes' authorizer.Attributes: verb, API group, resource[/subresource], namespace, name. */
export interface Attributes {
  user: UserInfo
  verb: string
  apiGroup: string
  resource: string
  subresource?: string
  /** '' or absent: the cluster scope. */
  namespace?: string
  name?: string
}

export interface PolicyRule {
  verbs: string[]
  apiGroups?: string[]
  resources?: string[]
  resourceNames?: string[]
  nonResourceURLs?: string[]
}

const arr = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])

export function rulesOf(role: JsonObject | undefined): PolicyRule[] {
  if (!role || !Array.isArray(role.rules)) return []
  return role.rules.map((r) => {
    const rule = (r ?? {}) as JsonObject
    return {
      verbs: arr(rule.verbs),
      apiGroups: arr(rule.apiGroups),
      resources: arr(rule.resources),
      resourceNames: arr(rule.resourceNames),
      nonResourceURLs: arr(rule.nonResourceURLs),
    }
  })
}

/** Kubernetes' RuleAllows (plugin/pkg/auth/authorizer/rbac): verb, group, resource[/sub] and resourceNames. */
export function ruleAllows(rule: PolicyRule, a: Omit<Attributes, 'user'>): boolean {
  if (!rule.verbs.includes('*') && !rule.verbs.includes(a.verb)) return false
  const groups = rule.apiGroups ?? []
  if (!groups.includes('*') && !groups.includes(a.apiGroup)) return false
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource
  const resources = rule.resources ?? []
  const resourceOk = resources.some((r) => r === '*' || r === combined || (a.subresource !== undefined && r === `*/${a.subresource}`))
  if (!resourceOk) return false
  const names = rule.resourceNames ?? []
  return names.length === 0 || (a.name !== undefined && a.name !== '' && names.includes(a.name))
}

/** The subjects of a binding that name this user (User, Group, or its ServiceAccount). */
function bindsUser(binding: JsonObject, user: UserInfo): boolean {
  const subjects = Array.isArray(binding.subjects) ? binding.subjects : []
  return subjects.some((s) => {
    const subject = (s ?? {}) as JsonObject
    switch (subject.kind) {
      case 'User':
        return subject.name === user.name
      case 'Group':
        return user.groups.includes(String(subject.name))
      case 'ServiceAccount':
        return (
          user.name ===
          `system:serviceaccount:${String(subject.namespace ?? (binding.metadata as JsonObject | undefined)?.namespace ?? '')}:${String(subject.name)}`
        )
      default:
        return false
    }
  })
}

/**
 * A role's rules. A ClusterRole with an `aggregationRule` also has the rules of every ClusterRole
 * its `clusterRoleSelectors` match (Kubernetes' aggregation: how `admin` gathers `edit`, `edit`
 * gathers `view`, and custom roles labelled `rbac.authorization.k8s.io/aggregate-to-edit` join them),
 * evaluated when asked rather than written back by a controller.
 */
export function effectiveRules(state: ClusterView, role: JsonObject | undefined, seen = new Set<JsonObject>()): PolicyRule[] {
  if (!role || seen.has(role)) return []
  seen.add(role)
  const rules = rulesOf(role)
  const aggregation = role.kind === 'ClusterRole' ? (role.aggregationRule as JsonObject | undefined) : undefined
  const selectors = Array.isArray(aggregation?.clusterRoleSelectors) ? aggregation.clusterRoleSelectors : []
  if (selectors.length === 0) return rules
  const parsed = selectors.flatMap((s) => labelSelectorFromObject(s).selector ?? [])
  for (const other of state.objects.get('ClusterRole')?.get('')?.values() ?? []) {
    if (other === role) continue
    const labels = ((other.metadata as JsonObject | undefined)?.labels ?? {}) as Record<string, string>
    if (parsed.some((selector) => matchesLabels(selector, labels))) rules.push(...effectiveRules(state, other, seen))
  }
  return rules
}

function roleOf(state: ClusterView, binding: JsonObject): JsonObject | undefined {
  const ref = (binding.roleRef ?? {}) as JsonObject
  const namespace = String((binding.metadata as JsonObject | undefined)?.namespace ?? '')
  const byNamespace = ref.kind === 'ClusterRole' ? state.objects.get('ClusterRole')?.get('') : state.objects.get('Role')?.get(namespace)
  return byNamespace?.get(String(ref.name))
}

/**
 * Every rule that applies to the user in a namespace: ClusterRoleBindings everywhere, RoleBindings
 * of that namespace only (a RoleBinding may reference a ClusterRole; it still grants only there).
 */
export function rulesFor(state: ClusterView, user: UserInfo, namespace: string | undefined): PolicyRule[] {
  const rules: PolicyRule[] = []
  const bindings = [
    ...(state.objects.get('ClusterRoleBinding')?.get('')?.values() ?? []),
    ...((namespace && state.objects.get('RoleBinding')?.get(namespace)?.values()) || []),
  ]
  for (const binding of bindings) if (bindsUser(binding, user)) rules.push(...effectiveRules(state, roleOf(state, binding)))
  return rules
}

/** RBAC over the live state: purely additive allow rules; system:masters may do anything. */
export function allowed(state: ClusterView, a: Attributes): boolean {
  if (a.user.groups.includes(MASTERS)) return true
  // A request for a Namespace object is, to RBAC, in that namespace (as apiserver's RequestInfo sets it).
  const namespace = a.resource === 'namespaces' && a.apiGroup === '' && a.name ? a.name : a.namespace
  return rulesFor(state, a.user, namespace).some((rule) => ruleAllows(rule, a))
}

/** A resource as RBAC names it, and whether its objects live in namespaces. */
export interface RbacResource {
  apiGroup: string
  resource: string
  namespaced: boolean
}

/** Where a user may `list` (or `watch`) resources: everywhere, or in some namespaces only. */
export interface ListGrants<R extends RbacResource> {
  /** Granted by ClusterRoleBindings: in every namespace, and (cluster-scoped resources) at all. */
  everywhere: R[]
  /** Per namespace, the namespaced resources a RoleBinding there adds to `everywhere`. */
  namespaces: Map<string, R[]>
}

/**
 * Where RBAC lets the user `verb` (list, watch) each resource without naming an object. Outside
 * ClusterRoleBindings, only a namespace with a RoleBinding naming the user can grant anything, so
 * only those are asked. A rule with resourceNames never counts: it allows a request that names one
 * of its objects (RuleAllows), so `get` on some names never becomes a listing of the kind.
 */
export function listGrants<R extends RbacResource>(
  state: ClusterView,
  user: UserInfo,
  verb: string,
  resources: readonly R[],
): ListGrants<R> {
  const allows = (rules: PolicyRule[], r: R) => rules.some((rule) => ruleAllows(rule, { verb, apiGroup: r.apiGroup, resource: r.resource }))
  if (user.groups.includes(MASTERS)) return { everywhere: [...resources], namespaces: new Map() }
  const clusterRules = rulesFor(state, user, undefined)
  const everywhere = resources.filter((r) => allows(clusterRules, r))
  const rest = resources.filter((r) => r.namespaced && !everywhere.includes(r))
  const namespaces = new Map<string, R[]>()
  for (const [namespace, bindings] of state.objects.get('RoleBinding') ?? []) {
    const rules = [...bindings.values()].filter((b) => bindsUser(b, user)).flatMap((b) => effectiveRules(state, roleOf(state, b)))
    const granted = rest.filter((r) => allows(rules, r))
    if (granted.length > 0) namespaces.set(namespace, granted)
  }
  return { everywhere, namespaces }
}

/** Kubernetes' forbidden message: `pods "x" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "prod"`. */
export function forbiddenMessage(a: Attributes): string {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource
  const subject = a.name ? `${qualified} "${a.name}" is forbidden` : `${qualified} is forbidden`
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope'
  return `${subject}: User "${a.user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}`
}
