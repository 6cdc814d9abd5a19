import { fieldError, type FieldError } from '../../field-errors.js'
import { arrayAt, isObject, objectAt } from '../../json.js'
import type { KindDefinition } from '../../kind.js'

const PATH_TYPES = ['Exact', 'Prefix', 'ImplementationSpecific']

export const ingress: KindDefinition = {
  kind: 'Ingress',
  group: 'networking.k8s.io',
  versions: ['v1'],
  resource: 'ingresses',
  shortNames: ['ing'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  status: true,
  validate: (o) => {
    const spec = objectAt(o, 'spec') ?? {}
    const errors: FieldError[] = []
    const rules = arrayAt(spec, 'rules')
    if (rules.length === 0 && !objectAt(spec, 'defaultBackend')) {
      errors.push(fieldError.invalid('spec.rules', [], 'either `defaultBackend` or `rules` must be specified'))
    }
    rules.forEach((rule, i) => {
      arrayAt(objectAt(rule, 'http'), 'paths').forEach((path, j) => {
        const at = `spec.rules[${i}].http.paths[${j}]`
        if (!isObject(path)) return
        if (!PATH_TYPES.includes(path.pathType as string)) {
          errors.push(path.pathType === undefined ? fieldError.required(`${at}.pathType`, 'pathType must be specified') : fieldError.notSupported(`${at}.pathType`, path.pathType, PATH_TYPES))
        }
        if (path.pathType !== 'ImplementationSpecific' && typeof path.path === 'string' && !path.path.startsWith('/')) {
          errors.push(fieldError.invalid(`${at}.path`, path.path, 'must be an absolute path'))
        }
        if (!objectAt(path, 'backend')) errors.push(fieldError.required(`${at}.backend`))
      })
    })
    return errors
  },
}
