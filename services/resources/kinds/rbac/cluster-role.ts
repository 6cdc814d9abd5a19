import type { ClusterRole as ClusterRoleType } from 'kubernetes-types/rbac/v1.js'
import type { KindDefinition } from '../../kind.js'
import { validateRules } from './rules.js'
import { CREATED_AT, NAME } from '../../printing/columns.js'

declare module '../../kind-types.js' {
  interface KindTypes {
    ClusterRole: ClusterRoleType
  }
}

export const clusterRole: KindDefinition = {
  kind: 'ClusterRole',
  group: 'rbac.authorization.k8s.io',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.rbac.v1.ClusterRole' },
  resource: 'clusterroles',
  namespaced: false,
  nameRule: 'path-segment',
  validate: (o) => validateRules(o, true),
  printerColumns: [NAME, CREATED_AT],
}
