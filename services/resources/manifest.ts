import { errors } from '../errors.js'
import { isObject } from '../json.js'
import { parseJson } from './manifest/json-documents.js'
import { limitsFrom, type DecodeOptions } from './manifest/limits.js'
import { parseYaml } from './manifest/yaml-documents.js'

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

export type { DecodeOptions } from './manifest/limits.js'

/** One Kubernetes object of a manifest, and where in the input it stood. */
export interface DecodedManifest {
  object: Record<string, unknown>
  /** 0-based document index in the input */
  index: number
  /** 0-based position in the `items` of the List this object was flattened from; absent otherwise. */
  item?: number
}

/**
 * Decodes YAML (one or more `---`-separated documents) or JSON (an object, an array of objects, or a
 * `kind: List` / `*List` with items, which is flattened) into Kubernetes objects. Empty and null
 * documents are skipped. Throws a BadRequest StatusError naming the document and the problem, or
 * RequestEntityTooLarge when the input exceeds `maxBytes`.
 */
export function decodeManifests(input: string | Uint8Array, options: DecodeOptions = {}): DecodedManifest[] {
  const limits = limitsFrom(options)
  const text = decodeText(input, limits.maxBytes)
  const first = /\S/.exec(text)?.[0]
  // JSON documents separated by YAML's `---` lines are a YAML stream (JSON is YAML), as kubectl reads them.
  const json = (first === '{' || first === '[') && !/^---\s*$/m.test(text)
  const documents = json ? parseJson(text, limits) : parseYaml(text, limits)
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
  if (!isObject(value)) {
    throw errors.badRequest(`${label}: expected a Kubernetes object (a mapping with apiVersion and kind), got ${describe(value)}`)
  }
  for (const [field, name] of [
    ['kind', 'Kind'],
    ['apiVersion', 'apiVersion'],
  ] as const) {
    const given = value[field]
    if (given === undefined || given === null || given === '') {
      const json = JSON.stringify(value)
      throw errors.badRequest(`${label}: Object '${name}' is missing in '${json.length > 120 ? `${json.slice(0, 120)}…` : json}'`)
    }
    if (typeof given !== 'string') throw errors.badRequest(`${label}: '${field}' must be a string, got ${describe(given)}`)
  }
  if (Object.hasOwn(value, 'metadata') && !isObject(value['metadata'])) {
    throw errors.badRequest(`${label}: 'metadata' must be a mapping, got ${describe(value['metadata'])}`)
  }
  return value
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'a mapping'
  const shown = JSON.stringify(value)
  return `the ${typeof value} ${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}`
}
