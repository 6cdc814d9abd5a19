import type { KindDefinition } from '../../kind.js'
import { validateRules } from './rules.js'

export const role: KindDefinition = {
  kind: 'Role',
  group: 'rbac.authorization.k8s.io',
  versions: ['v1'],
  resource: 'roles',
  namespaced: true,
  nameRule: 'path-segment',
  validate: (o) => validateRules(o, false),
}
