import { isObject, setKey, type JsonObject } from '../../json.js'
import { base64Error, timeError } from './go-scalars.js'
import type { Shape, StructShape } from './shapes.js'

/**
 * Kubernetes' `fieldValidation`: what a write's unknown fields do. `Ignore` drops them silently,
 * `Warn` (the default for clients) drops them with a warning each, `Strict` refuses the write.
 */
export type FieldValidation = 'Ignore' | 'Warn' | 'Strict'

export interface Decoded {
  /** The object without its unknown fields: the very object given when it had none. */
  object: JsonObject
  /** Each unknown field's path as Kubernetes prints it: `spec.template.spec.containers[0].imagePullPolicyy`. */
  unknownFields: string[]
}

/** A value Kubernetes' decoding refuses, with Go's message (`json: cannot unmarshal string into …`). */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DecodeError'
  }
}

const QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
const INT_RANGE = { 32: [-(2 ** 31), 2 ** 31 - 1], 64: [-(2 ** 63), 2 ** 63] } as const

/**
 * Decodes an object as Kubernetes decodes a request body into its Go type: every value must have
 * its field's JSON type, integers must fit their int32 or int64, base64 and times must parse
 * (DecodeError with Go's message otherwise, the first in document order); fields the type does not
 * have are listed and left out of the result. Free-form fields (RawExtension) take anything; JSON
 * null (and undefined, which JSON leaves out) is the zero value anywhere. Pure: `value` is not changed.
 */
export function decode(shape: StructShape, value: JsonObject): Decoded {
  const walk = new Walk()
  walk.struct(shape, value)
  if (walk.unknown.length === 0) return { object: value, unknownFields: [] }
  return { object: prune(shape, value) as JsonObject, unknownFields: walk.unknown }
}

class Walk {
  readonly unknown: string[] = []
  /** Where the walk is, for unknown fields' paths: field names and map keys, and array indices. */
  private readonly at: Array<string | number> = []
  /** Go's error context: the struct field names only (no indices or map keys). */
  private readonly fields: string[] = []

  struct(shape: StructShape, value: JsonObject): void {
    for (const key in value) {
      // Code builds objects with undefined members, which JSON leaves out: so does decoding.
      if (value[key] === undefined) continue
      const field = shape.fields.get(key)
      if (field === undefined) {
        this.unknown.push(this.path(key))
        continue
      }
      this.at.push(key)
      this.fields.push(key)
      this.value(field, value[key], shape.name)
      this.at.pop()
      this.fields.pop()
    }
  }

  private value(shape: Shape, value: unknown, struct: string): void {
    if (value === null || value === undefined) return
    switch (shape.t) {
      case 'string':
        if (typeof value !== 'string') this.mismatch(value, 'string', struct)
        return
      case 'bool':
        if (typeof value !== 'boolean') this.mismatch(value, 'bool', struct)
        return
      case 'int':
        if (typeof value !== 'number') this.mismatch(value, `int${shape.bits}`, struct)
        this.integer(value as number, shape.bits, struct)
        return
      case 'float':
        if (typeof value !== 'number') this.mismatch(value, 'float64', struct)
        return
      case 'bytes': {
        if (typeof value !== 'string') this.mismatch(value, '[]uint8', struct)
        const error = base64Error(value as string)
        if (error) throw new DecodeError(error)
        return
      }
      case 'time': {
        if (typeof value !== 'string') this.mismatch(value, 'string', struct)
        const error = timeError(value as string)
        if (error) throw new DecodeError(error)
        return
      }
      case 'intOrString':
        if (typeof value === 'string') return
        if (typeof value !== 'number') this.mismatch(value, 'int32', struct)
        this.integer(value as number, 32, struct)
        return
      case 'quantity':
        if (typeof value !== 'string' && typeof value !== 'number') throw new DecodeError(QUANTITY_FORMAT)
        return
      case 'free':
        return
      case 'array':
        if (!Array.isArray(value)) this.mismatch(value, goType(shape), struct)
        for (let i = 0; i < (value as unknown[]).length; i++) {
          this.at.push(i)
          this.value(shape.items, (value as unknown[])[i], struct)
          this.at.pop()
        }
        return
      case 'map':
        if (!isObject(value)) this.mismatch(value, goType(shape), struct)
        for (const key in value as JsonObject) {
          this.at.push(key)
          this.value(shape.values, (value as JsonObject)[key], struct)
          this.at.pop()
        }
        return
      case 'struct':
        if (!isObject(value)) this.mismatch(value, shape.goType, struct)
        this.struct(shape, value as JsonObject)
        return
    }
  }

  private integer(value: number, bits: 32 | 64, struct: string): void {
    const [min, max] = INT_RANGE[bits]
    // int64's bound is exclusive: 2^63 is the first double past int64's range.
    const inRange = bits === 32 ? value >= min && value <= max : value >= min && value < max
    if (!Number.isInteger(value) || !inRange) this.mismatch(value, `int${bits}`, struct, `number ${goNumber(value)}`)
  }

  /** Go's UnmarshalTypeError: the struct holding the field, and the path of field names from the top. */
  private mismatch(value: unknown, type: string, struct: string, what = jsonKind(value)): never {
    const field = this.fields.join('.')
    const into = field === '' ? 'Go value' : `Go struct field ${struct}.${field}`
    throw new DecodeError(`json: cannot unmarshal ${what} into ${into} of type ${type}`)
  }

  private path(last: string): string {
    let text = ''
    for (const part of this.at) text += typeof part === 'number' ? `[${part}]` : text === '' ? part : `.${part}`
    return text === '' ? last : `${text}.${last}`
  }
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'boolean') return 'bool'
  return typeof value
}

/** A number as it would stand in JSON: `1e300`, not JavaScript's `1e+300`. */
function goNumber(value: number): string {
  return String(value).replace('e+', 'e')
}

function goType(shape: Shape): string {
  switch (shape.t) {
    case 'string':
    case 'time':
      return 'string'
    case 'bytes':
      return '[]uint8'
    case 'bool':
      return 'bool'
    case 'int':
      return `int${shape.bits}`
    case 'float':
      return 'float64'
    case 'intOrString':
      return 'intstr.IntOrString'
    case 'quantity':
      return 'resource.Quantity'
    case 'free':
      return 'interface {}'
    case 'array':
      return `[]${goType(shape.items)}`
    case 'map':
      return `map[string]${goType(shape.values)}`
    case 'struct':
      return shape.goType
  }
}

/** A copy of `value` with the fields its shape does not have left out (only called when there are some). */
function prune(shape: Shape, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  switch (shape.t) {
    case 'array':
      return (value as unknown[]).map((item) => prune(shape.items, item))
    case 'map': {
      const out: JsonObject = {}
      for (const key in value as JsonObject) setKey(out, key, prune(shape.values, (value as JsonObject)[key]))
      return out
    }
    case 'struct': {
      const out: JsonObject = {}
      for (const key in value as JsonObject) {
        const field = shape.fields.get(key)
        if (field !== undefined) setKey(out, key, prune(field, (value as JsonObject)[key]))
      }
      return out
    }
    default:
      return value
  }
}
