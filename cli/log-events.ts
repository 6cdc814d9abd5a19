import type { At } from './at.js'
import { formatTable } from './output.js'

type Json = Record<string, unknown>

/** The fields of a LogEvent the CLI prints. */
export const LOG_EVENT_FIELDS = 'revision time type kind namespace name uid actor reason verb causationRevision requestId'

export interface LogEventRow {
  revision: string
  time: string
  type: string
  kind: string
  namespace: string | null
  name: string
  uid: string
  actor: string | null
  reason: string | null
  verb: string | null
  causationRevision: string | null
  requestId: string | null
  object?: { raw: Json }
}

/** `Deployment default/web`, `Node sim-node-1`. */
export function eventObjectName(e: LogEventRow): string {
  return `${e.kind} ${e.namespace ? `${e.namespace}/` : ''}${e.name}`
}

/** A table of log events: REVISION TIME EVENT OBJECT ACTOR [CAUSE] REASON. */
export function eventTable(events: LogEventRow[], options: { noHeaders?: boolean; withCause?: boolean } = {}): string {
  const header = ['REVISION', 'TIME', 'EVENT', 'OBJECT', 'ACTOR', ...(options.withCause ? ['CAUSED-BY'] : []), 'REASON']
  const rows = events.map((e) => [
    e.revision,
    e.time.replace(/\.\d+Z$/, 'Z'),
    e.type,
    eventObjectName(e),
    e.actor ?? '<unknown>',
    ...(options.withCause ? [e.causationRevision ?? '-'] : []),
    e.reason ?? '',
  ])
  return formatTable(options.noHeaders ? rows : [header, ...rows])
}

/** `revision 12` or `2026-11-26T14:02:00Z`, for messages. */
export function describeAt(at: At): string {
  return 'revision' in at ? `revision ${at.revision}` : at.time
}
