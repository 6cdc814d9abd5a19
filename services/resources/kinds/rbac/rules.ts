import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, isObject, objectAt, type JsonObject } from '../../json.js'

/** PolicyRules of Roles and ClusterRoles. */
export function validateRules(object: JsonObject, nonResourceURLsAllowed: boolean): FieldError[] {
  const errors: FieldError[] = []
  arrayAt(object, 'rules').forEach((rule, i) => {
    const at = `rules[${i}]`
    if (!isObject(rule)) return errors.push(fieldError.invalid(at, rule, 'must be an object'))
    if (arrayAt(rule, 'verbs').length === 0) errors.push(fieldError.required(`${at}.verbs`, 'verbs must contain at least one value'))
    const urls = arrayAt(rule, 'nonResourceURLs')
    if (urls.length > 0) {
      if (!nonResourceURLsAllowed) errors.push(fieldError.invalid(`${at}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'))
      if (arrayAt(rule, 'apiGroups').length > 0 || arrayAt(rule, 'resources').length > 0) {
        errors.push(fieldError.invalid(`${at}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'))
      }
    } else {
      if (rule.apiGroups === undefined) errors.push(fieldError.required(`${at}.apiGroups`, 'resource rules must supply at least one api group'))
      if (arrayAt(rule, 'resources').length === 0) errors.push(fieldError.required(`${at}.resources`, 'resource rules must supply at least one resource'))
    }
  })
  return errors
}

/** roleRef and subjects of RoleBindings and ClusterRoleBindings. */
export function validateBinding(object: JsonObject, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = []
  const roleRef = objectAt(object, 'roleRef')
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole']
  if (!roleRef) errors.push(fieldError.required('roleRef'))
  else {
    if (roleRef.apiGroup !== 'rbac.authorization.k8s.io') errors.push(fieldError.notSupported('roleRef.apiGroup', roleRef.apiGroup ?? '', ['rbac.authorization.k8s.io']))
    if (!kinds.includes(roleRef.kind as string)) errors.push(fieldError.notSupported('roleRef.kind', roleRef.kind ?? '', kinds))
    if (typeof roleRef.name !== 'string' || roleRef.name === '') errors.push(fieldError.required('roleRef.name'))
  }
  arrayAt(object, 'subjects').forEach((subject, i) => {
    const at = `subjects[${i}]`
    const kind = isObject(subject) ? subject.kind : undefined
    if (!['User', 'Group', 'ServiceAccount'].includes(kind as string)) {
      errors.push(fieldError.notSupported(`${at}.kind`, kind ?? '', ['ServiceAccount', 'User', 'Group']))
    }
    if (!isObject(subject) || typeof subject.name !== 'string' || subject.name === '') errors.push(fieldError.required(`${at}.name`))
  })
  return errors
}

/** roleRef cannot change: delete and re-create the binding instead. */
export function immutableRoleRef(object: JsonObject, old: JsonObject): FieldError[] {
  return JSON.stringify(object.roleRef) === JSON.stringify(old.roleRef)
    ? []
    : [fieldError.invalid('roleRef', object.roleRef, 'cannot change roleRef')]
}
