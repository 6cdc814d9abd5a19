import { parseAt } from '../at.js'
import type { Command, CommandContext } from '../command.js'
import { CliError } from '../errors.js'
import { formatLogLine } from '../log-lines.js'
import { headRevision, logPages, revisionAt, toLogLine } from '../log-pages.js'
import { Progress, type ProgressMode } from '../progress.js'

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write the raw event log as NDJSON (one event per line) for backup or import',
  usage: 'export [--from WHEN] [--to WHEN] [--progress] > log.ndjson',
  description: [
    'Every line holds one event with everything needed to restore it exactly: revision, txRevision,',
    'type, kind, namespace ("" for cluster-scoped kinds), name, uid, object, meta and time (the commit',
    'time). The export reads one fixed range of the log, so a server may keep writing meanwhile.',
    'Progress goes to stderr when it is a terminal, or with --progress.',
  ].join('\n'),
  examples: [
    'revkube export > log.ndjson                       # the whole log, up to the head',
    'revkube export --to 5000 > first-5000.ndjson',
    'revkube export --from -1h > last-hour.ndjson      # the events after the point one hour ago',
    'revkube export | gzip > backup-$(date +%F).ndjson.gz',
  ],
  flags: [
    {
      name: 'from',
      type: 'string',
      value: 'WHEN',
      help: 'only the events after this point: a revision (1234), a time (2026-11-26T14:02:00Z) or a duration ago (-5m)',
    },
    { name: 'to', type: 'string', value: 'WHEN', help: 'up to and including this point (default: the head when the export starts)' },
    { name: 'progress', type: 'boolean', help: 'show progress on stderr even when it is not a terminal (--progress=false: never)' },
  ],
  run: async (ctx) => {
    const client = ctx.client()
    const { after, to } = await rangeOf(ctx)
    const progress = new Progress({ mode: progressMode(ctx), write: ctx.io.err, doing: 'exporting', did: 'exported', total: to - after })
    const started = performance.now()
    let count = 0
    for await (const page of logPages(client, { after, to, fields: 'full' })) {
      let text = ''
      for (const e of page) {
        text += formatLogLine(toLogLine(e))
      }
      ctx.io.out(text)
      count += page.length
      progress.update(count)
    }
    progress.finish()
    if (progressMode(ctx) !== 'off') {
      const seconds = (performance.now() - started) / 1000
      const range = count > 0 ? ` (revisions ${after + 1}–${to})` : ''
      ctx.io.err(
        `exported ${count.toLocaleString('en-US')} events${range} in ${seconds.toFixed(1)} s, ${Math.round(count / Math.max(seconds, 1e-3)).toLocaleString('en-US')} events/s\n`,
      )
    }
    return 0
  },
}

/** --from and --to as revisions: events after `after`, up to and including `to`. */
async function rangeOf(ctx: CommandContext): Promise<{ after: number; to: number }> {
  const client = ctx.client()
  const point = async (flag: 'from' | 'to') => {
    const value = ctx.flags[flag] as string | undefined
    return value === undefined ? undefined : revisionAt(client, parseAt(value, ctx.io.now(), `--${flag}`))
  }
  const after = (await point('from')) ?? 0
  const to = (await point('to')) ?? (await headRevision(client))
  if (after > to) throw new CliError(`--from (revision ${after}) is after --to (revision ${to})`)
  return { after, to }
}

function progressMode(ctx: CommandContext): ProgressMode {
  const wanted = ctx.flags.progress as boolean | undefined
  if (wanted === false) return 'off'
  if (ctx.io.errIsTTY) return 'bar'
  return wanted ? 'lines' : 'off'
}
