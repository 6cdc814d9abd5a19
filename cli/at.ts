import { CliError } from './errors.js'

/** A point in history as GraphQL's `At` takes it: a revision or a time. */
export type At = { revision: string } | { time: string }

const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * `--at` values: a revision (`1234`), an RFC 3339 time (`2026-11-26T14:02:00Z`), or a duration
 * back from now (`-5m`, `-90s`, `-2h`, `-1d`, `-1h30m`).
 */
export function parseAt(value: string, now: Date, flagName = '--at'): At {
  const text = value.trim()
  if (/^\d+$/.test(text)) {
    if (text === '0' || /^0\d/.test(text)) throw new CliError(`invalid ${flagName} "${value}": revisions start at 1`)
    return { revision: text }
  }
  const relative = /^-((?:\d+[smhd])+)$/.exec(text)
  if (relative) {
    let ms = 0
    for (const [, n, unit] of relative[1]!.matchAll(/(\d+)([smhd])/g)) ms += Number(n) * units[unit!]!
    return { time: new Date(now.getTime() - ms).toISOString() }
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    const time = new Date(text)
    if (!Number.isNaN(time.getTime())) {
      if (time > now) throw new CliError(`invalid ${flagName} "${value}": ${time.toISOString()} is in the future`)
      return { time: time.toISOString() }
    }
  }
  throw new CliError(
    `invalid ${flagName} "${value}": expected a revision (1234), a time (2026-11-26T14:02:00Z) or a duration ago (-5m, -2h, -1d)`,
  )
}
