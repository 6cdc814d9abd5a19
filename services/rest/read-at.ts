import type { ResourceApi } from '../api/resource-api.js'
import { StatusError, errors } from '../errors.js'

/** Which revision a read is at: undefined for now. */
export interface ReadAt {
  revision?: number
}

/**
 * The revision a GET reads at, from Kubernetes' `resourceVersion` and `resourceVersionMatch` and
 * revkube's `asOf` (a time):
 * - a list with `resourceVersionMatch=Exact` is the state at exactly that revision, any revision
 *   back to the log's start (Kubernetes keeps about five minutes);
 * - a list with `NotOlderThan` (or no match) is the current state, which is never older;
 * - a single object's GET with a `resourceVersion` other than "0" is the object as it was then
 *   (Kubernetes would answer with any newer state: revkube can be exact);
 * - `asOf=2026-12-07T14:02:00Z` reads at the last revision committed at or before that time.
 */
export async function readAt(api: ResourceApi, query: URLSearchParams, verb: 'get' | 'list'): Promise<ReadAt> {
  const asOf = query.get('asOf')
  const version = query.get('resourceVersion') ?? ''
  const match = query.get('resourceVersionMatch') ?? ''
  if (match && !version) throw errors.badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided')
  if (match && match !== 'Exact' && match !== 'NotOlderThan') {
    throw errors.badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`)
  }
  if (asOf !== null) {
    if (version) throw errors.badRequest('asOf and resourceVersion may not both be given')
    const time = new Date(asOf)
    if (!asOf || Number.isNaN(time.getTime())) throw errors.badRequest(`asOf must be an RFC 3339 time, got "${asOf}"`)
    return { revision: await api.store.revisionAt(time) }
  }
  if (!version || version === '0') {
    if (match === 'Exact') throw errors.badRequest('resourceVersionMatch "Exact" is forbidden for resourceVersion "0"')
    return {}
  }
  const revision = Number(version)
  if (!/^[0-9]+$/.test(version) || !Number.isSafeInteger(revision)) {
    throw errors.badRequest(`invalid resource version "${version}": a resourceVersion is a revision of the log, a whole number`)
  }
  const head = (await api.store.head()).revision
  if (revision > head) {
    throw new StatusError('Timeout', `Too large resource version: ${revision}, current resource version: ${head}`, { retryAfterSeconds: 1 })
  }
  if (verb === 'get' || match === 'Exact') return { revision }
  return {}
}
