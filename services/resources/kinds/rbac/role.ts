import type { Role as RoleType } from 'kubernetes-types/rbac/v1.js'
import type { KindDefinition } from '../../kind.js'
import { validateRules } from './rules.js'
import { CREATED_AT, NAME } from '../../printing/columns.js'
import { READ, WRITE } from '../roles.js'

declare module '../../kind-types.js' {
  interface KindTypes {
    Role: RoleType
  }
}

export const role: KindDefinition = {
  kind: 'Role',
  group: 'rbac.authorization.k8s.io',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.rbac.v1.Role' },
  resource: 'roles',
  namespaced: true,
  nameRule: 'path-segment',
  validate: (o) => validateRules(o, false),
  printerColumns: [NAME, CREATED_AT],
  roles: [{ role: 'admin', verbs: [...READ, ...WRITE] }],
}
