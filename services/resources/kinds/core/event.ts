import { fieldError, type FieldError } from '../../field-errors.js'
import { defaultTo, objectAt, type JsonObject } from '../../json.js'
import type { KindDefinition } from '../../kind.js'

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
  // `ValidateEventCreate` for v1 (legacy) events: only the namespaces are checked, "for backwards
  // compatibility". An event about a cluster-scoped object lives in `default` (or nowhere).
  validate: (o: JsonObject) => {
    const errors: FieldError[] = []
    if (o.eventTime !== undefined && o.eventTime !== null) return errors
    const involved = str(objectAt(o, 'involvedObject')?.namespace)
    const namespace = str(objectAt(o, 'metadata')?.namespace)
    const matches = involved === '' ? namespace === '' || namespace === 'default' : involved === namespace
    if (!matches) errors.push(fieldError.invalid('involvedObject.namespace', involved, 'does not match event.namespace'))
    return errors
  },
}
