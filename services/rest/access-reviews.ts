import type { ClusterView } from '../../projections/cluster-state.js'
import type { Security } from '../auth/security.js'
import { rulesFor } from '../auth/rbac.js'
import { MASTERS, type UserInfo } from '../auth/user.js'
import { errors, StatusError } from '../errors.js'
import { isObject, type JsonObject } from '../json.js'

/**
 * The authorization.k8s.io reviews: questions about permissions, answered and not stored, as
 * kube-apiserver answers them. `kubectl auth can-i` asks a SelfSubjectAccessReview (`--list`: a
 * SelfSubjectRulesReview); a SubjectAccessReview asks about someone else and needs `create` on
 * subjectaccessreviews (cluster-admin has it).
 */

export const REVIEW_GROUP = 'authorization.k8s.io'
export const REVIEW_RESOURCES = [
  { resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false },
  { resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview', namespaced: false },
  { resource: 'subjectaccessreviews', kind: 'SubjectAccessReview', namespaced: false },
  { resource: 'localsubjectaccessreviews', kind: 'LocalSubjectAccessReview', namespaced: true },
] as const

export type ReviewResource = (typeof REVIEW_RESOURCES)[number]['resource']

const str = (v: unknown) => (typeof v === 'string' ? v : '')

/** The review's answer: the request with its `status` filled in. */
export function review(
  resource: ReviewResource,
  body: unknown,
  caller: UserInfo | undefined,
  security: Security,
  state: ClusterView,
  namespace: string | undefined,
): JsonObject {
  if (!isObject(body)) throw errors.badRequest('the request body must be a JSON object')
  const spec = isObject(body.spec) ? body.spec : {}
  const kind = REVIEW_RESOURCES.find((r) => r.resource === resource)!.kind
  const answer = (status: JsonObject) => ({ apiVersion: `${REVIEW_GROUP}/v1`, kind, metadata: { creationTimestamp: null }, spec, status })
  const self = caller ?? { name: 'anonymous', groups: [MASTERS] }

  if (resource === 'selfsubjectrulesreviews') {
    const ns = str(spec.namespace)
    if (!ns) throw new StatusError('Invalid', 'SelfSubjectRulesReview is invalid: spec.namespace: Required value', { kind })
    const rules = self.groups.includes(MASTERS) ? [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] : rulesFor(state, self, ns)
    return answer({
      resourceRules: rules.filter((r) => (r.resources ?? []).length > 0).map(({ nonResourceURLs: _, ...rule }) => rule),
      nonResourceRules: rules
        .filter((r) => (r.nonResourceURLs ?? []).length > 0)
        .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
      incomplete: false,
    })
  }

  let subject = self
  if (resource === 'subjectaccessreviews' || resource === 'localsubjectaccessreviews') {
    if (caller) {
      security.authorize({ user: caller, verb: 'create', apiGroup: REVIEW_GROUP, resource, ...(namespace && { namespace }) })
    }
    const user = str(spec.user)
    const groups = Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === 'string') : []
    if (!user && groups.length === 0)
      throw new StatusError(
        'Invalid',
        `${kind} is invalid: spec.user: Invalid value: "": at least one of user or group must be specified`,
        { kind },
      )
    subject = { name: user, groups, ...(str(spec.uid) && { uid: str(spec.uid) }) }
  }
  const attributes = isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined
  if (!attributes) {
    // Non-resource URLs (/version, /api, the health paths) are open to every caller here.
    if (isObject(spec.nonResourceAttributes))
      return answer({ allowed: true, reason: 'revkube serves its non-resource paths to every authenticated caller' })
    throw new StatusError(
      'Invalid',
      `${kind} is invalid: spec.resourceAttributes: Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified`,
      { kind },
    )
  }
  const reviewNamespace = resource === 'localsubjectaccessreviews' ? namespace : str(attributes.namespace) || undefined
  const allowed =
    security.mode === 'none' ||
    security.can({
      user: subject,
      verb: str(attributes.verb),
      apiGroup: str(attributes.group),
      resource: str(attributes.resource),
      ...(str(attributes.subresource) && { subresource: str(attributes.subresource) }),
      ...(reviewNamespace && { namespace: reviewNamespace }),
      ...(str(attributes.name) && { name: str(attributes.name) }),
    })
  return answer(allowed ? { allowed: true, reason: 'allowed by RBAC' } : { allowed: false })
}
