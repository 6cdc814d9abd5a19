import type { JsonObject } from '../json.js'
import type { RoleGrant } from '../resources/kind.js'
import { viewable, viewAndEdit } from '../resources/kinds/roles.js'
import { registry, type KindRegistry } from '../resources/registry.js'
import type { PolicyRule } from './rbac.js'
import { MASTERS } from './user.js'

/**
 * Kubernetes' default user-facing ClusterRoles (plugin/pkg/auth/authorizer/rbac/bootstrappolicy),
 * with the aggregated rules of admin, edit and view written out from what each kind's definition
 * grants (`KindDefinition.roles`), and the binding of cluster-admin to system:masters. Created at
 * start when missing; users may edit them.
 */

type AggregatedRole = RoleGrant['role']

/** The roles a grant of `role` is in: view's grants are edit's and admin's too, edit's admin's. */
const INCLUDED_IN: Record<AggregatedRole, readonly AggregatedRole[]> = {
  view: ['view', 'edit', 'admin'],
  edit: ['edit', 'admin'],
  admin: ['admin'],
}

/**
 * What Kubernetes' bootstrap policy also grants on resources no kind here defines: virtual
 * resources (bindings, localsubjectaccessreviews) and kinds revkube does not serve yet. Once the
 * registry serves a kind, its definition's grants take the place of the entry here.
 */
const OTHER_GRANTS: ReadonlyArray<{ group: string; resource: string; grants: readonly RoleGrant[] }> = [
  { group: '', resource: 'bindings', grants: [viewable()] },
  { group: 'networking.k8s.io', resource: 'networkpolicies', grants: viewAndEdit() },
  { group: 'policy', resource: 'poddisruptionbudgets', grants: viewAndEdit({ read: ['status'] }) },
  { group: 'authorization.k8s.io', resource: 'localsubjectaccessreviews', grants: [{ role: 'admin', verbs: ['create'] }] },
]

/** The rules of an aggregated role: one per API group and set of verbs, listing the resources it covers. */
export function aggregatedRules(role: AggregatedRole, kinds: KindRegistry = registry): PolicyRule[] {
  const served = new Set(kinds.kinds.map((k) => `${k.group}/${k.resource}`))
  const sources = [
    ...kinds.kinds.map((k) => ({ group: k.group, resource: k.resource, grants: k.roles ?? [] })),
    ...OTHER_GRANTS.filter((o) => !served.has(`${o.group}/${o.resource}`)),
  ]
  const rules = new Map<string, PolicyRule & { resources: string[] }>()
  for (const { group, resource, grants } of sources) {
    for (const grant of grants) {
      if (!INCLUDED_IN[grant.role].includes(role)) continue
      const key = `${group}\u0000${grant.verbs.join(',')}`
      let rule = rules.get(key)
      if (!rule) rules.set(key, (rule = { apiGroups: [group], resources: [], verbs: [...grant.verbs] }))
      for (const sub of grant.subresources ?? ['']) {
        const name = sub === '' ? resource : `${resource}/${sub}`
        if (!rule.resources.includes(name)) rule.resources.push(name)
      }
    }
  }
  return [...rules.values()].map((rule) => ({ ...rule, resources: rule.resources.sort() }))
}

const AGGREGATE = 'rbac.authorization.k8s.io/aggregate-to-'

const meta = (name: string, labels: Record<string, string> = {}): JsonObject => ({
  name,
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
})

/**
 * A default ClusterRole. admin, edit and view also aggregate, as in Kubernetes: a ClusterRole
 * labelled `rbac.authorization.k8s.io/aggregate-to-edit: "true"` adds its rules to edit (and so to
 * admin); edit is labelled to aggregate into admin, view into edit.
 */
const clusterRole = (name: string, rules: PolicyRule[], options: { aggregateFrom?: string; aggregateTo?: string } = {}): JsonObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: meta(name, options.aggregateTo ? { [`${AGGREGATE}${options.aggregateTo}`]: 'true' } : {}),
  ...(options.aggregateFrom && {
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`${AGGREGATE}${options.aggregateFrom}`]: 'true' } }] },
  }),
  rules: rules.map((r) => ({ ...r })) as unknown as JsonObject[],
})

export const defaultClusterRoles: JsonObject[] = [
  clusterRole('cluster-admin', [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ]),
  clusterRole('admin', aggregatedRules('admin'), { aggregateFrom: 'admin' }),
  clusterRole('edit', aggregatedRules('edit'), { aggregateFrom: 'edit', aggregateTo: 'admin' }),
  clusterRole('view', aggregatedRules('view'), { aggregateFrom: 'view', aggregateTo: 'edit' }),
]

export const defaultClusterRoleBindings: JsonObject[] = [
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: meta('cluster-admin'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: MASTERS }],
  },
]
