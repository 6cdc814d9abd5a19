/**
 * The annotation in which client-side apply keeps the whole last-applied manifest (kubectl's
 * `kubectl.kubernetes.io/last-applied-configuration`): for a Secret, its data in plain text, so
 * it is as sensitive as the data.
 */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'
