import { errors } from '../errors.js'
import type { JsonObject } from '../json.js'

/**
 * Kubernetes' protobuf encoding, read only as far as the requests kubectl sends with typed clients
 * need: those clients send protobuf bodies and never fall back to JSON. A body is the 4-byte magic
 * `k8s\0` and a `runtime.Unknown` (1: TypeMeta {1: apiVersion, 2: kind}, 2: raw, the object's own
 * encoding), decoded here for the access reviews (kubectl auth can-i), Eviction and DeleteOptions
 * (kubectl drain) and Binding, by the field numbers of k8s.io/api's generated.proto. Every other protobuf body is
 * answered 415: `kubectl create -f` and `apply -f` send JSON.
 */

const MAGIC = [0x6b, 0x38, 0x73, 0x00]

type Fields = Map<number, Array<Uint8Array | number>>

/** The fields of one message: varints as numbers, length-delimited values as bytes. */
function fields(bytes: Uint8Array): Fields {
  const out: Fields = new Map()
  let at = 0
  const varint = () => {
    let value = 0
    let shift = 0
    for (;;) {
      if (at >= bytes.length || shift > 49) throw errors.badRequest('the protobuf body is truncated or malformed')
      const byte = bytes[at++]!
      value += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return value
      shift += 7
    }
  }
  while (at < bytes.length) {
    const key = varint()
    const field = Math.floor(key / 8)
    const wire = key % 8
    let value: Uint8Array | number
    if (wire === 0) value = varint()
    else if (wire === 2) {
      const length = varint()
      if (at + length > bytes.length) throw errors.badRequest('the protobuf body is truncated or malformed')
      value = bytes.subarray(at, at + length)
      at += length
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4
      continue
    } else throw errors.badRequest(`the protobuf body has an unsupported wire type ${wire}`)
    if (!out.has(field)) out.set(field, [])
    out.get(field)!.push(value)
  }
  return out
}

const text = (f: Fields, n: number) => {
  const v = f.get(n)?.[0]
  return v instanceof Uint8Array ? new TextDecoder().decode(v) : undefined
}
const message = (f: Fields, n: number) => {
  const v = f.get(n)?.[0]
  return v instanceof Uint8Array ? fields(v) : undefined
}
const strings = (entries: Array<[string, string | undefined]>): JsonObject =>
  Object.fromEntries(entries.filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''))

/** DeleteOptions {1: gracePeriodSeconds, 2: preconditions {1: uid, 2: resourceVersion}, 3: orphanDependents, 4: propagationPolicy}. */
function deleteOptions(options: Fields): JsonObject {
  const grace = options.get(1)?.[0]
  const preconditions = message(options, 2)
  return {
    ...(typeof grace === 'number' && { gracePeriodSeconds: grace }),
    ...(preconditions && {
      preconditions: strings([
        ['uid', text(preconditions, 1)],
        ['resourceVersion', text(preconditions, 2)],
      ]),
    }),
    ...(options.get(3)?.[0] === 1 && { orphanDependents: true }),
    ...strings([['propagationPolicy', text(options, 4)]]),
  }
}

export const isProtobuf = (bytes: Uint8Array) => bytes.length >= 4 && MAGIC.every((b, i) => bytes[i] === b)

/** The JSON form of a protobuf body, or undefined when it holds a kind not read here. */
export function decodeProtobufBody(bytes: Uint8Array): JsonObject | undefined {
  const unknown = fields(bytes.subarray(4))
  const typeMeta = message(unknown, 1)
  const kind = typeMeta && text(typeMeta, 2)
  const raw = unknown.get(2)?.[0]
  if (!(raw instanceof Uint8Array)) return undefined
  const object = fields(raw)
  const spec = message(object, 2) ?? new Map()
  if (kind === 'SelfSubjectAccessReview') {
    const resource = message(spec, 1)
    const nonResource = message(spec, 2)
    return {
      apiVersion: 'authorization.k8s.io/v1',
      kind,
      spec: {
        ...(resource && {
          resourceAttributes: strings([
            ['namespace', text(resource, 1)],
            ['verb', text(resource, 2)],
            ['group', text(resource, 3)],
            ['version', text(resource, 4)],
            ['resource', text(resource, 5)],
            ['subresource', text(resource, 6)],
            ['name', text(resource, 7)],
          ]),
        }),
        ...(nonResource && {
          nonResourceAttributes: strings([
            ['path', text(nonResource, 1)],
            ['verb', text(nonResource, 2)],
          ]),
        }),
      },
    }
  }
  if (kind === 'SelfSubjectRulesReview') {
    return { apiVersion: 'authorization.k8s.io/v1', kind, spec: strings([['namespace', text(spec, 1)]]) }
  }
  const metadata = message(object, 1)
  const meta = metadata
    ? strings([
        ['name', text(metadata, 1)],
        ['namespace', text(metadata, 3)],
      ])
    : {}
  if (kind === 'Eviction') {
    const options = message(object, 2)
    return { apiVersion: 'policy/v1', kind, metadata: meta, deleteOptions: options ? deleteOptions(options) : {} }
  }
  if (kind === 'DeleteOptions') return { apiVersion: 'v1', kind, ...deleteOptions(object) }
  if (kind === 'Binding') {
    // 2: target, an ObjectReference {1: kind, 2: namespace, 3: name}
    const target = message(object, 2)
    return {
      apiVersion: 'v1',
      kind,
      metadata: meta,
      target: target
        ? strings([
            ['kind', text(target, 1)],
            ['namespace', text(target, 2)],
            ['name', text(target, 3)],
          ])
        : {},
    }
  }
  return undefined
}
