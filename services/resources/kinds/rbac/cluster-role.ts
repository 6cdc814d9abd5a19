import type { KindDefinition } from '../../kind.js'
import { validateRules } from './rules.js'
import { CREATED_AT, NAME } from '../../printing/columns.js'

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
