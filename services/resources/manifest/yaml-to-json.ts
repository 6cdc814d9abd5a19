import { isAlias, isMap, isNode, isScalar, isSeq, visit } from 'yaml'
import type { Alias, Document } from 'yaml'
import { isObject, setKey } from '../../json.js'
import { CORE } from './go-yaml-scalars.js'
import { bigInteger, tooDeep, type Limits } from './limits.js'
import { lineColumn, problemAt } from './source-position.js'

/**
 * A composed YAML document as the JSON value sigs.k8s.io/yaml makes of it: mapping keys become
 * strings, duplicate keys and non-JSON numbers are errors, explicit keys win over `<<` merges, and
 * alias expansion is bounded (`maxAliasCount`).
 */

/** However small a document, its aliases may add this many values; beyond that, as many as it holds. */
const MIN_ALIAS_VALUES = 10_000

interface Conversion {
  text: string
  label: string
  limits: Limits
  /** Aliases and anchored nodes in document order: an alias means the last anchor of its name before it. */
  anchors: unknown[]
  aliases: number
  /** Values produced inside alias expansions so far, how many are allowed, and the outermost alias expanding. */
  expanded: number
  budget: number
  expanding: Alias | undefined
}

/** The JSON value of document `index` (0-based) of `text`; throws a BadRequest naming the document. */
export function documentValue(doc: Document.Parsed, text: string, index: number, limits: Limits): unknown {
  const label = `document ${index + 1}`
  const [error] = doc.errors
  if (error) throw problemAt(label, text, error.pos[0], `invalid YAML: ${error.message}`)
  const tag = doc.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED')
  if (tag) {
    const problem = tag.message.replace('Unresolved tag:', 'unsupported tag').replace(CORE, '!!')
    throw problemAt(label, text, tag.pos[0], `${problem}: a manifest holds only strings, numbers, booleans, null, mappings and lists`)
  }
  const anchors: unknown[] = []
  let nodes = 0
  visit(doc, {
    Node: (_, node) => {
      nodes++
      if (isAlias(node) || node.anchor) anchors.push(node)
    },
  })
  const budget = Math.max(MIN_ALIAS_VALUES, nodes)
  return toPlain(doc.contents, { text, label, limits, anchors, aliases: 0, expanded: 0, budget, expanding: undefined }, 1)
}

/** The JSON value of a YAML node; `depth` is the nesting level it has if it is a collection. */
function toPlain(node: unknown, c: Conversion, depth: number): unknown {
  if (node === null) return null
  if (c.expanding && ++c.expanded > c.budget) fail(c, c.expanding, `aliases expand to more than ${c.budget} values (an alias bomb?)`)
  if (isAlias(node)) {
    const target = dereference(node, c)
    const outer = c.expanding
    c.expanding ??= node
    const value = toPlain(target, c, depth)
    c.expanding = outer
    return value
  }
  if (isScalar(node)) {
    const { value } = node
    if (typeof value === 'bigint') fail(c, node, bigInteger(node.source ?? String(value)))
    if (typeof value === 'number' && !Number.isFinite(value)) fail(c, node, `${node.source ?? value} is not a JSON number`)
    return value
  }
  if (!isMap(node) && !isSeq(node)) return fail(c, node, 'unsupported YAML node')
  if (depth > c.limits.maxDepth) fail(c, node, tooDeep(c.limits))
  if (isSeq(node)) return node.items.map((item) => toPlain(item, c, depth + 1))
  const object: Record<string, unknown> = {}
  const seen = new Map<string, unknown>()
  const merges: unknown[] = []
  for (const { key, value } of node.items) {
    if (isScalar(key) && typeof key.value === 'symbol') {
      merges.push(value) // a plain `<<`
      continue
    }
    const name = keyString(key, c)
    const previous = seen.get(name)
    if (previous) fail(c, key, `duplicate key ${JSON.stringify(name)} (first defined at ${lineColumn(c.text, offsetOf(previous))})`)
    seen.set(name, key)
    setKey(object, name, toPlain(value, c, depth + 1))
  }
  for (const merge of merges) {
    const plain = toPlain(merge, c, depth)
    for (const source of Array.isArray(plain) ? plain : [plain]) {
      if (!isObject(source)) fail(c, merge, "a merge key '<<' takes a mapping or a list of mappings")
      for (const [name, value] of Object.entries(source)) if (!Object.hasOwn(object, name)) setKey(object, name, value)
    }
  }
  return object
}

function dereference(alias: Alias, c: Conversion): unknown {
  if (++c.aliases > c.limits.maxAliasCount) {
    fail(c, alias, `more than ${c.limits.maxAliasCount} alias expansions, which looks like an alias bomb ("billion laughs")`)
  }
  let target: unknown
  for (const node of c.anchors) {
    if (node === alias) break
    if (isNode(node) && !isAlias(node) && node.anchor === alias.source) target = node
  }
  return target ?? fail(c, alias, `unknown anchor "${alias.source}"`)
}

/** A mapping key as sigs.k8s.io/yaml writes it into JSON. */
function keyString(key: unknown, c: Conversion): string {
  const node = isAlias(key) ? dereference(key, c) : key
  const value: unknown = isScalar(node) ? node.value : node
  if (typeof value === 'string') return value
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : `${value < 0 ? '-' : ''}.${value ? 'inf' : 'nan'}`
  const what = value === null ? 'null' : isMap(node) ? 'a mapping' : isSeq(node) ? 'a list' : 'this'
  return fail(c, key, `a mapping key must be a string, number or boolean, not ${what}`)
}

function offsetOf(node: unknown): number {
  return (isNode(node) && node.range?.[0]) || 0
}

function fail(c: Conversion, node: unknown, problem: string): never {
  throw problemAt(c.label, c.text, offsetOf(node), problem)
}
