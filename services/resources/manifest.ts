import { Composer, Lexer, Parser, isAlias, isMap, isNode, isScalar, isSeq, visit } from 'yaml'
import type { Alias, CST, Document, ScalarTag, Tags } from 'yaml'
import { errors } from '../errors.js'

/**
 * Decoding Kubernetes manifests as users keep them (YAML streams or JSON) into plain JSON objects.
 *
 * Unquoted YAML scalars resolve as in Kubernetes: kubectl and the apiserver read YAML with
 * sigs.k8s.io/yaml, which parses with go-yaml v2 (YAML 1.1 rules) into untyped values, then makes JSON
 * (its doc: "literal 'yes' and 'no' strings without quotation marks will be converted to true/false").
 * A `value: yes` meant as a string is then a boolean, and fails validation, as with kubectl.
 * So, in values and in keys (keys then become strings: `on:` and `y:` become "true"):
 * - `y Y yes Yes YES on On ON true True TRUE` are true, `n N no No NO off Off OFF false False FALSE` false;
 * - `~ null Null NULL` and nothing are null;
 * - integers may be decimal, `0x` hex, `0o` or leading-zero octal (`0755` is 493), `0b` binary, with `_`;
 * - `1.5`, `.5`, `1e3` are floats; `.inf` and `.nan` are rejected (JSON has no such numbers);
 * - timestamps, `12:30` (YAML 1.1 sexagesimal) and everything else stay strings.
 * Integer literals beyond ±(2^53−1) are rejected: Kubernetes keeps them exactly (int64), a JavaScript
 * number cannot, and a silently changed number is worse than an error.
 * Stricter than go-yaml v2 on purpose: duplicate keys are errors (as in its strict mode), explicit keys
 * win over `<<` merged keys wherever they stand (the merge spec; go-yaml v3), and tags other than the
 * core ones (`!!binary`, `!!set`, `!Ref`) are rejected instead of passed through as strings.
 */

export interface DecodeOptions {
  /** Largest input accepted, in bytes. @default 3 * 1024 * 1024 (Kubernetes' request body limit) */
  maxBytes?: number
  /**
   * Deepest nesting of objects/arrays accepted. The YAML composer recurses per level, so above several
   * hundred Node's default stack gives out first (reported as invalid YAML). @default 100
   */
  maxDepth?: number
  /** Most documents accepted. @default 1000 */
  maxDocuments?: number
  /**
   * Most alias expansions (`*name`, also in `<<` merges) per YAML document, counting those inside other
   * expansions, so that nested alias bombs ("billion laughs") fail after a few levels. @default 100
   */
  maxAliasCount?: number
}

export interface DecodedManifest {
  object: Record<string, unknown>
  /** 0-based document index in the input */
  index: number
  /** 0-based position in the `items` of the List this object was flattened from; absent otherwise. */
  item?: number
}

type Limits = Required<DecodeOptions>
interface RawDocument { value: unknown; index: number }

/** However small a document, its aliases may add this many values; beyond that, as many as it holds. */
const MIN_ALIAS_VALUES = 10_000
const CORE = 'tag:yaml.org,2002:'

/**
 * Decodes YAML (one or more `---`-separated documents) or JSON (an object, an array of objects, or a
 * `kind: List` / `*List` with items, which is flattened) into Kubernetes objects. Empty and null
 * documents are skipped. Throws a BadRequest StatusError naming the document and the problem, or
 * RequestEntityTooLarge when the input exceeds `maxBytes`.
 */
export function decodeManifests(input: string | Uint8Array, options: DecodeOptions = {}): DecodedManifest[] {
  const limits: Limits = {
    maxBytes: options.maxBytes ?? 3 * 1024 * 1024,
    maxDepth: options.maxDepth ?? 100,
    maxDocuments: options.maxDocuments ?? 1000,
    maxAliasCount: options.maxAliasCount ?? 100,
  }
  const text = decodeText(input, limits.maxBytes)
  const first = /\S/.exec(text)?.[0]
  const documents = first === '{' || first === '[' ? parseJson(text, limits) : parseYaml(text, limits)
  return documents.flatMap(({ value, index }) => manifests(value, index))
}

function decodeText(input: string | Uint8Array, maxBytes: number): string {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength
  if (size > maxBytes) throw errors.tooLarge(`manifest is too large: ${size} bytes, the limit is ${maxBytes} bytes`)
  if (typeof input === 'string') return input.startsWith('\uFEFF') ? input.slice(1) : input
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input) // drops a leading BOM
  } catch {
    throw errors.badRequest('manifest is not valid UTF-8 text')
  }
}

function parseJson(text: string, limits: Limits): RawDocument[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const offset = /at position (\d+)/.exec(message)?.[1]
    throw errors.badRequest(`invalid JSON${offset ? ` at ${lineColumn(text, Number(offset))}` : ''}: ${message}`)
  }
  scanJson(text, limits)
  if (!Array.isArray(value)) return [{ value, index: 0 }]
  if (value.length > limits.maxDocuments) throw tooManyDocuments(limits)
  return value.map((element: unknown, index) => ({ value: element, index }))
}

