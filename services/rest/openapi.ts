import { createHash } from 'node:crypto'
import { isObject, type JsonObject } from '../json.js'
import type { KindDefinition } from '../resources/kind.js'
import type { KindRegistry } from '../resources/registry.js'
import { definitions } from '../resources/schema/shapes.js'

/**
 * OpenAPI v3 documents of the served kinds, as kube-apiserver's `/openapi/v3`: a root listing one
 * document per group version, and each document with the kinds' schemas (the same schemas writes
 * are decoded against) and their paths. kubectl reads them to learn that the server validates
 * fields itself (a PATCH operation with `x-kubernetes-group-version-kind` and a `fieldValidation`
 * parameter), to compute `apply`'s strategic merge patches (`x-kubernetes-patch-merge-key` and
 * `x-kubernetes-patch-strategy`, from the kinds' merge keys), and for `kubectl explain`.
 */
export function openApiDocuments(registry: KindRegistry) {
  const schemas = annotatedSchemas(registry.kinds)
  const documents = new Map<string, { body: string; hash: string }>()
  for (const [path, kinds] of groupVersions(registry)) {
    const body = JSON.stringify(document(path, kinds, schemas))
    documents.set(path, { body, hash: createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase() })
  }
  const root = JSON.stringify({
    paths: Object.fromEntries([...documents].map(([path, { hash }]) => [path, { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` }])),
  })
  return {
    root,
    /** The document of `api/v1` or `apis/{group}/{version}`, or undefined. */
    get: (path: string) => documents.get(path)?.body,
  }
}

/** `api/v1`, `apis/apps/v1`, … → the kinds served there. */
function groupVersions(registry: KindRegistry): Map<string, Array<{ kind: KindDefinition; version: string }>> {
  const out = new Map<string, Array<{ kind: KindDefinition; version: string }>>()
  for (const kind of registry.kinds) {
    for (const version of kind.versions) {
      const path = kind.group ? `apis/${kind.group}/${version}` : `api/${version}`
      if (!out.has(path)) out.set(path, [])
      out.get(path)!.push({ kind, version })
    }
  }
  return out
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const queryParameter = (name: string, description: string) => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string' },
  uniqueItems: true,
})
const WRITE_PARAMETERS = [
  queryParameter('dryRun', 'When present (All), the write is checked and decided but not stored.'),
  queryParameter('fieldManager', 'The name of the actor making the change.'),
  queryParameter('fieldValidation', 'Unknown or duplicate fields: Ignore, Warn (the default) or Strict.'),
]
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']

function document(path: string, kinds: Array<{ kind: KindDefinition; version: string }>, schemas: Record<string, unknown>) {
  const paths: Record<string, unknown> = {}
  for (const { kind, version } of kinds) {
    const schema = kind.schema[version]
    if (!schema) continue
    const gvk = { group: kind.group, version, kind: kind.kind }
    const object = { content: { 'application/json': { schema: ref(schema) } } }
    const op = (action: string, extra: object = {}) => ({
      operationId: `${action}${kind.kind}`,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      responses: { '200': { description: 'OK', ...object } },
      ...extra,
    })
    const base = kind.namespaced ? `/${path}/namespaces/{namespace}/${kind.resource}` : `/${path}/${kind.resource}`
    paths[base] = {
      get: op('list'),
      post: op('post', { parameters: WRITE_PARAMETERS, requestBody: object }),
    }
    paths[`${base}/{name}`] = {
      get: op('get'),
      put: op('put', { parameters: WRITE_PARAMETERS, requestBody: object }),
      patch: op('patch', {
        parameters: [...WRITE_PARAMETERS, queryParameter('force', 'Server-side apply: take the fields of other managers.')],
        requestBody: { content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: { type: 'object' } }])) },
      }),
      delete: op('delete'),
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas },
  }
}

/**
 * The schemas in OpenAPI v3's form (`#/components/schemas/…` references), with the strategic merge
 * keys of every kind written onto the lists they name.
 */
function annotatedSchemas(kinds: readonly KindDefinition[]): Record<string, unknown> {
  const schemas = JSON.parse(JSON.stringify(definitions).replaceAll('#/definitions/', '#/components/schemas/')) as Record<
    string,
    JsonObject
  >
  const resolve = (schema: JsonObject | undefined): JsonObject | undefined => {
    const target = typeof schema?.$ref === 'string' ? schemas[schema.$ref.replace('#/components/schemas/', '')] : schema
    return isObject(target) ? target : undefined
  }
  for (const kind of kinds) {
    for (const version of kind.versions) {
      const root = schemas[kind.schema[version] ?? '']
      if (!root) continue
      for (const [path, key] of Object.entries(kind.mergeKeys?.lists ?? {})) {
        const list = propertyAt(root, path, resolve)
        if (list) Object.assign(list, { 'x-kubernetes-patch-merge-key': key, 'x-kubernetes-patch-strategy': 'merge' })
      }
      for (const path of kind.mergeKeys?.sets ?? []) {
        const list = propertyAt(root, path, resolve)
        if (list) list['x-kubernetes-patch-strategy'] = 'merge'
      }
    }
  }
  return schemas
}

/** The property schema a dotted path ends at (through references and array items), if the schema has it. */
function propertyAt(
  root: JsonObject,
  path: string,
  resolve: (s: JsonObject | undefined) => JsonObject | undefined,
): JsonObject | undefined {
  let schema: JsonObject | undefined = root
  let property: JsonObject | undefined
  for (const segment of path.split('.')) {
    const properties: unknown = resolve(schema)?.properties
    property = isObject(properties) && isObject(properties[segment]) ? properties[segment] : undefined
    if (!property) return undefined
    schema = property.type === 'array' && isObject(property.items) ? property.items : property
  }
  return property
}
