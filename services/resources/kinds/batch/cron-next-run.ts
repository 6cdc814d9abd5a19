import { Cron } from 'croner'
import type { CronSchedule, FieldSchedule } from './cron-schedule.js'

/**
 * When a CronJob schedule fires, in its time zone, computed by croner from the fields Kubernetes'
 * parser (cron-schedule.ts) produced, so croner's own syntax never matters. Kubernetes' semantics
 * (robfig/cron v3 `SpecSchedule.Next`) are kept where croner's defaults differ:
 * - the day fields: with a star in either (`*` or `?`, but not a star with a step above 1) both must
 *   match, else either may (croner's `domAndDow`);
 * - daylight saving time: robfig walks absolute hours, so a time in the spring-forward gap is skipped
 *   that day and a time that occurs twice in the fall-back hour fires twice. That is croner's
 *   "interval job" behaviour; croner treats a schedule with a single hour and minute as a "fixed-time
 *   job" (run at the end of a gap, once in a repeated hour) unless a field has a step, so the seconds
 *   field is written as a star with a step of 60 (second 0 only).
 */

/** Where the search for a first run starts when asking whether a schedule ever fires: any start would do. */
const REFERENCE = new Date('2000-01-01T00:00:00Z')

/**
 * The first time after `after` (exclusive) the schedule fires, in `timeZone` (an IANA name; UTC by
 * default); undefined when it never does.
 */
export function nextRun(schedule: CronSchedule, after: Date, timeZone = 'UTC'): Date | undefined {
  if ('everySeconds' in schedule) return new Date(Math.floor(after.getTime() / 1000) * 1000 + schedule.everySeconds * 1000)
  const cron = cronOf(schedule, timeZone)
  return cron?.nextRun(after) ?? undefined
}

/** A schedule that can never fire (`0 0 30 2 *`, or a field listing nothing): Kubernetes' parser accepts it. */
export function neverFires(schedule: CronSchedule, timeZone = 'UTC'): boolean {
  return nextRun(schedule, REFERENCE, timeZone) === undefined
}

function cronOf(schedule: FieldSchedule, timeZone: string): Cron | undefined {
  if (schedule.fields.some((values) => values.size === 0)) return undefined
  const [minutes, hours, days, months, weekdays] = schedule.fields.map((values) => [...values].sort((a, b) => a - b).join(','))
  return new Cron(`*/60 ${minutes} ${hours} ${days} ${months} ${weekdays}`, {
    timezone: timeZone,
    mode: '6-part',
    domAndDow: schedule.dayStar,
    paused: true,
  })
}
