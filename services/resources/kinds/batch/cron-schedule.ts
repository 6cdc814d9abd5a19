import { parseGoDuration } from './go-duration.js'

/**
 * CronJob schedules as Kubernetes parses them: robfig/cron v3's `ParseStandard`, with its error
 * messages. Five fields (minute hour day-of-month month day-of-week) of lists, ranges, steps and
 * names; the descriptors `@yearly` … `@hourly` and `@every <duration>`; an optional `TZ=`/`CRON_TZ=`
 * prefix (parsed here, though Kubernetes then rejects it in favour of `spec.timeZone`). When a parsed
 * schedule fires: cron-next-run.ts.
 */

/** Five fields as sets of allowed values; `dayStar` when day-of-month or day-of-week was written with `*`/`?`. */
export interface FieldSchedule {
  fields: Set<number>[]
  /** robfig's star bit: with it both day fields must match, without it either may. */
  dayStar: boolean
}
/** `@every <duration>`: a fixed delay in whole seconds (at least 1). */
export interface EverySchedule {
  everySeconds: number
}
export type CronSchedule = FieldSchedule | EverySchedule

interface Bounds {
  min: number
  max: number
  names?: readonly string[]
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
const BOUNDS: readonly Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
]
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}
const MAX_INT64 = 2n ** 63n - 1n

class ScheduleError extends Error {}

/** The schedule, or the error text Kubernetes reports for it (`spec.schedule: Invalid value: …: <error>`). */
export function parseSchedule(schedule: string): CronSchedule | { error: string } {
  try {
    return parse(schedule)
  } catch (error) {
    if (error instanceof ScheduleError) return { error: error.message }
    throw error
  }
}

function parse(input: string): CronSchedule {
  if (input === '') throw new ScheduleError('empty spec string')
  let spec = input
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ')
    const zone = spec.slice(spec.indexOf('=') + 1, space === -1 ? undefined : space)
    if (!knownTimeZone(zone)) throw new ScheduleError(`provided bad location ${zone}: unknown time zone ${zone}`)
    spec = space === -1 ? '' : spec.slice(space).trim()
  }
  if (spec.startsWith('@')) return descriptor(spec)
  const fields = spec.split(/\s+/).filter((field) => field !== '')
  if (fields.length !== 5) throw new ScheduleError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`)
  let dayStar = false
  const sets = fields.map((field, i) => {
    const { values, star } = parseField(field, BOUNDS[i]!)
    if (star && (i === 2 || i === 4)) dayStar = true
    return values
  })
  return { fields: sets, dayStar }
}

function descriptor(spec: string): CronSchedule {
  const expansion = DESCRIPTORS[spec]
  if (expansion !== undefined) return parse(expansion)
  if (spec.startsWith('@every ')) {
    const duration = parseGoDuration(spec.slice('@every '.length))
    if ('error' in duration) throw new ScheduleError(`failed to parse duration ${spec}: ${duration.error}`)
    return { everySeconds: Math.max(1, Math.floor(duration.seconds)) }
  }
  throw new ScheduleError(`unrecognized descriptor: ${spec}`)
}

/** A comma-separated list of ranges (empty entries are skipped, as `strings.FieldsFunc` does). */
function parseField(field: string, bounds: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>()
  let star = false
  for (const expr of field.split(',').filter((part) => part !== '')) {
    const range = parseRange(expr, bounds)
    for (let v = range.start; v <= range.end; v += range.step) values.add(v)
    star ||= range.star
  }
  return { values, star }
}

/** `number | number "-" number [ "/" number ]`, or `*`/`?` for the whole range. */
function parseRange(expr: string, bounds: Bounds): { start: number; end: number; step: number; star: boolean } {
  const rangeAndStep = expr.split('/')
  const lowAndHigh = rangeAndStep[0]!.split('-')
  let start: number
  let end: number
  let star = false
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = bounds.min
    end = bounds.max
    star = true
  } else {
    start = intOrName(lowAndHigh[0]!, bounds)
    if (lowAndHigh.length > 2) throw new ScheduleError(`too many hyphens: ${expr}`)
    end = lowAndHigh.length === 2 ? intOrName(lowAndHigh[1]!, bounds) : start
  }
  let step = 1
  if (rangeAndStep.length > 2) throw new ScheduleError(`too many slashes: ${expr}`)
  if (rangeAndStep.length === 2) {
    step = nonNegativeInt(rangeAndStep[1]!)
    if (lowAndHigh.length === 1) end = bounds.max
    if (step > 1) star = false
  }
  if (start < bounds.min) throw new ScheduleError(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`)
  if (end > bounds.max) throw new ScheduleError(`end of range (${end}) above maximum (${bounds.max}): ${expr}`)
  if (start > end) throw new ScheduleError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`)
  if (step === 0) throw new ScheduleError(`step of range should be a positive number: ${expr}`)
  return { start, end, step, star }
}

function intOrName(expr: string, bounds: Bounds): number {
  const named = bounds.names?.indexOf(expr.toLowerCase()) ?? -1
  if (named >= 0) return bounds.names === MONTHS ? named + 1 : named
  return nonNegativeInt(expr)
}

/** Go's `strconv.Atoi`, then robfig's refusal of negative numbers. */
function nonNegativeInt(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr))
    throw new ScheduleError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`)
  const n = BigInt(expr)
  if (n > MAX_INT64 || n < -MAX_INT64 - 1n) {
    throw new ScheduleError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`)
  }
  if (n < 0n) throw new ScheduleError(`negative number (${n}) not allowed: ${expr}`)
  return Number(n)
}

/** Whether `zone` names a time zone Go's `time.LoadLocation` knows (`""` and `UTC` are UTC). */
export function knownTimeZone(zone: string): boolean {
  if (zone === '' || zone === 'UTC' || zone === 'Local') return true
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}
