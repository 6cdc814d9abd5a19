/**
 * Cron schedules as Kubernetes' CronJob accepts them: five fields (minute hour day-of-month month
 * day-of-week) with ranges, lists, steps and names, or a macro such as @hourly.
 */

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']
const FIELDS: Array<{ name: string; min: number; max: number; names?: string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 7, names: DAYS },
]

/** The schedule as five sets of allowed values, or an error message in the style of robfig/cron. */
export function parseSchedule(schedule: string): { fields: Set<number>[] } | { error: string } {
  const text = schedule.trim()
  if (/^(CRON_)?TZ=/.test(text)) return { error: 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead' }
  const expanded = MACROS[text] ?? text
  const parts = expanded.split(/\s+/)
  if (parts.length !== 5) return { error: `expected exactly 5 fields, found ${parts.length}: ${schedule}` }
  const fields: Set<number>[] = []
  for (let i = 0; i < 5; i++) {
    const field = FIELDS[i]!
    const values = new Set<number>()
    for (const term of parts[i]!.split(',')) {
      const problem = addTerm(term, field, values)
      if (problem) return { error: problem }
    }
    if (field.name === 'day-of-week' && values.has(7)) values.add(0)
    fields.push(values)
  }
  return { fields }
}

function addTerm(term: string, field: (typeof FIELDS)[number], values: Set<number>): string | undefined {
  const [range, stepText] = term.split('/') as [string, string | undefined]
  const step = stepText === undefined ? 1 : Number(stepText)
  if (!Number.isInteger(step) || step < 1) return `failed to parse int from ${stepText}: invalid syntax`
  let low: number
  let high: number
  if (range === '*' || range === '?') {
    low = field.min
    high = field.max
  } else {
    const [a, b] = range.split('-') as [string, string | undefined]
    const first = value(a, field)
    const last = b === undefined ? (stepText === undefined ? first : field.max) : value(b, field)
    if (first === undefined || last === undefined) return `failed to parse int from ${range}: invalid syntax`
    low = first
    high = last
  }
  if (low < field.min) return `beginning of range (${low}) below minimum (${field.min}): ${term}`
  if (high > field.max) return `end of range (${high}) above maximum (${field.max}): ${term}`
  if (low > high) return `beginning of range (${low}) beyond end of range (${high}): ${term}`
  for (let v = low; v <= high; v += step) values.add(v)
  return undefined
}

function value(text: string, field: (typeof FIELDS)[number]): number | undefined {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1
  if (named >= 0) return field.name === 'month' ? named + 1 : named
  return /^\d+$/.test(text) ? Number(text) : undefined
}

/** The first time after `after` (exclusive, whole minutes, in UTC) the schedule fires. */
export function nextRun(fields: Set<number>[], after: Date): Date {
  const t = new Date(after.getTime())
  t.setUTCSeconds(0, 0)
  t.setUTCMinutes(t.getUTCMinutes() + 1)
  const [minutes, hours, days, months, weekdays] = fields as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>]
  const anyDay = days.size === 31
  const anyWeekday = weekdays.size >= 7
  for (let guard = 0; guard < 60 * 24 * 366 * 5; guard++) {
    const dayMatches =
      anyDay || anyWeekday
        ? days.has(t.getUTCDate()) && weekdays.has(t.getUTCDay())
        : days.has(t.getUTCDate()) || weekdays.has(t.getUTCDay())
    if (months.has(t.getUTCMonth() + 1) && dayMatches && hours.has(t.getUTCHours()) && minutes.has(t.getUTCMinutes())) return t
    t.setUTCMinutes(t.getUTCMinutes() + 1)
  }
  throw new Error('the schedule never fires')
}
