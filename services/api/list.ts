import { errors } from '../errors.js'
import { parseFieldSelector, checkSupportedFields, matchesFields, type FieldSelector } from '../resources/field-selector.js'
import type { JsonObject } from '../json.js'
import type { KindDefinition } from '../resources/kind.js'
import { matchesLabels, parseLabelSelector, type LabelSelector } from '../resources/label-selector.js'
import { decodeContinue, encodeContinue } from '../store/reads.js'
import type { Store } from '../store/store.js'
import { metadataOf } from './object-meta.js'

export interface ListOptions {
  namespace?: string
  /** Kubernetes' label selector string: `app=web,tier in (front,back),!canary`. */
  labelSelector?: string
  /** Kubernetes' field selector string: `status.phase=Running,spec.nodeName!=n1`. */
  fieldSelector?: string
  /** Read as of this revision. */
  at?: number
  limit?: number
  continue?: string
}

export interface ListResult {
  items: JsonObject[]
  /** The revision of the snapshot; every page of one listing shares it. */
  revision: number
  continue?: string
}

/** The field values a field selector may test for objects of this kind. */
export function selectableFields(definition: KindDefinition, object: JsonObject): Record<string, string> {
  const metadata = metadataOf(object)
  return {
    'metadata.name': String(metadata.name ?? ''),
    'metadata.namespace': String(metadata.namespace ?? ''),
    ...definition.selectableFields?.(object),
  }
}

/** The field names a kind supports in field selectors. */
export function supportedFields(definition: KindDefinition): string[] {
  return Object.keys(selectableFields(definition, { metadata: {} }))
}

export function parseSelectors(definition: KindDefinition, options: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>) {
  const labels = options.labelSelector ? parseLabelSelector(options.labelSelector) : undefined
  const fields = options.fieldSelector ? parseFieldSelector(options.fieldSelector) : undefined
  if (fields) checkSupportedFields(fields, supportedFields(definition))
  return { labels, fields }
}

export function matches(definition: KindDefinition, object: JsonObject, labels?: LabelSelector, fields?: FieldSelector): boolean {
  if (labels && !matchesLabels(labels, metadataOf(object).labels as Record<string, string> | undefined)) return false
  return !fields || matchesFields(fields, selectableFields(definition, object))
}

/**
 * Lists from the store and filters by the selectors, reading further pages until `limit` items
 * match, as the apiserver does over etcd. The continue token resumes after the last item returned.
 */
export async function listFiltered(store: Store, definition: KindDefinition, options: ListOptions): Promise<ListResult> {
  if (definition.namespaced === false && options.namespace) {
    throw errors.badRequest(`${definition.resource} is not namespaced: list it without a namespace`)
  }
  const { labels, fields } = parseSelectors(definition, options)
  const base = {
    kind: definition.kind,
    ...(definition.namespaced && options.namespace && { namespace: options.namespace }),
    ...(options.at !== undefined && { at: options.at }),
  }
  if (!labels && !fields) {
    return store.list({
      ...base,
      ...(options.limit !== undefined && { limit: options.limit }),
      ...(options.continue && { continue: options.continue }),
    })
  }

  const items: JsonObject[] = []
  let token = options.continue
  let revision: number | undefined = token ? decodeContinue(token).revision : options.at
  const pageSize = Math.max(options.limit ?? 500, 100)
  for (;;) {
    const page = await store.list({
      ...base,
      ...(revision !== undefined && { at: revision }),
      limit: pageSize,
      ...(token && { continue: token }),
    })
    revision = page.revision
    for (const item of page.items) {
      if (!matches(definition, item, labels, fields)) continue
      items.push(item)
      if (options.limit !== undefined && items.length === options.limit) {
        const last = metadataOf(item)
        const more = page.continue !== undefined || item !== page.items[page.items.length - 1]
        return {
          items,
          revision,
          ...(more && { continue: encodeContinue({ revision, namespace: String(last.namespace ?? ''), name: String(last.name) }) }),
        }
      }
    }
    if (!page.continue) return { items, revision }
    token = page.continue
  }
}
