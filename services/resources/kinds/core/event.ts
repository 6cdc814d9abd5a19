import type { Event as EventType } from 'kubernetes-types/core/v1.js'
import { fieldError, type FieldError } from '../../field-errors.js'
import { defaultTo, objectAt, type JsonObject } from '../../../json.js'
import type { KindDefinition } from '../../kind.js'
import { meta, obj, str } from '../../printing/columns.js'
import { age } from '../../printing/human-duration.js'
import { viewable } from '../roles.js'

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v))

declare module '../../kind-types.js' {
  interface KindTypes {
    Event: EventType
  }
}

export const event: KindDefinition = {
  kind: 'Event',
  group: '',
  versions: ['v1'],
  schema: { v1: 'io.k8s.api.core.v1.Event' },
  resource: 'events',
  shortNames: ['ev'],
  namespaced: true,
  nameRule: 'dns1123-subdomain',
  selectableFields: (o) => {
    const involved = objectAt(o, 'involvedObject') ?? {}
    const fields: Record<string, string> = {
      reason: text(o.reason),
      type: text(o.type),
      source: text(objectAt(o, 'source')?.component),
      reportingComponent: text(o.reportingComponent),
    }
    for (const key of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
      fields[`involvedObject.${key}`] = text(involved[key])
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
    const involved = text(objectAt(o, 'involvedObject')?.namespace)
    const namespace = text(objectAt(o, 'metadata')?.namespace)
    const matches = involved === '' ? namespace === '' || namespace === 'default' : involved === namespace
    if (!matches) errors.push(fieldError.invalid('involvedObject.namespace', involved, 'does not match event.namespace'))
    return errors
  },
  printerColumns: [
    {
      name: 'Last Seen',
      type: 'string',
      description: 'The time since the event last happened.',
      priority: 0,
      cell: (o, now) => age(o.lastTimestamp ?? o.eventTime ?? meta(o).creationTimestamp, now),
    },
    { name: 'Type', type: 'string', description: 'Normal or Warning.', priority: 0, cell: (o) => str(o.type) },
    { name: 'Reason', type: 'string', description: 'Why the event happened, in one word.', priority: 0, cell: (o) => str(o.reason) },
    { name: 'Object', type: 'string', description: 'The object the event is about.', priority: 0, cell: eventObject },
    { name: 'Message', type: 'string', description: 'What happened.', priority: 0, cell: (o) => str(o.message, '') },
  ],
  roles: [viewable()],
}

function eventObject(o: JsonObject): string {
  const involved = obj(o.involvedObject)
  return `${String(involved.kind ?? '').toLowerCase()}/${String(involved.name ?? '')}`
}
