import { describe, expect, it } from 'vitest'
import { nextRun } from '../../../services/resources/kinds/batch/cron-next-run.js'
import { parseSchedule, type CronSchedule } from '../../../services/resources/kinds/batch/cron-schedule.js'
import type { JsonObject } from '../../../services/json.js'
import { at, create, createErrors, edited, UID, update, updateErrors } from './harness.js'
import { minimal } from './manifests.js'

const spec = (o: JsonObject) => o.spec as JsonObject
const job = (edit: (spec: JsonObject) => void) => edited(minimal.Job!, (o) => edit(spec(o)))
const cronJob = (edit: (spec: JsonObject) => void) => edited(minimal.CronJob!, (o) => edit(spec(o)))
const schedule = (value: string) => cronJob((s) => (s.schedule = value))

/** The labels a Job gives its pods, and itself when it has none. */
const generated = {
  'batch.kubernetes.io/controller-uid': UID,
  'batch.kubernetes.io/job-name': 'pi',
  'controller-uid': UID,
  'job-name': 'pi',
}

describe('Job defaults', () => {
  it('runs once, retries six times, and selects its pods by its uid', () => {
    const created = create(minimal.Job!)
    expect(spec(created)).toEqual({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      manualSelector: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': UID } },
      template: {
        metadata: { labels: generated },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'pi',
              image: 'perl:5.34',
              imagePullPolicy: 'IfNotPresent',
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              resources: {},
            },
          ],
          dnsPolicy: 'ClusterFirst',
          terminationGracePeriodSeconds: 30,
          securityContext: {},
          schedulerName: 'default-scheduler',
        },
      },
    })
    expect((created.metadata as JsonObject).labels).toEqual(generated)
    expect(created.status).toEqual({})
  })

  it.each<[string, (s: JsonObject) => void, JsonObject]>([
    ['a work queue (parallelism only) keeps completions unset', (s) => (s.parallelism = 3), { parallelism: 3, completions: undefined }],
    ['completions only get parallelism 1', (s) => (s.completions = 5), { completions: 5, parallelism: 1 }],
    [
      'a backoff limit per index makes the global one unlimited',
      (s) => ((s.completionMode = 'Indexed'), (s.completions = 3), (s.backoffLimitPerIndex = 1)),
      { backoffLimit: 2147483647 },
    ],
    ['a pod failure policy replaces only failed pods', (s) => (s.podFailurePolicy = { rules: [] }), { podReplacementPolicy: 'Failed' }],
  ])('%s', (_, edit, expected) => {
    const created = spec(create(job(edit)))
    for (const [key, value] of Object.entries(expected)) expect(created[key]).toEqual(value)
  })

  it('keeps labels of its own, and adds the generated ones to the pods it labels', () => {
    const created = create(
      edited(minimal.Job!, (o) => {
        ;(o.metadata as JsonObject).labels = { team: 'a' }
        at(o, 'spec.template').metadata = { labels: { app: 'pi' } }
      }),
    )
    expect((created.metadata as JsonObject).labels).toEqual({ team: 'a' })
    expect(at(created, 'spec.template.metadata').labels).toEqual({ app: 'pi', ...generated })
  })

  it('takes a selector as given with manualSelector', () => {
    const created = create(
      job((s) => {
        s.manualSelector = true
        s.selector = { matchLabels: { app: 'pi' } }
        at(s, 'template').metadata = { labels: { app: 'pi' } }
      }),
    )
    expect(spec(created).selector).toEqual({ matchLabels: { app: 'pi' } })
    expect(at(created, 'spec.template.metadata').labels).toEqual({ app: 'pi' })
  })
})

