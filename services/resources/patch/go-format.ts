import { isObject } from '../../json.js'

/**
 * How Go prints a decoded JSON value (`interface{}` holding `map[string]interface{}`,
 * `[]interface{}`, string, int64, float64, bool or nil). Kubernetes' patch errors embed values
 * printed this way (`map: map[image:nginx] does not contain declared merge key: name`), so
 * reproducing its messages means reproducing Go's `fmt`.
 */

/** Go's `%v`: `map[a:1 b:[x y]]` with sorted keys, strings unquoted, nil as `<nil>`. */
export function goValue(value: unknown): string {
  return format(value, 'v')
}

/** Go's `%s`: like `%v` for strings, maps and slices, but a number prints as `%!s(int64=5)`. */
export function goString(value: unknown): string {
  return format(value, 's')
}

/** The name `reflect.TypeOf` gives a decoded JSON value; integers decode as int64 in the apiserver. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return '%!s(<nil>)'
  if (Array.isArray(value)) return '[]interface {}'
  if (isObject(value)) return 'map[string]interface {}'
  if (typeof value === 'string') return 'string'
  if (typeof value === 'boolean') return 'bool'
  return isInt64(value as number) ? 'int64' : 'float64'
}

/** The word Go's encoding/json uses for a JSON value's type in "cannot unmarshal X into ...". */
export function goJsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array'
  if (isObject(value)) return 'object'
  if (typeof value === 'boolean') return 'bool'
  return typeof value
}

function format(value: unknown, verb: 'v' | 's'): string {
  if (value === null || value === undefined) return verb === 'v' ? '<nil>' : '%!s(<nil>)'
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return `[${value.map((v) => format(v, verb)).join(' ')}]`
  if (isObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${k}:${format(value[k], verb)}`)
    return `map[${entries.join(' ')}]`
  }
  const text = typeof value === 'number' ? goNumber(value) : String(value)
  return verb === 'v' ? text : `%!s(${goTypeName(value)}=${text})`
}

function isInt64(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63
}

/** int64 in decimal; float64 as `%v` does: shortest form, exponent below 1e-4 and from 1e21. */
function goNumber(n: number): string {
  if (isInt64(n)) return BigInt(n).toString()
  const [mantissa = '', exponentText = '0'] = n.toExponential().split('e')
  const exponent = Number(exponentText)
  if (exponent >= -4 && exponent < 21) return String(n)
  const digits = String(Math.abs(exponent)).padStart(2, '0')
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`
}
