import type { JsonObject } from '../../../json.js'
import { AGE, arr, obj, type PrinterColumn } from '../../printing/columns.js'

const subjects = (kind: string) => (o: JsonObject) =>
  arr(o.subjects)
    .map(obj)
    .filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${String(s.namespace)}/${String(s.name)}` : String(s.name)))
    .join(', ')

/** The columns after NAME of RoleBindings and ClusterRoleBindings: the role and, wide, the subjects by kind. */
export const bindingColumns: readonly PrinterColumn[] = [
  {
    name: 'Role',
    type: 'string',
    description: 'The role it grants.',
    priority: 0,
    cell: (o) => `${String(obj(o.roleRef).kind)}/${String(obj(o.roleRef).name)}`,
  },
  AGE,
  { name: 'Users', type: 'string', description: 'The users it binds.', priority: 1, cell: subjects('User') },
  { name: 'Groups', type: 'string', description: 'The groups it binds.', priority: 1, cell: subjects('Group') },
  { name: 'ServiceAccounts', type: 'string', description: 'The service accounts it binds.', priority: 1, cell: subjects('ServiceAccount') },
]
