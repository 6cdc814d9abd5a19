/**
 * RFC 6901 JSON pointers, read the way evanphx/json-patch (the apiserver's JSON patch library)
 * reads them: `~1` means `/`, `~0` means `~`, and array indexes are parsed like Go's
 * `strconv.Atoi`, so `-1` counts from the end and `+1` or `01` are accepted.
 */

/** The reference tokens of a pointer; undefined unless it is `''` or starts with `/`. */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) return undefined
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/** An array index token as Go's `strconv.Atoi` reads it, or the error text it gives. */
export type ParsedIndex = { ok: true; index: number } | { ok: false; error: string }

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** Parses an array index token; range-checked against int64 only, not against any array. */
export function parseIndex(token: string): ParsedIndex {
  if (!/^[+-]?[0-9]+$/.test(token)) return { ok: false, error: `strconv.Atoi: parsing ${quote(token)}: invalid syntax` }
  const value = BigInt(token.startsWith('+') ? token.slice(1) : token)
  if (value < INT64_MIN || value > INT64_MAX) {
    return { ok: false, error: `strconv.Atoi: parsing ${quote(token)}: value out of range` }
  }
  return { ok: true, index: Number(value) }
}

/** Go's `strconv.Quote`, close enough for the tokens that reach an error message. */
function quote(text: string): string {
  return JSON.stringify(text)
}
