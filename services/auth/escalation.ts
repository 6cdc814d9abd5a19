import type { ClusterState } from '../../projections/cluster-state.js'
import type { JsonObject } from '../json.js'
import { allowed, effectiveRules, rulesFor, type Attributes, type PolicyRule } from './rbac.js'
import { MASTERS, type UserInfo } from './user.js'

/**
 * Kubernetes' escalation prevention (pkg/registry/rbac): a Role or ClusterRole may be written only by
 * someone who holds every permission in it (or may `escalate` it); a binding only by someone who
 * holds every permission of the role it binds, where it binds it (or may `bind` that role).
 * Returns what is missing, as Kubernetes lists it; empty when the write may go ahead.
 */
export function escalation(state: ClusterState, user: UserInfo, object: JsonObject): string[] {
  if (user.groups.includes(MASTERS)) return []
  const metadata = (object.metadata ?? {}) as JsonObject
  const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined
  const can = (a: Omit<Attributes, 'user'>) => allowed(state, { ...a, user })
  switch (object.kind) {
    case 'Role':
    case 'ClusterRole': {
      const resource = object.kind === 'Role' ? 'roles' : 'clusterroles'
      if (
        can({
          verb: 'escalate',
          apiGroup: 'rbac.authorization.k8s.io',
          resource,
          ...(namespace && { namespace }),
          name: String(metadata.name),
        })
      )
        return []
      return missing(state, user, effectiveRules(state, object), namespace)
    }
    case 'RoleBinding':
    case 'ClusterRoleBinding': {
      const ref = (object.roleRef ?? {}) as JsonObject
      const refResource = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles'
      if (
        can({
          verb: 'bind',
          apiGroup: 'rbac.authorization.k8s.io',
          resource: refResource,
          ...(namespace && refResource === 'roles' && { namespace }),
          name: String(ref.name),
        })
      )
        return []
      const role =
        ref.kind === 'ClusterRole'
          ? state.objects.get('ClusterRole')?.get('')?.get(String(ref.name))
          : state.objects
              .get('Role')
              ?.get(namespace ?? '')
              ?.get(String(ref.name))
      if (!role) return [`the ${String(ref.kind)} "${String(ref.name)}" it binds does not exist`]
      return missing(state, user, effectiveRules(state, role), namespace)
    }
    default:
      return []
  }
}

/** The rules (each verb × group × resource × name) the user does not hold in the namespace. */
function missing(state: ClusterState, user: UserInfo, rules: PolicyRule[], namespace: string | undefined): string[] {
  const out: string[] = []
  const held = rulesFor(state, user, namespace)
  for (const rule of rules) {
    if (rule.nonResourceURLs?.length) {
      for (const url of rule.nonResourceURLs) {
        for (const verb of rule.verbs) {
          const covered = held.some(
            (h) => (h.verbs.includes('*') || h.verbs.includes(verb)) && (h.nonResourceURLs ?? []).some((u) => u === '*' || u === url),
          )
          if (!covered) out.push(`{NonResourceURLs:["${url}"], Verbs:["${verb}"]}`)
        }
      }
      continue
    }
    const names = rule.resourceNames?.length ? rule.resourceNames : [undefined]
    for (const apiGroup of rule.apiGroups ?? []) {
      for (const combined of rule.resources ?? []) {
        const [resource, subresource] = combined.split('/') as [string, string | undefined]
        for (const verb of rule.verbs) {
          for (const name of names) {
            const a = {
              user,
              verb,
              apiGroup,
              resource,
              ...(subresource && { subresource }),
              ...(namespace && { namespace }),
              ...(name && { name }),
            }
            if (!allowed(state, a))
              out.push(
                `{APIGroups:["${apiGroup}"], Resources:["${combined}"],${name ? ` ResourceNames:["${name}"],` : ''} Verbs:["${verb}"]}`,
              )
          }
        }
      }
    }
  }
  return out
}
