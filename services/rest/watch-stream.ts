import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ResourceApi, WatchRequest } from '../api/resource-api.js'
import { StatusError, errors } from '../errors.js'
import { apiVersionOf, type KindDefinition } from '../resources/kind.js'
import type { WatchEvent } from '../../projections/watch.js'
import { contentTypeOf, negotiate } from './media-types.js'
import { includeObjectOf, toTable } from './table.js'

export interface WatchServing {
  api: ResourceApi
  definition: KindDefinition
  version: string
  request: WatchRequest
  query: URLSearchParams
  minRequestTimeoutMs: number
}

/**
 * A watch as kube-apiserver streams it: newline-delimited `{"type","object"}` events (ADDED,
 * MODIFIED, DELETED, BOOKMARK when `allowWatchBookmarks`, ERROR with a Status), from
 * `resourceVersion` (exactly the events after it, from any revision back to the log's start) or,
 * without one, ADDED for every current object first. It ends after `timeoutSeconds` (by default a
 * random time between the minimum request timeout and twice it), when the client goes, or with an
 * ERROR (410 Gone for a watcher that fell too far behind: list again and resume). With
 * `sendInitialEvents=true` (client-go's streaming list) the current objects come first, then a
 * bookmark that marks their end.
 */
export async function serveWatch(req: IncomingMessage, res: ServerResponse, serving: WatchServing): Promise<void> {
  const { api, definition, query } = serving
  const version = query.get('resourceVersion') ?? ''
  if (version !== '' && version !== '0' && !/^[0-9]+$/.test(version)) {
    throw errors.badRequest(`invalid resource version "${version}": a resourceVersion is a revision of the log, a whole number`)
  }
  const fromRevision = version === '' || version === '0' ? undefined : Number(version)
  if (fromRevision !== undefined && fromRevision > (await api.store.head()).revision) {
    throw new StatusError(
      'Timeout',
      `Too large resource version: ${fromRevision}, current resource version: ${(await api.store.head()).revision}`,
    )
  }
  const bookmarks = query.get('allowWatchBookmarks') === 'true'
  const timeoutSeconds = query.get('timeoutSeconds')
  const timeoutMs =
    timeoutSeconds !== null && /^[0-9]+$/.test(timeoutSeconds) && Number(timeoutSeconds) > 0
      ? Number(timeoutSeconds) * 1000
      : serving.minRequestTimeoutMs * (1 + Math.random())
  const representation = negotiate(req.headers.accept, { table: true })
  const include = includeObjectOf(query.get('includeObject'))
  const initial = query.get('sendInitialEvents') === 'true'
  if (initial) {
    if (query.get('resourceVersionMatch') !== 'NotOlderThan') {
      throw new StatusError(
        'Invalid',
        'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      )
    }
    if (!bookmarks)
      throw new StatusError('Invalid', 'allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true')
  }
  const events = initial
    ? initialThenChanges(serving)
    : api.watchIterator(definition.kind, { ...serving.request, ...(fromRevision !== undefined && { fromRevision }) })

  res.writeHead(200, { 'content-type': contentTypeOf(representation), 'transfer-encoding': 'chunked', 'cache-control': 'no-cache' })
  res.flushHeaders()
  let ended = false
  const end = () => {
    if (ended) return
    ended = true
    clearTimeout(timer)
    void events.return?.()
    res.end()
  }
  const timer = setTimeout(end, timeoutMs)
  req.on('close', end)
  res.on('close', end)
  let first = true
  try {
    for await (const event of events) {
      if (ended) break
      if (event.type === 'BOOKMARK' && !bookmarks) continue
      const object =
        representation.as === 'table' && event.type !== 'BOOKMARK'
          ? toTable(definition, [event.object], {
              version: representation.version,
              include,
              now: new Date(),
              resourceVersion: String(event.revision),
              columns: first,
            })
          : event.object
      if (event.type !== 'BOOKMARK') first = false
      res.write(`${JSON.stringify({ type: event.type, object })}\n`)
    }
  } catch (error) {
    if (!ended && error instanceof StatusError) res.write(`${JSON.stringify({ type: 'ERROR', object: error.toStatus() })}\n`)
    else if (!ended) throw error
  } finally {
    end()
  }
}

/** The initial-events-end bookmark's annotation (Kubernetes' WatchList, `sendInitialEvents=true`). */
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end'

/**
 * `sendInitialEvents=true`: ADDED for every object of the current state (one snapshot, read in
 * pages), a BOOKMARK annotated `k8s.io/initial-events-end` at its revision, then the changes after it.
 */
async function* initialThenChanges(serving: WatchServing): AsyncGenerator<WatchEvent> {
  const { api, definition, request } = serving
  let page = await api.list(definition.kind, { ...request, limit: 500 })
  const revision = page.revision
  for (;;) {
    for (const object of page.items) yield { type: 'ADDED', object, revision }
    if (!page.continue) break
    page = await api.list(definition.kind, { limit: 500, continue: page.continue })
  }
  const apiVersion = apiVersionOf(definition, serving.version)
  yield {
    type: 'BOOKMARK',
    object: {
      apiVersion,
      kind: definition.kind,
      metadata: { resourceVersion: String(revision), annotations: { [INITIAL_EVENTS_END]: 'true' } },
    },
    revision,
  }
  yield* api.watchIterator(definition.kind, { ...request, fromRevision: revision })
}
