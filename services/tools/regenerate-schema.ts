/**
 * Regenerates `kubernetes-1.32.definitions.json`: the OpenAPI v2 `definitions` of every kind revkube
 * serves, and of every other kind Kubernetes 1.32 serves at a GA version (and what they reference),
 * from Kubernetes' own OpenAPI as the official JavaScript client carries it. A new built-in kind
 * therefore finds its definition there already: its KindDefinition names it (`schema`), and
 * nothing needs regenerating. Run it when a kind at another version is added or Kubernetes moves:
 *
 *     node --import tsx services/tools/regenerate-schema.ts
 *
 * The source is `@kubernetes/client-node@1.1.x`, generated from Kubernetes 1.32's OpenAPI (its models
 * say "OpenAPI spec version: v1.32.0"); it is fetched with `npm pack` into a temporary folder and
 * is not a dependency of revkube. Each model class carries `attributeTypeMap` entries
 * `{baseName, type, format}`, which map back to OpenAPI property schemas. Two things the client's
 * models lost are restored here, each in one small table: which Go package declares a type the
 * class name does not place (`PLACED`), and which string properties are `resource.Quantity`
 * (`QUANTITIES`, which accept JSON numbers as well).
 * Kinds that Kubernetes 1.32 lacks (revkube's own, or served at a newer version) are written by
 * hand in `revkube.definitions.json` beside the output; this script checks that the definition
 * every served kind × version names is in one of the two.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { builtinKinds } from '../resources/registry.js'

const PACKAGE = '@kubernetes/client-node@1.1.x'
const OUTPUT = new URL('../resources/schema/kubernetes-1.32.definitions.json', import.meta.url)
const HAND_WRITTEN = new URL('../resources/schema/revkube.definitions.json', import.meta.url)

type Schema = Record<string, unknown>
interface Attribute {
  baseName: string
  type: string
  format: string
}
type Model = { attributeTypeMap?: Attribute[] }

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1'
/** apimachinery's meta/v1 types: the client names them like any V1 model. */
const META_TYPES = new Set([
  'APIGroup',
  'APIGroupList',
  'APIResource',
  'APIResourceList',
  'APIVersions',
  'Condition',
  'DeleteOptions',
  'FieldSelectorRequirement',
  'GroupVersionForDiscovery',
  'LabelSelector',
  'LabelSelectorRequirement',
  'ListMeta',
  'ManagedFieldsEntry',
  'ObjectMeta',
  'OwnerReference',
  'Preconditions',
  'ServerAddressByClientCIDR',
  'Status',
  'StatusCause',
  'StatusDetails',
  'WatchEvent',
])
/** Types Kubernetes declares in core/v1 although only another group's kinds use them. */
const PLACED: Record<string, string> = {
  V1TopologySelectorTerm: 'io.k8s.api.core.v1.TopologySelectorTerm',
  V1TopologySelectorLabelRequirement: 'io.k8s.api.core.v1.TopologySelectorLabelRequirement',
  // The /scale subresource's type: no API lists it.
  V1Scale: 'io.k8s.api.autoscaling.v1.Scale',
  V1ScaleSpec: 'io.k8s.api.autoscaling.v1.ScaleSpec',
  V1ScaleStatus: 'io.k8s.api.autoscaling.v1.ScaleStatus',
}
/** Properties of type `resource.Quantity` (the client types them `string`, or maps of `string`). */
const QUANTITIES: Record<string, string[]> = {
  'io.k8s.api.autoscaling.v2.MetricTarget': ['averageValue', 'value'],
  'io.k8s.api.autoscaling.v2.MetricValueStatus': ['averageValue', 'value'],
  'io.k8s.api.core.v1.ContainerStatus': ['allocatedResources'],
  'io.k8s.api.core.v1.EmptyDirVolumeSource': ['sizeLimit'],
  'io.k8s.api.core.v1.LimitRangeItem': ['default', 'defaultRequest', 'max', 'maxLimitRequestRatio', 'min'],
  'io.k8s.api.core.v1.NodeStatus': ['allocatable', 'capacity'],
  'io.k8s.api.core.v1.PersistentVolumeClaimStatus': ['allocatedResources', 'capacity'],
  'io.k8s.api.core.v1.PersistentVolumeSpec': ['capacity'],
  'io.k8s.api.core.v1.PodSpec': ['overhead'],
  'io.k8s.api.core.v1.ResourceFieldSelector': ['divisor'],
  'io.k8s.api.core.v1.ResourceQuotaSpec': ['hard'],
  'io.k8s.api.core.v1.ResourceQuotaStatus': ['hard', 'used'],
  'io.k8s.api.core.v1.ResourceRequirements': ['limits', 'requests'],
  'io.k8s.api.core.v1.VolumeResourceRequirements': ['limits', 'requests'],
}
/** Beside each served kind and its List: what every API answers with or takes. */
const EXTRA_ROOTS: Array<{ group: string; version: string; kind: string }> = [
  { group: '', version: 'v1', kind: 'Status' },
  { group: '', version: 'v1', kind: 'DeleteOptions' },
  { group: 'autoscaling', version: 'v1', kind: 'Scale' },
]
const LEAVES: Record<string, Schema> = {
  [`${META}.Time`]: { type: 'string', format: 'date-time' },
  [`${META}.MicroTime`]: { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
}

/** The Go package's OpenAPI prefix for an API group: `apps` → io.k8s.api.apps, `` → io.k8s.api.core. */
function packageOf(group: string): string {
  if (group === '') return 'io.k8s.api.core'
  if (group === 'internal.apiserver.k8s.io') return 'io.k8s.api.apiserverinternal'
  return `io.k8s.api.${group.split('.')[0]}`
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
const VERSIONED = /^(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/

function fetchModels(): { models: Record<string, Model>; apis: Map<string, string>; specVersion: string; packageVersion: string } {
  const dir = mkdtempSync(join(tmpdir(), 'revkube-openapi-'))
  try {
    const tarball = execFileSync('npm', ['pack', PACKAGE, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!
    execFileSync('tar', ['xzf', tarball], { cwd: dir })
    const gen = join(dir, 'package', 'dist', 'gen')
    const packageVersion = (JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8')) as { version: string }).version
    const specVersion = /OpenAPI spec version: (\S+)/.exec(readFileSync(join(gen, 'models', 'V1Pod.js'), 'utf8'))?.[1] ?? 'unknown'
    // Each API class lists one group/version: its paths name it, its list calls name the List models.
    const apis = new Map<string, string>()
    for (const file of readdirSync(join(gen, 'apis')).filter((f) => /V\d\w*Api\.js$/.test(f))) {
      const text = readFileSync(join(gen, 'apis', file), 'utf8')
      const path = /localVarPath = '\/(?:api\/(v1)|apis\/([^/']+)\/([^/']+))\//.exec(text)
      if (!path) continue
      const groupVersion = path[1] ? `/v1` : `${path[2]}/${path[3]}`
      for (const [, list] of text.matchAll(/"(\w+List)", ""\)/g)) apis.set(list!, groupVersion)
    }
    return { models: loadModels(join(gen, 'models')), apis, specVersion, packageVersion }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function loadModels(dir: string): Record<string, Model> {
  // The models are ES modules that import each other; read their attribute maps without running them.
  const models: Record<string, Model> = {}
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'all.js' && f !== 'ObjectSerializer.js')) {
    const text = readFileSync(join(dir, file), 'utf8')
    const map = /\.attributeTypeMap = (\[[\s\S]*?\n\]);/.exec(text)
    if (map) models[file.slice(0, -3)] = { attributeTypeMap: JSON.parse(map[1]!) as Attribute[] }
  }
  return models
}

/** The model types a type string names: `Array<V1Container>` → V1Container. */
function referenced(type: string, models: Record<string, Model>): string[] {
  return [...type.matchAll(/\w+/g)].map((m) => m[0]).filter((name) => models[name] !== undefined)
}

function main(): void {
  const { models, apis, specVersion, packageVersion } = fetchModels()

  // Which group/versions reach each model, from every API's listed kinds: where a type is declared.
  const itemOf = (list: string) => models[list]?.attributeTypeMap?.find((a) => a.baseName === 'items')?.type.replace(/^Array<(\w+)>$/, '$1')
  const rootGroup = new Map<string, string>()
  const reachedBy = new Map<string, Set<string>>()
  for (const [list, groupVersion] of apis) {
    const item = itemOf(list)
    if (!item) continue
    const group = groupVersion.split('/')[0]!
    rootGroup.set(item, group)
    rootGroup.set(list, group)
    const stack = [item]
    const seen = new Set<string>()
    while (stack.length > 0) {
      const name = stack.pop()!
      if (seen.has(name)) continue
      seen.add(name)
      if (!reachedBy.has(name)) reachedBy.set(name, new Set())
      reachedBy.get(name)!.add(group)
      for (const a of models[name]?.attributeTypeMap ?? []) stack.push(...referenced(a.type, models))
    }
  }
  const nameOf = (model: string): string => {
    if (PLACED[model]) return PLACED[model]
    const prefixed = /^([A-Z][a-z]+)(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/.exec(model)
    const versioned = VERSIONED.exec(model)
    if (!versioned && !prefixed) throw new Error(`cannot place model ${model}`)
    if (prefixed && !versioned) return `io.k8s.api.${prefixed[1]!.toLowerCase()}.${prefixed[2]!.toLowerCase()}.${prefixed[3]}`
    const [, version, short] = versioned!
    if (META_TYPES.has(short!)) return `${META}.${short}`
    const groups = reachedBy.get(model) ?? new Set()
    const group = rootGroup.get(model) ?? (groups.has('') ? '' : groups.size === 1 ? [...groups][0]! : undefined)
    if (group === undefined) throw new Error(`cannot place model ${model}: used by ${[...groups].join(', ') || 'no API'}`)
    return `${packageOf(group)}.${version!.toLowerCase()}.${short}`
  }

  // The roots: every served kind × version, its List, and the extras.
  const handWritten = (JSON.parse(readFileSync(HAND_WRITTEN, 'utf8')) as { definitions: Record<string, Schema> }).definitions
  const coveredByHand = new Set(
    Object.values(handWritten).flatMap((d) =>
      ((d['x-kubernetes-group-version-kind'] as Array<Record<string, string>> | undefined) ?? []).map(gvkKey),
    ),
  )
  const roots: Array<{ model: string; gvk: { group: string; version: string; kind: string } }> = []
  const missing: string[] = []
  const served = builtinKinds.flatMap((k) =>
    k.versions.flatMap((version) => [
      { group: k.group, version, kind: k.kind },
      { group: k.group, version, kind: `${k.kind}List` },
    ]),
  )
  // Every other kind Kubernetes serves at a GA version (v1, v2), so that adding one regenerates nothing.
  const isServed = (gvk: { group: string; version: string; kind: string }) => served.some((s) => gvkKey(s) === gvkKey(gvk))
  const generallyAvailable = [...apis].flatMap(([list, groupVersion]) => {
    const item = itemOf(list)
    const [group = '', version = ''] = groupVersion.split('/')
    if (!item || !/^v\d+$/.test(version)) return []
    const kind = item.replace(/^(?:[A-Z][a-z]+)?V\d+(?:alpha\d+|beta\d+)?/, '')
    return [
      { group, version, kind },
      { group, version, kind: `${kind}List` },
    ].filter((gvk) => !isServed(gvk))
  })
  const wanted = [...served, ...generallyAvailable, ...EXTRA_ROOTS]
  for (const gvk of wanted) {
    if (coveredByHand.has(gvkKey(gvk))) continue
    const plain = `${capital(gvk.version)}${gvk.kind}`
    const prefixed = `${capital((gvk.group || 'core').split('.')[0]!)}${plain}`
    const model = [prefixed, plain].find(
      (m) => models[m] && (gvk.kind.endsWith('List') || EXTRA_ROOTS.includes(gvk) || rootGroup.get(m) === gvk.group),
    )
    if (model) roots.push({ model, gvk })
    else if (!gvk.kind.endsWith('List')) missing.push(gvkKey(gvk))
  }
  if (missing.length > 0) throw new Error(`no definition for ${missing.join(', ')}: add it to ${HAND_WRITTEN.pathname}`)

  const definitions: Record<string, Schema> = {}
  const queue = roots.map((r) => r.model)
  const done = new Set<string>()
  while (queue.length > 0) {
    const model = queue.pop()!
    if (done.has(model)) continue
    done.add(model)
    const name = nameOf(model)
    const quantities = new Set(QUANTITIES[name] ?? [])
    const properties: Record<string, Schema> = {}
    for (const a of models[model]!.attributeTypeMap ?? []) {
      properties[a.baseName] = propertySchema(a, quantities.has(a.baseName), (ref) => {
        queue.push(ref)
        return nameOf(ref)
      })
      quantities.delete(a.baseName)
    }
    if (quantities.size > 0) throw new Error(`${name} has no properties ${[...quantities].join(', ')} (QUANTITIES is out of date)`)
    definitions[name] = { type: 'object', properties }
  }
  for (const { model, gvk } of roots) definitions[nameOf(model)]!['x-kubernetes-group-version-kind'] = [gvk]
  Object.assign(definitions, LEAVES)
  const unnamed = builtinKinds.flatMap((k) =>
    k.versions
      .filter((v) => !definitions[k.schema[v] ?? ''] && !handWritten[k.schema[v] ?? ''])
      .map((v) => `${k.kind} ${v}: ${k.schema[v]}`),
  )
  if (unnamed.length > 0) throw new Error(`the schema a kind names is in neither document: ${unnamed.join(', ')}`)

  const sorted = Object.fromEntries(
    Object.keys(definitions)
      .sort()
      .map((k) => [k, definitions[k]]),
  )
  const document = {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: specVersion },
    'x-revkube-source': `@kubernetes/client-node@${packageVersion} models (OpenAPI spec version ${specVersion}), by services/tools/regenerate-schema.ts`,
    definitions: sorted,
  }
  writeFileSync(OUTPUT, `${JSON.stringify(document, null, 1)}\n`)
  console.log(`wrote ${Object.keys(sorted).length} definitions for ${roots.length} kinds and lists to ${OUTPUT.pathname}`)
}

function gvkKey(gvk: Record<string, string>): string {
  return `${gvk.group ? `${gvk.group}/` : ''}${gvk.version}, Kind=${gvk.kind}`
}

/** One attribute as an OpenAPI property schema. */
function propertySchema(a: Attribute, quantity: boolean, ref: (model: string) => string): Schema {
  const of = (type: string, format: string): Schema => {
    const array = /^Array<(.+)>$/.exec(type)
    if (array) return { type: 'array', items: of(array[1]!, format) }
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type)
    if (map) return { type: 'object', additionalProperties: of(map[1]!, format) }
    if (quantity && type === 'string') return { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' }
    switch (type) {
      case 'string':
        return format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' }
      case 'boolean':
        return { type: 'boolean' }
      case 'number':
        return format === 'int32' || format === 'int64' ? { type: 'integer', format } : { type: 'number', format: format || 'double' }
      case 'Date':
        return { $ref: `#/definitions/${META}.Time` }
      case 'V1MicroTime':
        return { $ref: `#/definitions/${META}.MicroTime` }
      case 'IntOrString':
        return { $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }
      case 'any':
      case 'object':
        return { 'x-kubernetes-preserve-unknown-fields': true }
      default:
        return { $ref: `#/definitions/${ref(type)}` }
    }
  }
  return of(a.type, a.format)
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) main()
