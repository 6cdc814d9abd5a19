import { fieldError, type FieldError } from '../../field-errors.js'
import { deepEqual } from '../../json.js'
import type { KindDefinition } from '../../kind.js'
import { nonNegativeInteger } from '../workload.js'

export const controllerRevision: KindDefinition = {
  kind: 'ControllerRevision',
  group: 'apps',
  versions: ['v1'],
  resource: 'controllerrevisions',
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  // `ValidateControllerRevision`: data is mandatory; an absent revision is 0.
  validate: (o) => {
    const errors: FieldError[] = []
    if (o.data === undefined || o.data === null) errors.push(fieldError.required('data', 'data is mandatory'))
    errors.push(...nonNegativeInteger(o.revision, 'revision'))
    return errors
  },
  validateUpdate: (o, old) => (deepEqual(o.data, old.data) ? [] : [fieldError.invalid('data', o.data ?? null, 'field is immutable')]),
}
