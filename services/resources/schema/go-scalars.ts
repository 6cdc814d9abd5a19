/**
 * The checks Go's JSON decoding makes on the scalars of Kubernetes' types beyond their JSON type,
 * with Go's messages: base64 of `[]byte` fields (encoding/base64's CorruptInputError) and RFC 3339
 * times (`metav1.Time` through time.Parse). Pure.
 */

const BASE64 = /^[A-Za-z0-9+/]$/
/** The common case, checked at once: no newlines, padding only at the end. */
const WELL_FORMED_BASE64 = /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * Where `text` stops being standard, padded base64 (Go's `base64.StdEncoding`, which skips
 * `\r` and `\n`), as "illegal base64 data at input byte N"; undefined when it decodes.
 */
export function base64Error(text: string): string | undefined {
  if (text.length % 4 === 0 && WELL_FORMED_BASE64.test(text)) return undefined
  const at = corruptAt(text)
  return at === undefined ? undefined : `illegal base64 data at input byte ${at}`
}

function corruptAt(src: string): number | undefined {
  let si = 0
  const newline = (c: string | undefined) => c === '\n' || c === '\r'
  while (si < src.length) {
    // One quantum of four characters.
    let j = 0
    for (; j < 4; ) {
      if (si === src.length) {
        if (j === 0) return undefined
        return si - j
      }
      const c = src[si++]!
      if (newline(c)) continue
      if (BASE64.test(c)) {
        j++
        continue
      }
      if (c !== '=') return si - 1
      // Padding: only as the third or fourth character of a quantum, then only newlines.
      if (j === 0 || j === 1) return si - 1
      if (j === 2) {
        while (si < src.length && newline(src[si])) si++
        if (si === src.length) return src.length
        if (src[si] !== '=') return si - 1
        si++
      }
      while (si < src.length && newline(src[si])) si++
      return si < src.length ? si : undefined
    }
  }
  return undefined
}

const LAYOUT = '2006-01-02T15:04:05Z07:00'
/** The common case, checked at once (days past the 28th take the long way, which knows the months). */
const WELL_FORMED_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,]\d+)?(?:Z|[+-]\d{2}:\d{2})$/
const quote = (text: string) => JSON.stringify(text.length > 256 ? `${text.slice(0, 256)}...` : text)

/** The steps of Go's time.Parse over the RFC 3339 layout: the layout element and what matches it. */
const STEPS: Array<[string, RegExp]> = [
  ['2006', /^\d{4}/],
  ['-', /^-/],
  ['01', /^\d{2}/],
  ['-', /^-/],
  ['02', /^\d{2}/],
  ['T', /^T/],
  ['15', /^\d{2}/],
  [':', /^:/],
  ['04', /^\d{2}/],
  [':', /^:/],
  ['05', /^\d{2}(?:[.,]\d+)?/],
  ['Z07:00', /^(?:Z|[+-]\d{2}:\d{2})/],
]
const RANGES: Record<string, [number, number, string]> = {
  '01': [1, 12, 'month'],
  '15': [0, 23, 'hour'],
  '04': [0, 59, 'minute'],
  '05': [0, 59, 'second'],
}

/**
 * Why `text` is not an RFC 3339 time as Kubernetes' `metav1.Time` parses it, in Go's words
 * (`parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"`); undefined when
 * it is one. Fractional seconds are accepted, as Go accepts them after the seconds.
 */
export function timeError(text: string): string | undefined {
  const fast = WELL_FORMED_TIME.exec(text)
  if (fast) {
    const [month, day, hour, minute, second] = fast.slice(2, 7).map(Number) as [number, number, number, number, number]
    if (month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour <= 23 && minute <= 59 && second <= 59) return undefined
  }
  let rest = text
  const numbers: Record<string, number> = {}
  for (const [element, pattern] of STEPS) {
    const match = pattern.exec(rest)
    if (!match) return `parsing time ${quote(text)} as ${quote(LAYOUT)}: cannot parse ${quote(rest)} as ${quote(element)}`
    numbers[element] = Number.parseInt(match[0], 10)
    const range = RANGES[element]
    if (range && (numbers[element]! < range[0] || numbers[element]! > range[1]))
      return `parsing time ${quote(text)}: ${range[2]} out of range`
    rest = rest.slice(match[0].length)
  }
  const year = numbers['2006']!
  const month = numbers['01']!
  const day = numbers['02']!
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!
  if (day < 1 || day > days) return `parsing time ${quote(text)}: day out of range`
  if (rest !== '') return `parsing time ${quote(text)}: extra text: ${quote(rest)}`
  return undefined
}
