import type { Command } from '../command.js'
import { CliError } from '../errors.js'
import { resolveKind } from '../kinds.js'
import { diffableYaml, outputFlag, outputFormat, toJson, toYaml } from '../output.js'
import { atOf } from '../reads.js'
import { unifiedDiff } from '../unified-diff.js'
import { describeAt } from '../log-events.js'

type Json = Record<string, unknown>

const CHANGES = /* GraphQL */ `
  query Changes($from: At!, $to: At!, $kind: String, $namespace: String, $labelSelector: String) {
    changes(from: $from, to: $to, kind: $kind, namespace: $namespace, labelSelector: $labelSelector) {
      type kind namespace name diff
      before { raw }
      after { raw }
    }
  }
`

interface Change {
  type: 'CREATED' | 'MODIFIED' | 'DELETED'
  kind: string
  namespace: string | null
  name: string
  diff: unknown
  before: { raw: Json } | null
  after: { raw: Json } | null
}

export const diff: Command = {
  name: 'diff',
  summary: 'Show what changed in the cluster between two points in history',
  usage: 'diff --from WHEN [--to WHEN] [KIND] [-l SELECTOR] [-n NS | -A] [-o json|yaml]',
  examples: [
    'revkube diff --from 120 --to 180',
    'revkube diff --from -30m deploy -n prod',
    'revkube diff --from 2026-11-26T14:00:00Z --to 2026-11-26T14:05:00Z -o json',
  ],
  description:
    'Prints a unified YAML diff per object created, modified or deleted. Exit status: 0 no differences, 1 differences, 2 an error (as kubectl diff).',
  flags: [
    { name: 'from', type: 'string', value: 'WHEN', help: 'the earlier point: a revision, a time or a duration ago (required)' },
    { name: 'to', type: 'string', value: 'WHEN', help: 'the later point (default: now)' },
    { name: 'selector', short: 'l', type: 'string', value: 'SELECTOR', help: 'only objects whose labels match (before or after)' },
    { name: 'all-namespaces', short: 'A', type: 'boolean', help: 'every namespace (the default without -n)' },
    outputFlag,
  ],
  run: async (ctx) => {
    try {
      const format = outputFormat(ctx, ['table', 'json', 'yaml'])
      const from = atOf(ctx, 'from')
      if (!from) throw new CliError('--from is required, e.g. --from 120 or --from -30m')
      const to = atOf(ctx, 'to') ?? {
        revision: (await ctx.client().request<{ revision: { revision: string } }>('{ revision { revision } }')).revision.revision,
      }
      if (ctx.args.length > 1) throw new CliError('diff takes at most one KIND')
      const kind = ctx.args[0] ? (await resolveKind(ctx, ctx.args[0])).kind : null
      const namespace = ctx.flags.namespace !== undefined && !ctx.flags['all-namespaces'] ? ctx.namespace : null
      const data = await ctx
        .client()
        .request<{ changes: Change[] }>(CHANGES, { from, to, kind, namespace, labelSelector: ctx.flags.selector ?? null })
      const changes = data.changes
      if (format === 'json' || format === 'yaml') {
        const items = changes.map((c) => ({
          type: c.type,
          kind: c.kind,
          namespace: c.namespace,
          name: c.name,
          diff: c.diff,
          before: c.before?.raw ?? null,
          after: c.after?.raw ?? null,
        }))
        ctx.io.out(format === 'json' ? toJson(items) : toYaml(items))
      } else {
        for (const c of changes) {
          const path = `${c.kind}/${c.namespace ? `${c.namespace}/` : ''}${c.name}`
          ctx.io.out(`diff -u ${describeAt(from)} ${describeAt(to)} ${path} (${c.type.toLowerCase()})\n`)
          ctx.io.out(
            unifiedDiff(
              diffableYaml(c.before?.raw),
              diffableYaml(c.after?.raw),
              c.before ? `${path}@from` : '/dev/null',
              c.after ? `${path}@to` : '/dev/null',
            ),
          )
        }
      }
      return changes.length > 0 ? 1 : 0
    } catch (error) {
      // kubectl diff: 1 means "differences", so failures exit 2.
      if (error instanceof CliError) throw Object.assign(error, { exitCode: 2 })
      throw error
    }
  },
}
