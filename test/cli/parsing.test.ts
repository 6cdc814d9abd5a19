import { describe, expect, it } from 'vitest'
import { commandWords, globalFlags, parseArgs, type FlagSpec } from '../../cli/args.js'
import { parseAt } from '../../cli/at.js'
import { podStatus } from '../../services/resources/kinds/core/pod.js'
import { age } from '../../services/resources/printing/human-duration.js'
import { CliError } from '../../cli/errors.js'
import { parseManifest } from '../../cli/manifests.js'
import { unifiedDiff } from '../../cli/unified-diff.js'

const flags: FlagSpec[] = [
  ...globalFlags,
  { name: 'output', short: 'o', type: 'string', help: '' },
  { name: 'replicas', type: 'int', help: '' },
  { name: 'watch', short: 'w', type: 'boolean', help: '' },
  { name: 'filename', short: 'f', type: 'strings', help: '' },
  { name: 'dry-run', type: 'string', bareValue: 'client', help: '' },
]

describe('argument parsing, as kubectl takes flags', () => {
  it('takes --flag value, --flag=value, -f value, -nvalue, bare booleans and repeated flags', () => {
    expect(parseArgs(['pods', '-n', 'prod', '--output=json', '-w', '-f', 'a.yaml', '-f', 'b.yaml', 'web', '--dry-run'], flags)).toEqual({
      positionals: ['pods', 'web'],
      flags: { namespace: 'prod', output: 'json', watch: true, filename: ['a.yaml', 'b.yaml'], 'dry-run': 'client' },
    })
    expect(parseArgs(['-nkube-system', '--watch=false', '--replicas', '3', '--', '-x'], flags).flags).toEqual({
      namespace: 'kube-system',
      watch: false,
      replicas: 3,
    })
    expect(parseArgs(['--', '-x'], flags).positionals).toEqual(['-x'])
  })

  it('refuses unknown flags, missing values and bad numbers, naming the flag', () => {
    expect(() => parseArgs(['--bogus'], flags)).toThrow(new CliError('unknown flag: --bogus'))
    expect(() => parseArgs(['-z'], flags)).toThrow(/unknown shorthand flag: 'z' in -z/)
    expect(() => parseArgs(['--replicas'], flags)).toThrow('flag needs an argument: --replicas')
    expect(() => parseArgs(['--replicas', 'three'], flags)).toThrow(/invalid argument "three" for "--replicas" flag/)
    expect(() => parseArgs(['--watch=maybe'], flags)).toThrow(/expected true or false/)
  })

  it('finds command words behind global flags', () => {
    expect(commandWords(['-n', 'prod', 'rollout', 'status', 'deploy/web'], globalFlags, 1)).toEqual({
      words: ['rollout'],
      rest: ['-n', 'prod', 'status', 'deploy/web'],
    })
  })

  it('does not take the word after a flag that may stand bare as its value', () => {
    const dryRun: FlagSpec = { name: 'dry-run', type: 'string', bareValue: 'client', help: '' }
    expect(commandWords(['--dry-run', 'namespace', 'x'], [...globalFlags, dryRun], 1)).toEqual({
      words: ['namespace'],
      rest: ['--dry-run', 'x'],
    })
  })
})

describe('--at', () => {
  const now = new Date('2026-11-26T14:00:00Z')
  it('takes a revision, an RFC 3339 time, or a duration ago', () => {
    expect(parseAt('1234', now)).toEqual({ revision: '1234' })
    expect(parseAt('2026-11-26T13:02:00Z', now)).toEqual({ time: '2026-11-26T13:02:00.000Z' })
    expect(parseAt('2026-11-26T15:02:00+02:00', now)).toEqual({ time: '2026-11-26T13:02:00.000Z' })
    expect(parseAt('-5m', now)).toEqual({ time: '2026-11-26T13:55:00.000Z' })
    expect(parseAt('-1h30m', now)).toEqual({ time: '2026-11-26T12:30:00.000Z' })
    expect(parseAt('-1d', now)).toEqual({ time: '2026-11-25T14:00:00.000Z' })
  })
  it('refuses what does not parse, revision 0, and the future', () => {
    expect(() => parseAt('yesterday', now)).toThrow(/invalid --at "yesterday"/)
    expect(() => parseAt('0', now)).toThrow(/revisions start at 1/)
    expect(() => parseAt('2026-11-26T15:00:00Z', now)).toThrow(/is in the future/)
    expect(() => parseAt('2026-13-40T00:00:00Z', now)).toThrow(/invalid --at/)
    expect(() => parseAt('-5x', now)).toThrow(/invalid --at/)
  })
})

