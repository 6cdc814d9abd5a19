import { parseAt } from '../at.js'
import type { Command, CommandContext } from '../command.js'
import { CliError } from '../errors.js'
import { formatTable, outputFlag, outputFormat } from '../output.js'

interface Entry {
  time: string
  outcome: string
  user: string | null
  operation: string | null
  kind: string | null
  namespace: string | null
  name: string | null
  revision: string | null
  status: number | null
  message: string | null
  sourceAddress: string | null
  /** Refused requests: how many alike the minute from `time` held. */
  count: number
}

/** --since/--until as a time: RFC 3339 or a duration ago (a revision means nothing to refused requests). */
function timeOf(ctx: CommandContext, flag: string): string | null {
  const value = ctx.flags[flag] as string | undefined
  if (value === undefined) return null
  const at = parseAt(value, ctx.io.now(), `--${flag}`)
  if ('revision' in at) throw new CliError(`--${flag} takes a time (2026-11-26T14:02:00Z) or a duration ago (-1h), not a revision`)
  return at.time
}

export const audit: Command = {
  name: 'audit',
  summary: "Who did and tried what: users' changes (from the log) and the requests the server refused",
  usage: 'audit [--since WHEN] [--until WHEN] [--user USER] [--limit N] [-o table|wide|json]',
  examples: [
    'revkube audit --since -1h',
    'revkube audit --user alice -o wide',
    'revkube audit --since 2026-11-26T14:00:00Z -o json > audit.ndjson',
  ],
  flags: [
    { name: 'since', type: 'string', value: 'WHEN', help: 'from this time (2026-11-26T14:02:00Z) or duration ago (-1h)' },
    { name: 'until', type: 'string', value: 'WHEN', help: 'up to this time' },
    { name: 'user', type: 'string', value: 'USER', help: 'only this user (system:… names a controller)' },
    { name: 'limit', type: 'int', value: 'N', help: 'at most N entries (default 100)' },
    outputFlag,
  ],
  run: async (ctx) => {
    const format = outputFormat(ctx, ['table', 'wide', 'json'])
    const data = await ctx.client().request<{ audit: Entry[] }>(
      `query($since: DateTime, $until: DateTime, $user: String, $first: Int) {
        audit(since: $since, until: $until, user: $user, first: $first) { time outcome user operation kind namespace name revision status message sourceAddress count }
      }`,
      { since: timeOf(ctx, 'since'), until: timeOf(ctx, 'until'), user: ctx.flags.user ?? null, first: ctx.flags.limit ?? 100 },
    )
    if (format === 'json') return void ctx.io.out(data.audit.map((e) => `${JSON.stringify(e)}\n`).join(''))
    const wide = format === 'wide'
    const rows = data.audit.map((e) => [
      e.time.replace(/\.\d+Z$/, 'Z'),
      e.outcome,
      e.user ?? '<unknown>',
      e.operation ?? '',
      e.kind ? `${e.kind} ${e.namespace ? `${e.namespace}/` : ''}${e.name}` : '',
      e.revision ?? (e.status !== null ? String(e.status) : ''),
      String(e.count),
      ...(wide ? [e.sourceAddress ?? ''] : []),
      (e.message ?? '').slice(0, wide ? 400 : 100),
    ])
    if (rows.length === 0) return void ctx.io.err('No audit entries found\n')
    ctx.io.out(
      formatTable([
        ['TIME', 'OUTCOME', 'USER', 'OPERATION', 'OBJECT', 'REVISION/STATUS', 'COUNT', ...(wide ? ['SOURCE'] : []), 'MESSAGE'],
        ...rows,
      ]),
    )
  },
}
