import { fieldError } from '../../field-errors.js'
import type { KindDefinition } from '../../kind.js'

export const controllerRevision: KindDefinition = {
  kind: 'ControllerRevision',
  group: 'apps',
  versions: ['v1'],
  resource: 'controllerrevisions',
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  validate: (o) =>
    typeof o.revision !== 'number' || !Number.isInteger(o.revision) || o.revision < 0
      ? [fieldError.invalid('revision', o.revision ?? null, 'must be greater than or equal to 0')]
      : [],
  validateUpdate: (o, old) => (JSON.stringify(o.data) === JSON.stringify(old.data) ? [] : [fieldError.invalid('data', o.data, 'field is immutable')]),
}
