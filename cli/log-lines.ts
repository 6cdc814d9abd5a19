import { CliError } from './errors.js'

type Json = Record<string, unknown>

/**
 * One event of the log as `revkube export` writes it and `revkube import` reads it: a line of
 * NDJSON with every stored column, so a restore is exact. Revisions are JSON numbers (exact up to
 * 2^53); `namespace` is "" for cluster-scoped kinds; `time` is the commit time, RFC 3339 with
 * milliseconds, the precision the writer stores.
 */
export interface LogLine {
  revision: number
  txRevision: number
  type: string
  kind: string
  namespace: string
  name: string
  uid: string
  object: Json
  meta: Json
  time: string
}

/** The line of one event, fields in a fixed order so two exports of one log are byte-identical. */
export function formatLogLine(e: LogLine): string {
  return `${JSON.stringify({
    revision: e.revision,
    txRevision: e.txRevision,
    type: e.type,
    kind: e.kind,
    namespace: e.namespace,
    name: e.name,
    uid: e.uid,
    object: e.object,
    meta: e.meta,
    time: e.time,
  })}\n`
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

/** Parses line `n` of an export; anything missing or mistyped is a CliError naming the line and the field. */
export function parseLogLine(text: string, n: number): LogLine & { committedAt: Date } {
  const bad = (why: string) => new CliError(`line ${n}: ${why}`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw bad(`not valid JSON (${(error as Error).message})`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('expected a JSON object, one event per line')
  const v = value as Json
  const revision = (field: string) => {
    const r = v[field]
    if (typeof r !== 'number' || !Number.isSafeInteger(r) || r < 1)
      throw bad(`${field} must be a whole number from 1, got ${JSON.stringify(r)}`)
    return r
  }
  const string = (field: string, empty = false) => {
    const s = v[field]
    if (typeof s !== 'string' || (!empty && s === ''))
      throw bad(`${field} must be a ${empty ? '' : 'non-empty '}string, got ${JSON.stringify(s) ?? 'nothing'}`)
    return s
  }
  const object = (field: string) => {
    const o = v[field]
    if (typeof o !== 'object' || o === null || Array.isArray(o))
      throw bad(`${field} must be a JSON object, got ${JSON.stringify(o) ?? 'nothing'}`)
    return o as Json
  }
  const line: LogLine = {
    revision: revision('revision'),
    txRevision: revision('txRevision'),
    type: string('type'),
    kind: string('kind'),
    namespace: string('namespace', true),
    name: string('name'),
    uid: string('uid'),
    object: object('object'),
    meta: object('meta'),
    time: string('time'),
  }
  if (!UUID.test(line.uid)) throw bad(`uid must be a UUID, got ${JSON.stringify(line.uid)}`)
  if (line.txRevision > line.revision) throw bad(`txRevision ${line.txRevision} is after revision ${line.revision}`)
  const committedAt = new Date(line.time)
  if (!TIME.test(line.time) || Number.isNaN(committedAt.getTime()))
    throw bad(`time must be an RFC 3339 timestamp, got ${JSON.stringify(line.time)}`)
  return { ...line, committedAt }
}
