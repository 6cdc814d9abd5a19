import type { Command, CommandContext } from '../command.js'
import { CliError } from '../errors.js'
import { resolveKind } from '../kinds.js'
import { eventTable, LOG_EVENT_FIELDS, type LogEventRow } from '../log-events.js'
import { outputFlag, outputFormat } from '../output.js'

const PAGE = /* GraphQL */ `
  query Log($from: Revision, $to: Revision, $kind: String, $namespace: String, $name: String, $actor: String, $after: String) {
    log(from: $from, to: $to, kind: $kind, namespace: $namespace, name: $name, actor: $actor, first: 1000, after: $after) {
      edges { node { ${LOG_EVENT_FIELDS} object { raw } } }
      pageInfo { hasNextPage endCursor }
      revision
    }
  }
`

const FOLLOW = /* GraphQL */ `
  subscription Follow($fromRevision: Revision, $kind: String, $namespace: String) {
    log(fromRevision: $fromRevision, kind: $kind, namespace: $namespace) { ${LOG_EVENT_FIELDS} object { raw } }
  }
`

const revisionFlag = (value: unknown, flag: string): string | null => {
  if (value === undefined) return null
  if (!/^[1-9]\d*$/.test(String(value))) throw new CliError(`invalid --${flag} "${String(value)}": expected a revision number`)
  return String(value)
}

export const log: Command = {
  name: 'log',
  summary: 'Show the raw event log: its tail, a range, or new events as they come (-f)',
  usage: 'log [--from REV] [--to REV] [--kind KIND] [-n NS] [--name NAME] [--actor USER] [--tail N] [-f] [-o table|wide|json]',
  examples: [
    'revkube log                                   # the last 20 events',
    'revkube log --from 100 --to 200 --kind deploy',
    'revkube log --actor alice -A --tail 50',
    'revkube log -f --kind pods                    # follow new events (Ctrl-C ends)',
    'revkube log --from 1 -o json > audit.ndjson   # one JSON event per line',
  ],
  flags: [
    { name: 'from', type: 'string', value: 'REV', help: 'the first revision (inclusive)' },
    { name: 'to', type: 'string', value: 'REV', help: 'the last revision (inclusive)' },
    { name: 'kind', type: 'string', value: 'KIND', help: 'only events of this kind' },
    { name: 'name', type: 'string', value: 'NAME', help: 'only events of objects with this name' },
    { name: 'actor', type: 'string', value: 'USER', help: 'only events recorded for this user or controller' },
    { name: 'all-namespaces', short: 'A', type: 'boolean', help: 'every namespace (the default without -n)' },
    { name: 'tail', type: 'int', value: 'N', help: 'without --from: the last N events (default 20)' },
    { name: 'follow', short: 'f', type: 'boolean', help: 'keep printing new events as they are appended' },
    outputFlag,
  ],
  run: async (ctx) => {
    const format = outputFormat(ctx, ['table', 'wide', 'json'])
    const from = revisionFlag(ctx.flags.from, 'from')
    const to = revisionFlag(ctx.flags.to, 'to')
    const kind = ctx.flags.kind ? (await resolveKind(ctx, String(ctx.flags.kind))).kind : null
    const namespace = ctx.flags.namespace !== undefined && !ctx.flags['all-namespaces'] ? ctx.namespace : null
    const filters = { kind, namespace, name: ctx.flags.name ?? null, actor: ctx.flags.actor ?? null }
    const tail = (ctx.flags.tail as number | undefined) ?? 20
    if (tail < 0) throw new CliError('--tail must not be negative')
    let events: LogEventRow[] = []
    let head = '0'
    const print = (rows: LogEventRow[], first: boolean) => {
      if (format === 'json') return ctx.io.out(rows.map((e) => `${JSON.stringify(e)}\n`).join(''))
      if (rows.length) ctx.io.out(eventTable(rows, { noHeaders: !first, withCause: format === 'wide' }))
    }
    let start = from ? String(BigInt(from) - 1n) : null
    if (!from && !(ctx.flags.follow && ctx.flags.tail === undefined)) {
      const now = (await ctx.client().request<{ revision: { revision: string } }>('{ revision { revision } }')).revision.revision
      // Unfiltered, the tail is the last N revisions; filtered, the matches are read and the last N kept.
      const unfiltered = !kind && !namespace && !filters.name && !filters.actor
      start = unfiltered ? String(BigInt(now) > BigInt(tail) ? BigInt(now) - BigInt(tail) : 0n) : '0'
    }
    if (start !== null) {
      const page = await readRange(ctx, { ...filters, from: start, to })
      events = from ? page.events : page.events.slice(-tail)
      head = page.revision
      print(events, true)
    } else {
      head = (await ctx.client().request<{ revision: { revision: string } }>('{ revision { revision } }')).revision.revision
    }
    if (!ctx.flags.follow) return
    if (to) throw new CliError('--follow cannot be used with --to')
    let first = events.length === 0
    const stream = ctx.client().subscribe<{ log: LogEventRow }>(FOLLOW, { fromRevision: head, kind, namespace })
    const stop = ctx.io.interrupted.then(() => 'stop' as const)
    for (;;) {
      const next = await Promise.race([stream.next(), stop])
      if (next === 'stop' || next.done) return
      const event = next.value.log
      if (filters.name && event.name !== filters.name) continue
      if (filters.actor && event.actor !== filters.actor) continue
      print([event], first)
      first = false
    }
  },
}

async function readRange(ctx: CommandContext, query: Record<string, unknown>): Promise<{ events: LogEventRow[]; revision: string }> {
  const events: LogEventRow[] = []
  let after: string | null = null
  let revision = '0'
  do {
    type Page = {
      log: { edges: Array<{ node: LogEventRow }>; pageInfo: { hasNextPage: boolean; endCursor: string | null }; revision: string }
    }
    const page: Page = await ctx.client().request<Page>(PAGE, { ...query, after })
    events.push(...page.log.edges.map((e) => e.node))
    revision = page.log.revision
    after = page.log.pageInfo.hasNextPage ? page.log.pageInfo.endCursor : null
  } while (after)
  return { events, revision }
}
