import type { At } from './at.js'
import type { RevkubeClient } from './client.js'
import type { LogLine } from './log-lines.js'

type Json = Record<string, unknown>

/** An event as the `log` query returns it; `fold` pages carry only what the fold reads. */
export interface WireEvent {
  revision: string
  type: string
  kind: string
  namespace: string | null
  name: string
  uid: string
  object: { raw: Json }
  txRevision?: string
  meta?: Json
  time?: string
}

/** A `full` page's event as an export line. */
export function toLogLine(e: WireEvent): LogLine {
  return {
    revision: Number(e.revision),
    txRevision: Number(e.txRevision),
    type: e.type,
    kind: e.kind,
    namespace: e.namespace ?? '',
    name: e.name,
    uid: e.uid,
    object: e.object.raw,
    meta: e.meta ?? {},
    time: e.time!,
  }
}

const FIELDS = {
  /** Every stored column: what an export must carry to restore the log exactly. */
  full: 'revision txRevision time type kind namespace name uid meta object { raw }',
  /** What `evolve` reads: replay asks for no more. */
  fold: 'revision type kind namespace name uid object { raw }',
}

/** Events per request: the largest page the server serves (graphql/objects.graphql.ts MAX_PAGE). */
export const LOG_PAGE = 10_000

export interface LogPagesOptions {
  /** Events after this revision. */
  after: number
  /** Up to and including this revision. */
  to: number
  fields: keyof typeof FIELDS
  /** @default LOG_PAGE */
  pageSize?: number
}

/**
 * The log from `after` to `to` over GraphQL, page by page in revision order. The next page is
 * requested as soon as the previous one arrives, so the server reads it while the caller works.
 */
export async function* logPages(client: RevkubeClient, options: LogPagesOptions): AsyncGenerator<WireEvent[]> {
  const query = /* GraphQL */ `
    query Log($from: Revision, $to: Revision, $first: Int) {
      log(from: $from, to: $to, first: $first) { edges { node { ${FIELDS[options.fields]} } } pageInfo { hasNextPage } }
    }`
  type Page = { log: { edges: Array<{ node: WireEvent }>; pageInfo: { hasNextPage: boolean } } }
  const first = options.pageSize ?? LOG_PAGE
  const fetchPage = (after: number) => client.request<Page>(query, { from: String(after), to: String(options.to), first })
  if (options.after >= options.to) return
  let next: Promise<Page> | undefined = fetchPage(options.after)
  while (next) {
    const page: Page = await next
    const events = page.log.edges.map((e) => e.node)
    const last = events.at(-1)
    next = page.log.pageInfo.hasNextPage && last ? fetchPage(Number(last.revision)) : undefined
    // A rejected prefetch is reported when awaited, not as an unhandled rejection meanwhile.
    next?.catch(() => undefined)
    if (events.length > 0) yield events
  }
}

/** The revision a point in history names, as the server resolves it. */
export async function revisionAt(client: RevkubeClient, at: At): Promise<number> {
  const data = await client.request<{ revisionAt: string }>('query($at: At!) { revisionAt(at: $at) }', { at })
  return Number(data.revisionAt)
}

/** The head of the server's log. */
export async function headRevision(client: RevkubeClient): Promise<number> {
  const data = await client.request<{ revision: { revision: string } }>('{ revision { revision } }')
  return Number(data.revision.revision)
}
