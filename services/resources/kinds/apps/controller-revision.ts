import type { ControllerRevision as ControllerRevisionType } from 'kubernetes-types/apps/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { deepEqual, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { nonNegativeInteger } from '../workload.js'
import { AGE, arr, meta, NAME, num, obj } from '../../printing/columns.js'
import { viewable } from '../roles.js'

declare module '../../kind-types.js' {
  interface KindTypes {
    ControllerRevision: ControllerRevisionType
  }
}

export const controllerRevision: KindDefinition = {
  kind: 'ControllerRevision',
  group: 'apps',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.apps.v1.ControllerRevision' },
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
  printerColumns: [
    NAME,
    { name: 'Controller', type: 'string', description: 'The workload it belongs to.', priority: 0, cell: controllerOf },
    { name: 'Revision', type: 'integer', description: 'Its revision number.', priority: 0, cell: (o) => num(o.revision) },
    AGE,
  ],
  roles: [viewable()],
}

function controllerOf(o: JsonObject): string {
  const owner = arr(meta(o).ownerReferences)
    .map(obj)
    .find((r) => r.controller)
  return owner ? `${String(owner.kind).toLowerCase()}.${String(owner.apiVersion).split('/')[0]}/${String(owner.name)}` : '<none>'
}
