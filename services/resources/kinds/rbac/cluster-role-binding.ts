import type { ClusterRoleBinding as ClusterRoleBindingType } from 'kubernetes-types/rbac/v1.js'
import type { KindDefinition } from '../../kind.js'
import { defaultBinding, immutableRoleRef, validateBinding } from './rules.js'
import { NAME } from '../../printing/columns.js'
import { bindingColumns } from './binding-columns.js'

declare module '../../kind-types.js' {
  interface KindTypes {
    ClusterRoleBinding: ClusterRoleBindingType
  }
}

export const clusterRoleBinding: KindDefinition = {
  kind: 'ClusterRoleBinding',
  group: 'rbac.authorization.k8s.io',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.rbac.v1.ClusterRoleBinding' },
  resource: 'clusterrolebindings',
  namespaced: false,
  nameRule: 'path-segment',
  defaults: defaultBinding,
  validate: (o) => validateBinding(o, false),
  validateUpdate: immutableRoleRef,
  printerColumns: [NAME, ...bindingColumns],
}
