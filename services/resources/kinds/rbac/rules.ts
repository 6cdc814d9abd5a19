import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, isObject, objectAt, type JsonObject } from '../../../json.js'
import { pathSegmentName, validateName } from '../../validation/names.js'

/**
 * Roles, bindings and their rules as kubernetes `pkg/apis/rbac/validation/validation.go` checks
 * them, and the `rbac/v1` defaults.
 */

const GROUP = 'rbac.authorization.k8s.io'

/** `ValidatePolicyRule` for each rule: verbs, and either resources (with api groups) or non-resource URLs. */
export function validateRules(object: JsonObject, nonResourceURLsAllowed: boolean): FieldError[] {
  const errors: FieldError[] = []
  arrayAt(object, 'rules').forEach((rule, i) => {
    const at = `rules[${i}]`
    if (!isObject(rule)) return errors.push(fieldError.invalid(at, rule, 'must be an object'))
    if (arrayAt(rule, 'verbs').length === 0) errors.push(fieldError.required(`${at}.verbs`, 'verbs must contain at least one value'))
    const urls = arrayAt(rule, 'nonResourceURLs')
    if (urls.length > 0) {
      if (!nonResourceURLsAllowed)
        errors.push(fieldError.invalid(`${at}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'))
      if (arrayAt(rule, 'apiGroups').length > 0 || arrayAt(rule, 'resources').length > 0 || arrayAt(rule, 'resourceNames').length > 0) {
        errors.push(fieldError.invalid(`${at}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'))
      }
      return
    }
    if (arrayAt(rule, 'apiGroups').length === 0)
      errors.push(fieldError.required(`${at}.apiGroups`, 'resource rules must supply at least one api group'))
    if (arrayAt(rule, 'resources').length === 0)
      errors.push(fieldError.required(`${at}.resources`, 'resource rules must supply at least one resource'))
  })
  return errors
}

/** `SetDefaults_RoleBinding`/`_Subject`: the roleRef's API group, and the group of User and Group subjects. */
export function defaultBinding(object: JsonObject): void {
  const roleRef = objectAt(object, 'roleRef')
  if (roleRef && (roleRef.apiGroup === undefined || roleRef.apiGroup === '')) roleRef.apiGroup = GROUP
  for (const subject of arrayAt(object, 'subjects')) {
    if (
      isObject(subject) &&
      (subject.apiGroup === undefined || subject.apiGroup === '') &&
      (subject.kind === 'User' || subject.kind === 'Group')
    ) {
      subject.apiGroup = GROUP
    }
  }
}

/** `ValidateRoleBinding` / `ValidateClusterRoleBinding`: the roleRef, then each subject. */
export function validateBinding(object: JsonObject, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = []
  const roleRef = objectAt(object, 'roleRef') ?? {}
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole']
  if (roleRef.apiGroup !== GROUP) errors.push(fieldError.notSupported('roleRef.apiGroup', roleRef.apiGroup ?? '', [GROUP]))
  if (!kinds.includes(roleRef.kind as string)) errors.push(fieldError.notSupported('roleRef.kind', roleRef.kind ?? '', kinds))
  const name = typeof roleRef.name === 'string' ? roleRef.name : ''
  if (name === '') errors.push(fieldError.required('roleRef.name'))
  else errors.push(...pathSegmentName(name).map((message) => fieldError.invalid('roleRef.name', name, message)))
  arrayAt(object, 'subjects').forEach((subject, i) =>
    errors.push(...validateSubject(isObject(subject) ? subject : {}, `subjects[${i}]`, namespaced)),
  )
  return errors
}

/** `ValidateRoleBindingSubject`. */
function validateSubject(subject: JsonObject, at: string, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = []
  const name = typeof subject.name === 'string' ? subject.name : ''
  const apiGroup = subject.apiGroup ?? ''
  if (name === '') errors.push(fieldError.required(`${at}.name`))
  switch (subject.kind) {
    case 'ServiceAccount':
      if (name !== '') errors.push(...validateName('dns1123-subdomain', name, `${at}.name`))
      if (apiGroup !== '') errors.push(fieldError.notSupported(`${at}.apiGroup`, apiGroup, ['']))
      if (!namespaced && (subject.namespace === undefined || subject.namespace === '')) errors.push(fieldError.required(`${at}.namespace`))
      break
    case 'User':
    case 'Group':
      if (apiGroup !== GROUP) errors.push(fieldError.notSupported(`${at}.apiGroup`, apiGroup, [GROUP]))
      break
    default:
      errors.push(fieldError.notSupported(`${at}.kind`, subject.kind ?? '', ['ServiceAccount', 'User', 'Group']))
  }
  return errors
}

/** roleRef cannot change: delete and re-create the binding instead. */
export function immutableRoleRef(object: JsonObject, old: JsonObject): FieldError[] {
  const roleRef = objectAt(object, 'roleRef') ?? {}
  const before = objectAt(old, 'roleRef') ?? {}
  const same = ['apiGroup', 'kind', 'name'].every((field) => (roleRef[field] ?? '') === (before[field] ?? ''))
  const printable = { apiGroup: roleRef.apiGroup ?? '', kind: roleRef.kind ?? '', name: roleRef.name ?? '' }
  return same ? [] : [fieldError.invalid('roleRef', printable, 'cannot change roleRef')]
}
