import type { RoleBinding as RoleBindingType } from 'kubernetes-types/rbac/v1.js'
import type { KindDefinition } from '../../kind.js'
import { defaultBinding, immutableRoleRef, validateBinding } from './rules.js'
import { NAME } from '../../printing/columns.js'
import { bindingColumns } from './binding-columns.js'
import { READ, WRITE } from '../roles.js'

declare module '../../kind-types.js' {
  interface KindTypes {
    RoleBinding: RoleBindingType
  }
}

export const roleBinding: KindDefinition = {
  kind: 'RoleBinding',
  group: 'rbac.authorization.k8s.io',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.rbac.v1.RoleBinding' },
  resource: 'rolebindings',
  namespaced: true,
  nameRule: 'path-segment',
  defaults: defaultBinding,
  validate: (o) => validateBinding(o, true),
  validateUpdate: immutableRoleRef,
  printerColumns: [NAME, ...bindingColumns],
  roles: [{ role: 'admin', verbs: [...READ, ...WRITE] }],
}
