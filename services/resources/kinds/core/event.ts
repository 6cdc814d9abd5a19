import { fieldError, type FieldError } from '../../field-errors.js'
import { defaultTo, objectAt, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'

const TYPES = ['Normal', 'Warning']
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v))

export const event: KindDefinition = {
  kind: 'Event',
  group: '',
  versions: ['v1'],
  resource: 'events',
  shortNames: ['ev'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  selectableFields: (o) => {
    const involved = objectAt(o, 'involvedObject') ?? {}
    const fields: Record<string, string> = {
      reason: str(o.reason),
      type: str(o.type),
      source: str(objectAt(o, 'source')?.component),
      reportingComponent: str(o.reportingComponent),
    }
    for (const key of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
      fields[`involvedObject.${key}`] = str(involved[key])
    }
    return fields
  },
  defaults: (o) => {
    defaultTo(o, 'type', 'Normal')
    defaultTo(o, 'count', 1)
  },
  validate: (o: JsonObject) => {
    const errors: FieldError[] = []
    const involved = objectAt(o, 'involvedObject')
    if (!involved) errors.push(fieldError.required('involvedObject'))
    const namespace = objectAt(o, 'metadata')?.namespace
    if (involved?.namespace !== undefined && involved.namespace !== '' && involved.namespace !== namespace) {
      errors.push(fieldError.invalid('involvedObject.namespace', involved.namespace, 'does not match event.namespace'))
    }
    if (o.type !== undefined && !TYPES.includes(o.type as string)) errors.push(fieldError.notSupported('type', o.type, TYPES))
    return errors
  },
}