const jsonToken = /"(?:[^"\\]|\\.)*"|[{}[\]:,]|[^"{}[\]:,\s]+/g

/** Rejects what JSON.parse lets through: duplicate keys, too deep nesting, integers it would round. */
function scanJson(text: string, limits: Limits): void {
  const open: Array<Set<string> | undefined> = [] // the keys of each open object; undefined for arrays
  let key = { name: '', offset: 0 } // the last string, which is the key when a ':' follows
  let element = 0 // of a top-level array
  const problem = (offset: number, message: string) => at(`document ${element + 1}`, text, offset, message)
  for (const { 0: token, index: offset } of text.matchAll(jsonToken)) {
    if (token === '{' || token === '[') {
      if (open.length >= limits.maxDepth) throw problem(offset, tooDeep(limits))
      open.push(token === '{' ? new Set() : undefined)
    } else if (token === '}' || token === ']') open.pop()
    else if (token === ',' && open.length === 1 && open[0] === undefined) element++
    else if (token === ':') {
      if (open.at(-1)?.has(key.name)) throw problem(key.offset, `duplicate key ${JSON.stringify(key.name)}`)
      open.at(-1)?.add(key.name)
    } else if (token.startsWith('"')) key = { name: JSON.parse(token) as string, offset }
    else if (/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) throw problem(offset, bigInteger(token))
  }
}

function parseYaml(text: string, limits: Limits): RawDocument[] {
  const composer = new Composer({
    schema: 'core',
    customTags: goYamlScalars,
    resolveKnownTags: false,
    merge: true,
    uniqueKeys: false, // checked while converting, in linear time
  })
  const documents: RawDocument[] = []
  let index = 0
  for (const doc of composer.compose(guardedTokens(text, limits))) {
    const value = documentValue(doc, text, index, limits)
    if (value !== null) documents.push({ value, index })
    index++
  }
  return documents
}

/** The CST of `text`, refusing too many documents and too deep nesting before the (recursive) composer sees them. */
function* guardedTokens(text: string, limits: Limits): Generator<CST.Token> {
  const parser = new Parser()
  let documents = 0
  let flow = 0
  const check = (token: CST.Token): CST.Token => {
    if (token.type !== 'document') return token
    if (++documents > limits.maxDocuments) throw tooManyDocuments(limits)
    const deep = deeperThan(token.value, limits.maxDepth)
    if (deep !== undefined) throw at(`document ${documents}`, text, deep, tooDeep(limits))
    return token
  }
  for (const lexeme of new Lexer().lex(text)) {
    // Flow nesting shows here already: rejecting it now spares parsing megabytes of `[[[[`.
    if (lexeme === '[' || lexeme === '{') {
      if (++flow > limits.maxDepth) throw at(`document ${documents + 1}`, text, parser.offset, tooDeep(limits))
    } else if (lexeme === ']' || lexeme === '}') flow = Math.max(0, flow - 1)
    for (const token of parser.next(lexeme)) yield check(token)
  }
  for (const token of parser.end()) yield check(token)
}

/** Offset of the first collection nested deeper than `max` in a CST node, walked without recursion. */
function deeperThan(root: CST.Token | undefined, max: number): number | undefined {
  const stack: Array<[CST.Token, number]> = root ? [[root, 1]] : []
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [token, depth] = next
    if (!('items' in token)) continue
    if (depth > max) return token.offset
    for (const { key, value } of token.items) {
      if (key) stack.push([key, depth + 1])
      if (value) stack.push([value, depth + 1])
    }
  }
  return undefined
}