describe('printing', () => {
  it('prints ages as kubectl does', () => {
    const now = new Date('2026-11-26T14:00:00Z')
    const ago = (s: number) => age(new Date(now.getTime() - s * 1000).toISOString(), now)
    expect([
      ago(5),
      ago(119),
      ago(150),
      ago(600),
      ago(7200),
      ago(3 * 3600 + 60),
      ago(30 * 3600),
      ago(3 * 86400 + 3600),
      ago(30 * 86400),
      ago(800 * 86400),
    ]).toEqual(['5s', '119s', '2m30s', '10m', '120m', '3h1m', '30h', '3d1h', '30d', '2y70d'])
  })

  it('derives a pod STATUS from its containers, as kubectl does', () => {
    const pod = (status: object, metadata: object = {}) => ({ metadata, spec: { containers: [{ name: 'c' }] }, status })
    expect(podStatus(pod({ phase: 'Running', containerStatuses: [{ ready: true, state: { running: {} } }] }))).toBe('Running')
    expect(podStatus(pod({ phase: 'Running', containerStatuses: [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }] }))).toBe(
      'CrashLoopBackOff',
    )
    expect(podStatus(pod({ phase: 'Failed', containerStatuses: [{ state: { terminated: { exitCode: 2 } } }] }))).toBe('ExitCode:2')
    expect(podStatus(pod({ phase: 'Running' }, { deletionTimestamp: '2026-11-26T14:00:00Z' }))).toBe('Terminating')
    expect(podStatus(pod({ phase: 'Pending' }))).toBe('Pending')
    expect(podStatus(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }))).toBe(
      'SchedulingGated',
    )
    expect(podStatus(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] }))).toBe(
      'Pending',
    )
  })

  it('writes unified diffs', () => {
    expect(unifiedDiff('a\nb\nc\n', 'a\nB\nc\n', 'x@1', 'x@2')).toBe('--- x@1\n+++ x@2\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n')
    expect(unifiedDiff('', 'a\n', '/dev/null', 'x@2')).toBe('--- /dev/null\n+++ x@2\n@@ -0,0 +1,1 @@\n+a\n')
    expect(unifiedDiff('same\n', 'same\n', 'a', 'b')).toBe('')
    const long = Array.from({ length: 20 }, (_, i) => `line ${i}`)
    const changed = long.map((l, i) => (i === 2 || i === 17 ? `${l}!` : l))
    const hunks = unifiedDiff(long.join('\n'), changed.join('\n'), 'a', 'b')
      .split('\n')
      .filter((l) => l.startsWith('@@'))
    expect(hunks).toEqual(['@@ -1,6 +1,6 @@', '@@ -15,6 +15,6 @@'])
  })
})

describe('manifests', () => {
  it('reads multi-document YAML and Lists, and names the file and line of a mistake', () => {
    const file = parseManifest(
      'app.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Secret, metadata: {name: b}}\n',
    )
    expect(file.objects.map((o) => o.kind)).toEqual(['ConfigMap', 'Secret'])
    expect(() => parseManifest('bad.yaml', 'apiVersion: v1\nkind: [\n')).toThrow(/^error parsing bad\.yaml: line \d+, column \d+: /)
    expect(() => parseManifest('nokind.yaml', 'apiVersion: v1\nmetadata: {name: a}\n')).toThrow(
      'error validating nokind.yaml (document at line 1): kind not set',
    )
    expect(() => parseManifest('empty.yaml', '# nothing\n')).toThrow(/holds no manifests/)
  })
})
