/**
 * Go's `time.ParseDuration` (`1h30m`, `1.5h`, `300ms`, `-2s`), for `@every` schedules: the value in
 * seconds, or Go's error text (`time: unknown unit "d" in duration "1d"`).
 */

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6, // U+00B5 micro sign
  μs: 1e-6, // U+03BC Greek mu
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
}
/** Go durations are int64 nanoseconds: about 292 years. */
// biome-ignore lint/correctness/noPrecisionLoss: Go's exact bound, written as Go writes it; the nearest double is what is compared
const MAX_SECONDS = 9223372036.854775807

export function parseGoDuration(text: string): { seconds: number } | { error: string } {
  const quoted = JSON.stringify(text)
  const invalid = { error: `time: invalid duration ${quoted}` }
  let rest = text
  let sign = 1
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1
    rest = rest.slice(1)
  }
  if (rest === '0') return { seconds: 0 }
  if (rest === '') return invalid
  let total = 0
  while (rest !== '') {
    const number = /^([0-9]*)(?:\.([0-9]*))?/.exec(rest)!
    const [consumed, whole = '', fraction] = number
    if (consumed === '' || (whole === '' && (fraction === undefined || fraction === ''))) return invalid
    rest = rest.slice(consumed.length)
    const unit = /^[^0-9.]*/.exec(rest)![0]
    if (unit === '') return { error: `time: missing unit in duration ${quoted}` }
    const seconds = Object.hasOwn(UNIT_SECONDS, unit) ? UNIT_SECONDS[unit] : undefined
    if (seconds === undefined) return { error: `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}` }
    rest = rest.slice(unit.length)
    total += Number(`${whole || '0'}.${fraction ?? ''}0`) * seconds
    if (total > MAX_SECONDS) return invalid
  }
  return { seconds: sign * total }
}
