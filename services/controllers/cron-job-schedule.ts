import { nextRun } from '../resources/kinds/batch/cron-next-run.js'
import { knownTimeZone, type CronSchedule } from '../resources/kinds/batch/cron-schedule.js'
import type { CronJob } from 'kubernetes-types/batch/v1.js'

/**
 * When a CronJob should have run (kubernetes `pkg/controller/cronjob/utils.go`
 * `mostRecentScheduleTime`, `nextScheduleTimeDuration`): the schedule read in `spec.timeZone`, else
 * in UTC (Kubernetes: the controller-manager's local time zone). A schedule that never fires (refused
 * since, but perhaps stored before) has no next time.
 */

/** More missed schedules than this earn a TooManyMissedTimes warning. */
const MANY_MISSED = 100
/** `nextScheduleDelta`: look again a little after the schedule, never a little before. */
const NEXT_SCHEDULE_DELTA_MS = 100

export interface MostRecent {
  /** From when schedules count: the last schedule, else creation (or the starting deadline). */
  earliest: Date
  /** The latest schedule at or before now not yet run, if any. */
  mostRecent: Date | undefined
  /** Roughly how many schedules were missed (more than one means some were skipped). */
  missed: number
  /** More than 100 missed. */
  tooMany: boolean
}

export function mostRecentScheduleTime(cronJob: CronJob, schedule: CronSchedule, now: Date, withStartingDeadline: boolean): MostRecent {
  const last = Date.parse(cronJob.status?.lastScheduleTime ?? '')
  let earliest = Number.isFinite(last) ? last : Date.parse(cronJob.metadata?.creationTimestamp ?? '') || now.getTime()
  const deadline = cronJob.spec?.startingDeadlineSeconds
  if (withStartingDeadline && deadline !== undefined) earliest = Math.max(earliest, now.getTime() - deadline * 1000)
  const result = { earliest: new Date(earliest), mostRecent: undefined, missed: 0, tooMany: false }
  const zone = timeZoneOf(cronJob)
  const t1 = nextRun(schedule, new Date(earliest), zone)
  if (!t1 || now < t1) return result
  const t2 = nextRun(schedule, t1, zone)
  if (!t2 || now < t2) return { ...result, mostRecent: t1, missed: 1 }
  const between = Math.round((t2.getTime() - t1.getTime()) / 1000)
  const missed = Math.floor((now.getTime() - t1.getTime()) / 1000 / between) + 1
  // Jump close to now by whole intervals, then step with the schedule itself (irregular ones too).
  let mostRecent: Date | undefined
  const from = new Date(t1.getTime() + (missed - 2) * between * 1000)
  for (let t = nextRun(schedule, from, zone); t && t <= now; t = nextRun(schedule, t, zone)) mostRecent = t
  return { ...result, mostRecent, missed, tooMany: missed > MANY_MISSED }
}

/** How long until the schedule after the most recent one (plus 100 ms); undefined if there is none. */
export function untilNextSchedule(cronJob: CronJob, schedule: CronSchedule, now: Date): number | undefined {
  const { earliest, mostRecent } = mostRecentScheduleTime(cronJob, schedule, now, false)
  const next = nextRun(schedule, mostRecent ?? earliest, timeZoneOf(cronJob))
  return next && next.getTime() + NEXT_SCHEDULE_DELTA_MS - now.getTime()
}

/** `spec.timeZone` (validation lets only names the runtime knows through), else UTC. */
const timeZoneOf = (cronJob: CronJob): string => {
  const zone = cronJob.spec?.timeZone
  return zone !== undefined && zone !== '' && zone.toLowerCase() !== 'local' && knownTimeZone(zone) ? zone : 'UTC'
}

/** `getJobName`: `<cronjob>-<scheduled time in minutes since the epoch>`, the same for every try at one schedule. */
export const jobNameFor = (cronJobName: string, scheduled: Date): string => `${cronJobName}-${Math.floor(scheduled.getTime() / 60_000)}`

/** Go's `time.RFC1123Z` in UTC: `Thu, 26 Nov 2026 16:31:00 +0000`. */
export function rfc1123z(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000')
}