/** go-yaml v2's implicit scalar types (see the module comment) in place of YAML 1.2 core's. */
function goYamlScalars(tags: Tags): Tags {
  const kept = tags.filter(tag => typeof tag === 'object' && (tag.collection || tag.tag === `${CORE}str` || tag.tag === `${CORE}null`))
  const scalar = (tag: string, test: RegExp, resolve: ScalarTag['resolve']): ScalarTag => ({ tag: CORE + tag, default: true, test, resolve })
  return [
    ...kept,
    scalar('bool', /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/, () => true),
    scalar('bool', /^(?:n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/, () => false),
    scalar('int', /^[-+]?(?:0[xX]_*[0-9a-fA-F][0-9a-fA-F_]*|0[oO]_*[0-7][0-7_]*|0[bB]_*[01][01_]*|[0-9][0-9_]*)$/, goInteger),
    scalar('float', /^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$/, s => Number(s.replaceAll('_', ''))),
    scalar('float', /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/, s => (/n/i.test(s) ? NaN : s.startsWith('-') ? -Infinity : Infinity)),
  ]
}

/** An integer as Go's strconv.ParseInt(s, 0, 64) reads it once go-yaml has dropped `_`; a bigint if unsafe. */
function goInteger(source: string): number | bigint {
  const plain = source.replaceAll('_', '')
  const digits = plain.replace(/^[-+]/, '')
  const prefixed = /^0[xob]/i.test(digits) ? `0${digits[1]!.toLowerCase()}${digits.slice(2)}` : digits
  const magnitude = BigInt(/^0[0-7]+$/.test(prefixed) ? `0o${prefixed.slice(1)}` : prefixed)
  const value = plain.startsWith('-') ? -magnitude : magnitude
  return Number.isSafeInteger(Number(value)) ? Number(value) : value
}

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

function documentValue(doc: Document.Parsed, text: string, index: number, limits: Limits): unknown {
  const label = `document ${index + 1}`
  const [error] = doc.errors
  if (error) throw at(label, text, error.pos[0], `invalid YAML: ${error.message}`)
  const tag = doc.warnings.find(warning => warning.code === 'TAG_RESOLVE_FAILED')
  if (tag) {
    const problem = tag.message.replace('Unresolved tag:', 'unsupported tag').replace(CORE, '!!')
    throw at(label, text, tag.pos[0], `${problem}: a manifest holds only strings, numbers, booleans, null, mappings and lists`)
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
  if (isSeq(node)) return node.items.map(item => toPlain(item, c, depth + 1))
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
    define(object, name, toPlain(value, c, depth + 1))
  }
  for (const merge of merges) {
    const plain = toPlain(merge, c, depth)
    for (const source of Array.isArray(plain) ? plain : [plain]) {
      if (!isRecord(source)) fail(c, merge, "a merge key '<<' takes a mapping or a list of mappings")
      for (const [name, value] of Object.entries(source)) if (!Object.hasOwn(object, name)) define(object, name, value)
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

function define(object: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, so that a key `__proto__` is an ordinary field and never the prototype
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
}

function offsetOf(node: unknown): number {
  return (isNode(node) && node.range?.[0]) || 0
}

function fail(c: Conversion, node: unknown, problem: string): never {
  throw at(c.label, c.text, offsetOf(node), problem)
}

function manifests(value: unknown, index: number): DecodedManifest[] {
  const label = `document ${index + 1}`
  const object = kubernetesObject(value, label)
  if (!isList(object)) return [{ object, index }]
  const items = object['items'] ?? []
  if (!Array.isArray(items)) throw errors.badRequest(`${label}: 'items' must be a list, got ${describe(items)}`)
  return items.map((entry: unknown, item) => {
    const member = kubernetesObject(entry, `${label}, item ${item + 1}`)
    if (isList(member)) throw errors.badRequest(`${label}, item ${item + 1}: a list inside a list is not supported`)
    return { object: member, index, item }
  })
}

/** `kind: List`, or a `*List` kind with items (a custom resource may well be called `AllowList`). */
function isList(object: Record<string, unknown>): boolean {
  const kind = String(object['kind'])
  return kind === 'List' || (kind.endsWith('List') && object['items'] != null)
}

function kubernetesObject(value: unknown, label: string): Record<string, unknown> {
  if (!isRecord(value)) {
    throw errors.badRequest(`${label}: expected a Kubernetes object (a mapping with apiVersion and kind), got ${describe(value)}`)
  }
  for (const [field, name] of [['kind', 'Kind'], ['apiVersion', 'apiVersion']] as const) {
    const given = value[field]
    if (given === undefined || given === null || given === '') {
      const json = JSON.stringify(value)
      throw errors.badRequest(`${label}: Object '${name}' is missing in '${json.length > 120 ? `${json.slice(0, 120)}…` : json}'`)
    }
    if (typeof given !== 'string') throw errors.badRequest(`${label}: '${field}' must be a string, got ${describe(given)}`)
  }
  if (Object.hasOwn(value, 'metadata') && !isRecord(value['metadata'])) {
    throw errors.badRequest(`${label}: 'metadata' must be a mapping, got ${describe(value['metadata'])}`)
  }
  return value
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'a mapping'
  const shown = JSON.stringify(value)
  return `the ${typeof value} ${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}`
}

/** `line L, column C` (both 1-based) of an offset in `text`. */
function lineColumn(text: string, offset: number): string {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return `line ${line}, column ${offset - lineStart + 1}`
}

const at = (label: string, text: string, offset: number, problem: string) =>
  errors.badRequest(`${label}: ${lineColumn(text, offset)}: ${problem}`)
const tooDeep = (limits: Limits) => `nested deeper than ${limits.maxDepth} levels`
const tooManyDocuments = (limits: Limits) => errors.badRequest(`more than ${limits.maxDocuments} documents`)
const bigInteger = (literal: string) =>
  `integer ${literal} is beyond ±9007199254740991 (2^53−1) and cannot be kept exactly; quote it to keep it as a string`
