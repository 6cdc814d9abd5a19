import { clone, deepEqual, isObject, objectAt, type JsonObject } from '../../json.js'

/** The label that ties a ReplicaSet and its pods to one pod template (`DefaultDeploymentUniqueLabelKey`). */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash'

const FNV32_OFFSET = 0x811c9dc5
const FNV32_PRIME = 0x01000193

/** FNV-1a, 32 bits (Go's hash/fnv New32a). */
export function fnv32a(bytes: Uint8Array, hash = FNV32_OFFSET): number {
  let h = hash
  for (const byte of bytes) h = Math.imul(h ^ byte, FNV32_PRIME) >>> 0
  return h >>> 0
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789'

/** apimachinery's `rand.SafeEncodeString`: each byte mapped into an alphabet without vowels (nor 0, 1, 3). */
export function safeEncodeString(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (byte) => ALPHANUMS[byte % ALPHANUMS.length]).join('')
}

/**
 * `controller.ComputeHash`: FNV-32a of the pod template, then of the collision count (as eight
 * bytes, the first four little-endian) when there is one, printed in decimal and encoded with
 * `SafeEncodeString`, so names look like Kubernetes' (`web-7ff854f459`: 1–10 characters of
 * `[4-9bcdf]`). Kubernetes feeds FNV a Go-syntax dump of its PodTemplateSpec struct (which
 * changes with every field Kubernetes adds, so even its own hashes differ across releases); we
 * feed it the template's canonical JSON (keys sorted, empty values dropped), so the same template
 * always hashes the same here, but not to the value a real cluster would print.
 */
export function computeHash(template: unknown, collisionCount?: number): string {
  let hash = fnv32a(Buffer.from(canonicalJson(template), 'utf8'))
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8)
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true)
    hash = fnv32a(bytes, hash)
  }
  return safeEncodeString(String(hash))
}

/** JSON with object keys sorted and empty values left out (see `semantic`). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(semantic(value) ?? null)
}

/**
 * A JSON value as Go's semantic equality sees it after decoding: null, and empty objects and
 * lists, are the same as absent. Keys come out sorted.
 */
export function semantic(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map((v) => semantic(v) ?? null)
  if (!isObject(value)) return value === null ? undefined : value
  const out: JsonObject = {}
  for (const key of Object.keys(value).sort()) {
    const v = semantic(value[key])
    if (v !== undefined) out[key] = v
  }
  return Object.keys(out).length === 0 ? undefined : out
}

/** A copy of the template without the pod-template-hash label. */
export function withoutHash(template: unknown): JsonObject {
  const copy: JsonObject = isObject(template) ? clone(template) : {}
  const labels = objectAt(objectAt(copy, 'metadata'), 'labels')
  if (labels) delete labels[POD_TEMPLATE_HASH_LABEL]
  return copy
}

/** `EqualIgnoreHash`: two pod templates are the same apart from the pod-template-hash label. */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return deepEqual(semantic(withoutHash(a)) ?? {}, semantic(withoutHash(b)) ?? {})
}
