import type { JsonObject } from '../json.js'
import type { KindDefinition } from '../resources/kind.js'
import { metadataOf } from '../resources/objects.js'
import { DEFAULT_COLUMNS } from '../resources/printing/columns.js'

/** `includeObject`: what each row carries besides its cells. Kubernetes' default is the metadata. */
export type IncludeObject = 'None' | 'Metadata' | 'Object'

export function includeObjectOf(value: string | null): IncludeObject {
  if (value === null || value === '') return 'Metadata'
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value
  throw new TypeError(`includeObject must be None, Metadata or Object, got "${value}"`)
}

/**
 * Kubernetes' Table (meta.k8s.io) of objects of one kind, from the kind's printer columns: what
 * kubectl prints for `get`. `columns: false` leaves the definitions out (a watch sends them once).
 */
export function toTable(
  definition: KindDefinition,
  objects: readonly JsonObject[],
  options: { version: string; include: IncludeObject; now: Date; resourceVersion: string; continue?: string; columns?: boolean },
) {
  const columns = definition.printerColumns ?? DEFAULT_COLUMNS
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata: { resourceVersion: options.resourceVersion, ...(options.continue && { continue: options.continue }) },
    columnDefinitions:
      options.columns === false
        ? []
        : columns.map(({ name, type, format, description, priority }) => ({ name, type, format: format ?? '', description, priority })),
    rows: objects.map((object) => ({
      cells: columns.map((column) => column.cell(object, options.now)),
      ...(options.include !== 'None' && { object: rowObject(object, options.include) }),
    })),
  }
}

function rowObject(object: JsonObject, include: IncludeObject): JsonObject {
  if (include === 'Object') return object
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: metadataOf(object) }
}