describe('Job validation', () => {
  const restartPolicy = 'spec.template.spec.restartPolicy'
  it.each<[string, JsonObject, string[]]>([
    [
      'pods without a restart policy',
      job((s) => delete at(s, 'template.spec').restartPolicy),
      [`${restartPolicy}: Required value: valid values: "OnFailure", "Never"`],
    ],
    [
      'pods that always restart',
      job((s) => (at(s, 'template.spec').restartPolicy = 'Always')),
      [`${restartPolicy}: Required value: valid values: "OnFailure", "Never"`],
    ],
    [
      'an unknown restart policy',
      job((s) => (at(s, 'template.spec').restartPolicy = 'Sometimes')),
      [
        `${restartPolicy}: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`,
        `${restartPolicy}: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"`,
      ],
    ],
    [
      'OnFailure with a pod failure policy',
      job((s) => ((s.podFailurePolicy = { rules: [] }), (at(s, 'template.spec').restartPolicy = 'OnFailure'))),
      [`${restartPolicy}: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified`],
    ],
    [
      'a negative backoff limit',
      job((s) => (s.backoffLimit = -1)),
      ['spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'negative completions',
      job((s) => ((s.completions = -1), (s.parallelism = 1))),
      ['spec.completions: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'a negative deadline',
      job((s) => (s.activeDeadlineSeconds = -1)),
      ['spec.activeDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'an unknown completion mode',
      job((s) => (s.completionMode = 'Sometimes')),
      ['spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"'],
    ],
    [
      'an Indexed job without completions',
      job((s) => ((s.completionMode = 'Indexed'), (s.parallelism = 2))),
      ['spec.completions: Required value: when completion mode is Indexed'],
    ],
    [
      'an unknown pod replacement policy',
      job((s) => (s.podReplacementPolicy = 'Never')),
      ['spec.podReplacementPolicy: Unsupported value: "Never": supported values: "Failed", "TerminatingOrFailed"'],
    ],
    [
      'a pod label that contradicts the generated one',
      job((s) => (at(s, 'template').metadata = { labels: { 'job-name': 'other' } })),
      [
        `spec.template.metadata.labels[job-name]: Invalid value: {"batch.kubernetes.io/controller-uid":"${UID}","batch.kubernetes.io/job-name":"pi","controller-uid":"${UID}","job-name":"other"}: must be 'pi'`,
      ],
    ],
    [
      'a manual selector left out',
      job((s) => (s.manualSelector = true)),
      ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`'],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it('accepts a deadline of zero seconds', () => {
    expect(() => create(job((s) => (s.activeDeadlineSeconds = 0)))).not.toThrow()
  })

  it('rejects a name too long for the job-name label its pods get', () => {
    const name = 'p'.repeat(64)
    const errors = createErrors(edited(minimal.Job!, (o) => ((o.metadata as JsonObject).name = name)))
    expect(errors).toContain(`spec.template.labels: Invalid value: "${name}": must be no more than 63 bytes`)
  })

  it('rejects an Indexed job whose last pod hostname is no DNS label', () => {
    const name = 'p'.repeat(62)
    const manifest = edited(minimal.Job!, (o) => {
      ;(o.metadata as JsonObject).name = name
      Object.assign(spec(o), { completionMode: 'Indexed', completions: 10 })
    })
    expect(createErrors(manifest)).toEqual([
      `metadata.name: Invalid value: "${name}": will not able to create pod with invalid DNS label: ${name}-9`,
    ])
  })

  it('keeps its template, completions and selector, unless suspended before it ever ran', () => {
    expect(updateErrors(minimal.Job!, (o) => (at(o, 'spec.template.spec.containers.0').image = 'perl:5.36'))).toEqual([
      expect.stringMatching(/^spec\.template: Invalid value: \{.*\}: field is immutable$/),
    ])
    expect(updateErrors(minimal.Job!, (o) => (spec(o).completions = 2))).toEqual(['spec.completions: Invalid value: 2: field is immutable'])
    const suspended = job((s) => (s.suspend = true))
    const moved = update(suspended, (o) => (at(o, 'spec.template.spec').nodeSelector = { zone: 'b' }))
    expect(at(moved, 'spec.template.spec').nodeSelector).toEqual({ zone: 'b' })
  })
})

describe('CronJob defaults', () => {
  it('allows concurrent runs, keeps 3 successful and 1 failed job, and defaults only the pods of its job template', () => {
    const created = create(minimal.CronJob!)
    expect(spec(created)).toEqual({
      schedule: '*/5 * * * *',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'OnFailure',
              containers: [
                {
                  name: 'report',
                  image: 'busybox:1.36',
                  imagePullPolicy: 'IfNotPresent',
                  terminationMessagePath: '/dev/termination-log',
                  terminationMessagePolicy: 'File',
                  resources: {},
                },
              ],
              dnsPolicy: 'ClusterFirst',
              terminationGracePeriodSeconds: 30,
              securityContext: {},
              schedulerName: 'default-scheduler',
            },
          },
        },
      },
    })
  })
})

describe('CronJob schedules', () => {
  it.each([
    '*/5 * * * *',
    '0 0 * * *',
    '0 9-17 * * MON-FRI',
    '30 2 1,15 jan,Jul *',
    '5/15 * * * *',
    '? * * * ?',
    '0 0 1,,15 * *',
    '  0   0  *  *  *  ',
    '59 23 31 12 6',
    '0 0 29 2 *',
    '0 0 31 2 MON',
    '@yearly',
    '@annually',
    '@monthly',
    '@weekly',
    '@daily',
    '@midnight',
    '@hourly',
    '@every 1h30m',
    '@every 90s',
  ])('accepts %j', (value) => {
    expect(() => create(schedule(value))).not.toThrow()
  })

  const invalid = (value: string, message: string) => `spec.schedule: Invalid value: ${JSON.stringify(value)}: ${message}`
  const noTZ = (value: string) => invalid(value, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead')
  it.each<[string, string[]]>([
    ['* * * *', [invalid('* * * *', 'expected exactly 5 fields, found 4: [* * * *]')]],
    ['0 0 * * * *', [invalid('0 0 * * * *', 'expected exactly 5 fields, found 6: [0 0 * * * *]')]],
    [' @daily', [invalid(' @daily', 'expected exactly 5 fields, found 1: [@daily]')]],
    ['60 * * * *', [invalid('60 * * * *', 'end of range (60) above maximum (59): 60')]],
    ['0 24 * * *', [invalid('0 24 * * *', 'end of range (24) above maximum (23): 24')]],
    ['0 0 0 * *', [invalid('0 0 0 * *', 'beginning of range (0) below minimum (1): 0')]],
    ['0 0 * 13 *', [invalid('0 0 * 13 *', 'end of range (13) above maximum (12): 13')]],
    ['0 0 * * 7', [invalid('0 0 * * 7', 'end of range (7) above maximum (6): 7')]],
    ['0 0 * * SAT-SUN', [invalid('0 0 * * SAT-SUN', 'beginning of range (6) beyond end of range (0): SAT-SUN')]],
    ['*/0 * * * *', [invalid('*/0 * * * *', 'step of range should be a positive number: */0')]],
    ['x * * * *', [invalid('x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax')]],
    ['0 0 L * *', [invalid('0 0 L * *', 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax')]],
    ['1-2-3 * * * *', [invalid('1-2-3 * * * *', 'too many hyphens: 1-2-3')]],
    ['*/2/3 * * * *', [invalid('*/2/3 * * * *', 'too many slashes: */2/3')]],
    ['0 0 * * 1/-1', [invalid('0 0 * * 1/-1', 'negative number (-1) not allowed: -1')]],
    ['@reboot', [invalid('@reboot', 'unrecognized descriptor: @reboot')]],
    ['@daily ', [invalid('@daily ', 'unrecognized descriptor: @daily ')]],
    ['@every 1d', [invalid('@every 1d', 'failed to parse duration @every 1d: time: unknown unit "d" in duration "1d"')]],
    ['@every 5', [invalid('@every 5', 'failed to parse duration @every 5: time: missing unit in duration "5"')]],
    ['TZ=UTC 0 * * * *', [noTZ('TZ=UTC 0 * * * *')]],
    ['CRON_TZ=Europe/Berlin 0 9 * * *', [noTZ('CRON_TZ=Europe/Berlin 0 9 * * *')]],
    [
      'TZ=Mars/Base 0 * * * *',
      [invalid('TZ=Mars/Base 0 * * * *', 'provided bad location Mars/Base: unknown time zone Mars/Base'), noTZ('TZ=Mars/Base 0 * * * *')],
    ],
    ['', ['spec.schedule: Required value']],
    ['0 0 30 2 *', [invalid('0 0 30 2 *', 'the schedule never fires')]],
    ['0 0 31 4,6,9,11 *', [invalid('0 0 31 4,6,9,11 *', 'the schedule never fires')]],
    ['0 0 , * *', [invalid('0 0 , * *', 'the schedule never fires')]],
  ])('rejects %j', (value, expected) => {
    expect(createErrors(schedule(value))).toEqual(expected)
  })

  it.each<[string, string, string]>([
    ['*/15 * * * *', '2026-11-26T10:07:30Z', '2026-11-26T10:15:00.000Z'],
    ['0 9 * * MON-FRI', '2026-11-27T09:00:00Z', '2026-11-30T09:00:00.000Z'],
    // Neither day field is a star: either may match (the 1st, or a Monday).
    ['0 0 1 * MON', '2026-11-26T00:00:00Z', '2026-11-30T00:00:00.000Z'],
    // A day field with a star makes both necessary, and `*/2` is no star.
    ['0 0 */2 * MON', '2026-11-26T00:00:00Z', '2026-11-27T00:00:00.000Z'],
    ['0 0 * * MON', '2026-11-26T00:00:00Z', '2026-11-30T00:00:00.000Z'],
    ['@every 90s', '2026-11-26T10:00:00.500Z', '2026-11-26T10:01:30.000Z'],
  ])('runs %j after %s at %s', (value, after, expected) => {
    const parsed = parseSchedule(value)
    expect(parsed).not.toHaveProperty('error')
    expect(nextRun(parsed as CronSchedule, new Date(after))?.toISOString()).toBe(expected)
  })

  const runs = (value: string, after: string, timeZone: string, count = 3) => {
    const parsed = parseSchedule(value) as CronSchedule
    const times: string[] = []
    for (let t = nextRun(parsed, new Date(after), timeZone); t && times.length < count; t = nextRun(parsed, t, timeZone))
      times.push(t.toISOString())
    return times
  }

  it('reads a schedule in its time zone', () => {
    expect(runs('0 9 * * *', '2026-11-26T00:00:00Z', 'Asia/Kolkata', 2)).toEqual(['2026-11-26T03:30:00.000Z', '2026-11-27T03:30:00.000Z'])
    expect(runs('0 9 * * *', '2026-11-26T00:00:00Z', 'America/New_York', 1)).toEqual(['2026-11-26T14:00:00.000Z'])
  })

  // Kubernetes (robfig/cron) walks absolute hours: 02:30 does not exist in New York on 8 March 2026,
  // so that day has no run; 01:30 happens twice on 1 November 2026, so it runs twice.
  it('skips a time the spring-forward gap removes, as Kubernetes does', () => {
    const newYork = (value: string, after: string) => runs(value, after, 'America/New_York')
    expect(newYork('30 2 * * *', '2026-03-07T12:00:00Z')).toEqual([
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
      '2026-03-11T06:30:00.000Z',
    ])
    // 01:00 EST, then 03:00 EDT: one hour later.
    expect(newYork('0 * * * *', '2026-03-08T05:30:00Z')).toEqual([
      '2026-03-08T06:00:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T08:00:00.000Z',
    ])
  })

  it('runs twice at a time the fall-back hour repeats, as Kubernetes does', () => {
    const newYork = (value: string, after: string) => runs(value, after, 'America/New_York')
    expect(newYork('30 1 * * *', '2026-10-31T12:00:00Z')).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ])
  })

  it('finds the next leap day of a schedule that runs on 29 February', () => {
    expect(runs('0 0 29 2 *', '2026-01-01T00:00:00Z', 'UTC', 2)).toEqual(['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z'])
  })

  it('has no next time for a schedule that never fires', () => {
    expect(nextRun(parseSchedule('0 0 30 2 *') as CronSchedule, new Date('2026-01-01T00:00:00Z'))).toBeUndefined()
  })
})

describe('CronJob validation', () => {
  it.each<[string, JsonObject, string[]]>([
    [
      'an unknown concurrency policy',
      cronJob((s) => (s.concurrencyPolicy = 'Queue')),
      ['spec.concurrencyPolicy: Unsupported value: "Queue": supported values: "Allow", "Forbid", "Replace"'],
    ],
    [
      'job pods that always restart',
      cronJob((s) => (at(s, 'jobTemplate.spec.template.spec').restartPolicy = 'Always')),
      ['spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    ],
    [
      'a job template with a selector',
      cronJob((s) => (at(s, 'jobTemplate.spec').selector = { matchLabels: { app: 'report' } })),
      ['spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"app":"report"}}: `selector` will be auto-generated'],
    ],
    [
      'a job template with a manual selector',
      cronJob((s) => (at(s, 'jobTemplate.spec').manualSelector = true)),
      ['spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"'],
    ],
    [
      'a negative history limit',
      cronJob((s) => (s.failedJobsHistoryLimit = -1)),
      ['spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'a negative starting deadline',
      cronJob((s) => (s.startingDeadlineSeconds = -10)),
      ['spec.startingDeadlineSeconds: Invalid value: -10: must be greater than or equal to 0'],
    ],
    [
      'an empty time zone',
      cronJob((s) => (s.timeZone = '')),
      ['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string'],
    ],
    [
      'the Local time zone',
      cronJob((s) => (s.timeZone = 'Local')),
      ['spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'],
    ],
    [
      'an unknown time zone',
      cronJob((s) => (s.timeZone = 'Mars/Base')),
      ['spec.timeZone: Invalid value: "Mars/Base": unknown time zone Mars/Base'],
    ],
    [
      'a time zone that is no name',
      cronJob((s) => (s.timeZone = '../etc/passwd')),
      ['spec.timeZone: Invalid value: "../etc/passwd": unknown time zone ../etc/passwd'],
    ],
  ])('rejects %s', (_, manifest, expected) => {
    expect(createErrors(manifest)).toEqual(expected)
  })

  it('refuses a schedule that never fires in its time zone', () => {
    expect(createErrors(cronJob((s) => ((s.schedule = '0 0 30 2 *'), (s.timeZone = 'Europe/Berlin'))))).toEqual([
      'spec.schedule: Invalid value: "0 0 30 2 *": the schedule never fires',
    ])
  })

  it('accepts an IANA time zone', () => {
    expect(spec(create(cronJob((s) => (s.timeZone = 'Europe/Berlin')))).timeZone).toBe('Europe/Berlin')
  })

  it('reports a name too long for its jobs after the spec errors', () => {
    const manifest = edited(minimal.CronJob!, (o) => {
      ;(o.metadata as JsonObject).name = 'r'.repeat(53)
      spec(o).schedule = '* * *'
    })
    expect(createErrors(manifest)).toEqual([
      'spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]',
      `metadata.name: Invalid value: "${'r'.repeat(53)}": must be no more than 52 characters`,
    ])
  })
})
