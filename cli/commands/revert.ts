import type { Command } from '../command.js'
import { CliError } from '../errors.js'
import { objectName, parseTarget } from '../kinds.js'
import { describeAt } from '../log-events.js'
import { atOf } from '../reads.js'
import { dryRunFlag, dryRunOf } from './apply.js'

export const revert: Command = {
  name: 'revert',
  summary: 'Write an object back as it was at a point in history (a new revision; re-created if it is gone)',
  usage: 'revert KIND/NAME --to WHEN [--dry-run=server]',
  examples: [
    'revkube revert deploy/web --to 180',
    'revkube revert configmap/settings --to -15m',
    'revkube revert deploy/web --to 2026-11-26T14:02:00Z --dry-run=server',
  ],
  flags: [
    { name: 'to', type: 'string', value: 'WHEN', help: 'the point to go back to: a revision, a time, or a duration ago (required)' },
    dryRunFlag,
  ],
  run: async (ctx) => {
    const to = atOf(ctx, 'to')
    if (!to) throw new CliError('--to is required, e.g. --to 180 or --to -15m')
    const { resource, name } = await parseTarget(ctx, ctx.args)
    const { dryRun, suffix } = dryRunOf(ctx)
    const data = await ctx
      .client()
      .request<{ revert: { revision: string } }>(
        'mutation Revert($kind: String!, $namespace: String, $name: String!, $to: At!, $dryRun: Boolean) { revert(kind: $kind, namespace: $namespace, name: $name, to: $to, dryRun: $dryRun) { revision } }',
        { kind: resource.kind, namespace: resource.namespaced ? ctx.namespace : null, name, to, dryRun },
      )
    ctx.io.out(
      `${objectName(resource, name)} reverted to ${describeAt(to)}${dryRun ? '' : ` (now revision ${data.revert.revision})`}${suffix}\n`,
    )
  },
}
