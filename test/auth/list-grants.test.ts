import { describe, expect, it } from 'vitest'
import { emptyState } from '../../projections/cluster-state.js'
import { load } from '../../projections/evolve.js'
import { listGrants } from '../../services/auth/rbac.js'
import type { JsonObject } from '../../services/json.js'

/**
 * Where RBAC lets a user list a kind without naming an object — what the time-travel reads filter
 * the log by: ClusterRoleBindings grant it everywhere, a RoleBinding only in its namespace, and a
 * rule with resourceNames never, whatever its verbs.
 */
const secrets = { apiGroup: '', resource: 'secrets', namespaced: true }
const configMaps = { apiGroup: '', resource: 'configmaps', namespaced: true }
const nodes = { apiGroup: '', resource: 'nodes', namespaced: false }
const resources = [secrets, configMaps, nodes]
const alice = { name: 'alice', groups: ['system:authenticated'] }

function stateWith(...objects: JsonObject[]) {
  const state = emptyState()
  for (const o of objects) {
    const metadata = o.metadata as { name: string; namespace?: string }
    load(state, String(o.kind), metadata.namespace ?? '', metadata.name, o)
  }
  return state
}

const rbac = 'rbac.authorization.k8s.io'
const role = (kind: 'Role' | 'ClusterRole', name: string, rules: JsonObject[], namespace?: string): JsonObject => ({
  apiVersion: `${rbac}/v1`,
  kind,
  metadata: { name, ...(namespace && { namespace }) },
  rules,
})
const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', roleKind: string, roleName: string, namespace?: string): JsonObject => ({
  apiVersion: `${rbac}/v1`,
  kind,
  metadata: { name: `${roleName}-alice`, ...(namespace && { namespace }) },
  roleRef: { apiGroup: rbac, kind: roleKind, name: roleName },
  subjects: [{ kind: 'User', name: 'alice' }],
})

describe('listGrants', () => {
  it("grants a ClusterRoleBinding's kinds everywhere, cluster-scoped ones included", () => {
    const state = stateWith(
      role('ClusterRole', 'reader', [{ apiGroups: [''], resources: ['configmaps', 'nodes'], verbs: ['list'] }]),
      binding('ClusterRoleBinding', 'ClusterRole', 'reader'),
    )
    expect(listGrants(state, alice, 'list', resources)).toEqual({ everywhere: [configMaps, nodes], namespaces: new Map() })
  })

  it("grants a RoleBinding's kinds in its namespace only, never a cluster-scoped kind", () => {
    const state = stateWith(
      role('ClusterRole', 'everything', [{ apiGroups: ['*'], resources: ['*'], verbs: ['list'] }]),
      binding('RoleBinding', 'ClusterRole', 'everything', 'a'),
      role('Role', 'secrets', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }], 'b'),
      binding('RoleBinding', 'Role', 'secrets', 'b'),
    )
    expect(listGrants(state, alice, 'list', resources)).toEqual({
      everywhere: [],
      namespaces: new Map([
        ['a', [secrets, configMaps]],
        ['b', [secrets]],
      ]),
    })
  })

  it('never counts a rule with resourceNames, nor get, nor another verb', () => {
    const state = stateWith(
      role('Role', 'named', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'], resourceNames: ['db'] }], 'a'),
      binding('RoleBinding', 'Role', 'named', 'a'),
      role('ClusterRole', 'getter', [{ apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get', 'watch'] }]),
      binding('ClusterRoleBinding', 'ClusterRole', 'getter'),
    )
    expect(listGrants(state, alice, 'list', resources)).toEqual({ everywhere: [], namespaces: new Map() })
    expect(listGrants(state, alice, 'watch', resources)).toEqual({ everywhere: [secrets, configMaps], namespaces: new Map() })
  })

  it('grants everything to system:masters and nothing to a user no binding names', () => {
    const state = stateWith(
      role('ClusterRole', 'reader', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
      binding('ClusterRoleBinding', 'ClusterRole', 'reader'),
    )
    expect(listGrants(state, { name: 'root', groups: ['system:masters'] }, 'list', resources).everywhere).toEqual(resources)
    expect(listGrants(state, { name: 'bob', groups: ['system:authenticated'] }, 'list', resources)).toEqual({
      everywhere: [],
      namespaces: new Map(),
    })
  })
})
