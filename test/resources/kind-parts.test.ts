import { graphql } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiResource } from '../../cli/kinds.js'
import { tableRows } from '../../cli/output.js'
import { buildSchema } from '../../graphql/schema.js'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import { defaultClusterRoles } from '../../services/auth/default-roles.js'
import { ruleAllows, rulesOf } from '../../services/auth/rbac.js'
import type { JsonObject } from '../../services/json.js'
import { apiVersionOf, type KindDefinition } from '../../services/resources/kind.js'
import { READ, WRITE } from '../../services/resources/kinds/roles.js'
import { builtinKinds } from '../../services/resources/registry.js'
import { shapeOf, type Shape } from '../../services/resources/schema/shapes.js'
import { backend, openTestStore, type TestStore } from '../support/store.js'
import { minimal } from './kinds/manifests.js'

/**
 * Every registered kind, walked part by part: what its definition says in one place (its schema,
 * merge keys, sensitive fields, printer columns, default roles) must hold together, and a minimal
 * object of it must go through the resource API, print, patch and show in discovery. A kind added
 * with a part missing or contradicting another fails here.
 */

const ctx = { actor: 'kind-parts' }
const ROLES = ['view', 'edit', 'admin'] as const
const INCLUDED_IN = { view: ['view', 'edit', 'admin'], edit: ['edit', 'admin'], admin: ['admin'] } as const

let t: TestStore
let api: ResourceApi
beforeAll(async () => {
  t = await openTestStore()
  api = new ResourceApi({ store: t.store })
  await bootstrapNamespaces(api)
})
afterAll(() => t.cleanup())

const namespaceOf = (k: KindDefinition) => (k.namespaced ? 'default' : undefined)
const nameOf = (k: KindDefinition) => String((minimal[k.kind]!.metadata as JsonObject).name)

/** The stored object of a kind, created from its minimal manifest on first use. */
const stored = new Map<string, Promise<JsonObject>>()
function objectOf(k: KindDefinition): Promise<JsonObject> {
  let object = stored.get(k.kind)
  if (!object)
    stored.set(k.kind, (object = api.create(ctx, structuredClone(minimal[k.kind]!), { ...(k.namespaced && { namespace: 'default' }) })))
  return object
}

/** The kinds as discovery serves them, through the GraphQL schema. */
async function discovered(): Promise<ApiResource[]> {
  const query = '{ apiResources { name singularName shortNames kind group apiVersion namespaced subresources } }'
  const result = await graphql({ schema: buildSchema(), source: query, contextValue: { api } })
  expect(result.errors).toBeUndefined()
  return (result.data as { apiResources: ApiResource[] }).apiResources
}

/** The shape at a dotted path of a kind's schema, arrays crossed transparently; undefined when the schema has no such field. */
function shapeAt(shape: Shape, path: string[]): Shape | undefined {
  if (path.length === 0) return shape
  if (shape.t === 'array') return shapeAt(shape.items, path)
  if (shape.t === 'map') return shapeAt(shape.values, path.slice(1))
  if (shape.t !== 'struct') return undefined
  const field = shape.fields.get(path[0]!)
  return field === undefined ? undefined : shapeAt(field, path.slice(1))
}

