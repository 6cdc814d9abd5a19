/** Who a request comes from, as Kubernetes' user.Info: a name, a uid, groups and extra values. */
export interface UserInfo {
  name: string
  uid?: string
  groups: string[]
  /** Extra values by key (impersonation's Impersonate-Extra-<key>); RBAC does not look at them. */
  extra?: Record<string, string[]>
}

export const MASTERS = 'system:masters'
export const AUTHENTICATED = 'system:authenticated'
export const UNAUTHENTICATED = 'system:unauthenticated'
export const SERVICE_ACCOUNTS = 'system:serviceaccounts'

/** `system:serviceaccount:<ns>:<name>`, the user name of a ServiceAccount. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`
}

/** The groups of a ServiceAccount's tokens, as Kubernetes gives them. */
export function serviceAccountGroups(namespace: string): string[] {
  return [SERVICE_ACCOUNTS, `${SERVICE_ACCOUNTS}:${namespace}`, AUTHENTICATED]
}

/** An authenticated user also belongs to system:authenticated, as in Kubernetes. */
export function withAuthenticated(user: UserInfo): UserInfo {
  return user.groups.includes(AUTHENTICATED) ? user : { ...user, groups: [...user.groups, AUTHENTICATED] }
}
