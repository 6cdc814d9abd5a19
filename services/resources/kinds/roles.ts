import type { RoleGrant } from '../kind.js'

/** The grants kinds usually have in Kubernetes' default aggregated ClusterRoles (view, edit, admin). */

export const READ = ['get', 'list', 'watch'] as const
export const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'] as const

const on = (subresources: string[]) => ['', ...subresources]

/** view (and so edit and admin) may read the resource and these subresources. */
export const viewable = (...subresources: string[]): RoleGrant => ({ role: 'view', verbs: READ, subresources: on(subresources) })

/** edit (and so admin) may write the resource and these subresources. */
export const editable = (...subresources: string[]): RoleGrant => ({ role: 'edit', verbs: WRITE, subresources: on(subresources) })

/** Readable by every aggregated role, writable by edit and admin: most namespaced kinds. */
export const viewAndEdit = (options: { read?: string[]; write?: string[] } = {}): RoleGrant[] => [
  viewable(...(options.read ?? [])),
  editable(...(options.write ?? [])),
]