describe(`every registered kind (${backend})`, () => {
  it('has a minimal manifest to test it with', () => {
    expect(builtinKinds.filter((k) => !minimal[k.kind]).map((k) => k.kind)).toEqual([])
  })

  describe.each(builtinKinds.map((k) => [k.kind, k] as const))('%s', (_, k) => {
    it('round-trips a minimal manifest through the resource API', async () => {
      const created = await objectOf(k)
      expect(created).toMatchObject({ apiVersion: apiVersionOf(k), kind: k.kind, metadata: { name: nameOf(k) } })
      expect(await api.get(k.kind, namespaceOf(k), nameOf(k))).toEqual(created)
      expect((await api.list(k.resource, { ...(k.namespaced && { namespace: 'default' }) })).items).toContainEqual(created)
    })

    it('prints its columns, the wide ones after the others', async () => {
      const resource = (await discovered()).find((r) => r.kind === k.kind)!
      const object = await objectOf(k)
      const options = { withNamespace: k.namespaced, showLabels: false, noHeaders: false, withKind: false }
      const [header, row] = await tableRows(resource, [object], { ...options, wide: true }, new Date())
      const [narrow] = await tableRows(resource, [object], { ...options, wide: false }, new Date())
      expect(header!.length).toBe(row!.length)
      expect(header!.filter((h) => narrow!.includes(h))).toEqual(narrow)
      expect(row!.filter((cell) => /undefined|NaN|\[object Object\]/.test(cell))).toEqual([])
      const nameColumn = (k.printerColumns ?? []).findIndex((c) => c.format === 'name')
      if (nameColumn >= 0 || k.printerColumns === undefined) expect(row).toContain(nameOf(k))
      for (const column of k.printerColumns ?? []) {
        expect(column.priority === 0 || column.priority === 1).toBe(true)
        if (column.type === 'integer') expect(typeof column.cell(object, new Date())).toBe('number')
      }
    })

    it('patches strategically, and names as merged lists only lists its schema has', async () => {
      await objectOf(k)
      const patched = await api.patch(
        ctx,
        k.kind,
        namespaceOf(k),
        nameOf(k),
        { metadata: { labels: { patched: 'strategically' } } },
        'strategic',
      )
      expect((patched.metadata as JsonObject).labels).toMatchObject({ patched: 'strategically' })
      // Each list it merges is a list in its schema, at every version it serves.
      for (const version of k.versions) {
        const shape = shapeOf(k.schema[version]!)
        const lists = [...Object.keys(k.mergeKeys?.lists ?? {}), ...(k.mergeKeys?.sets ?? [])]
        const missing = lists.filter((path) => shapeAt(shape, path.split('.'))?.t !== 'array')
        // autoscaling/v1 has no status conditions: the stored version (v2) has them.
        expect(missing.filter((path) => !(version !== k.versions[0] && path === 'status.conditions'))).toEqual([])
      }
    })

    it('appears in discovery with its names, scope and subresources', async () => {
      const resource = (await discovered()).find((r) => r.kind === k.kind)
      expect(resource).toEqual({
        name: k.resource,
        singularName: k.kind.toLowerCase(),
        shortNames: k.shortNames ?? [],
        kind: k.kind,
        group: k.group,
        apiVersion: apiVersionOf(k),
        namespaced: k.namespaced,
        subresources: [...(k.status ? ['status'] : []), ...(k.scale ? ['scale'] : [])],
      })
    })

    it('is granted by exactly the aggregated roles it claims, on subresources it has', () => {
      for (const grant of k.roles ?? []) {
        if (grant.subresources?.includes('status')) expect(k.status).toBe(true)
        if (grant.subresources?.includes('scale')) expect(k.scale).toBeDefined()
      }
      for (const role of ROLES) {
        const rules = rulesOf(defaultClusterRoles.find((r) => (r.metadata as JsonObject).name === role))
        for (const verb of [...READ, ...WRITE]) {
          for (const subresource of ['', 'status', 'scale']) {
            const claimed = (k.roles ?? []).some(
              (g) =>
                (INCLUDED_IN[g.role] as readonly string[]).includes(role) &&
                g.verbs.includes(verb) &&
                (g.subresources ?? ['']).includes(subresource),
            )
            const request = { verb, apiGroup: k.group, resource: k.resource, ...(subresource && { subresource }), namespace: 'default' }
            expect({ role, verb, subresource, allowed: rules.some((rule) => ruleAllows(rule, request)) }).toEqual({
              role,
              verb,
              subresource,
              allowed: claimed,
            })
          }
        }
      }
    })

    it('names sensitive fields its schema has', () => {
      for (const path of k.sensitiveFields ?? []) {
        for (const version of k.versions) expect(shapeAt(shapeOf(k.schema[version]!), [...path])).toBeDefined()
      }
    })
  })
})
