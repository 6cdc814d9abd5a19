import type { Command } from '../command.js'
import { parseTarget, objectName, qualified } from '../kinds.js'
import { diffableYaml, formatTable, outputFlag, outputFormat, toJson, toYaml } from '../output.js'
import { unifiedDiff } from '../unified-diff.js'
import { ServerError } from '../errors.js'

type Json = Record<string, unknown>

const HISTORY = /* GraphQL */ `
  query History($kind: String!, $namespace: String, $name: String!) {
    history(kind: $kind, namespace: $namespace, name: $name) {
      revision time type actor reason diff
      object { raw }
      event { verb causationRevision requestId }
    }
  }
`

interface Version {
  revision: string
  time: string
  type: string
  actor: string | null
  reason: string | null
  diff: Array<{ op: string; path: string; value?: unknown }> | null
  object: { raw: Json }
  event: { verb: string | null; causationRevision: string | null; requestId: string | null }
}

/** One line for a version's change: the paths it touched, with new scalar values, shortened. */
export function summarise(diff: Version['diff'], type: string): string {
  if (!diff) return type === 'Created' ? 'created' : ''
  const parts = diff
    .filter((op) => !op.path.startsWith('/metadata/managedFields') && op.path !== '/metadata/generation')
    .map((op) => {
      const path = op.path.slice(1).replace(/\//g, '.').replace(/~1/g, '/').replace(/~0/g, '~')
      if (op.op === 'remove') return `-${path}`
      const value = op.value
      return value !== null && typeof value === 'object' ? path : `${path}=${JSON.stringify(value)}`
    })
  const text = parts.join(', ')
  return text.length > 100 ? `${text.slice(0, 97)}...` : text
}

export const history: Command = {
  name: 'history',
  summary: 'Show every version of an object: when it changed, who changed it, and what changed',
  usage: 'history KIND/NAME [--diff] [-o table|wide|json|yaml]',
  examples: ['revkube history deploy/web', 'revkube history deploy/web --diff', 'revkube history pod web-7d4b9c-x2x9z -o json'],
  description:
    'Versions come from the event log, so deleted objects have a history too (across deletes and re-creations of the same name).',
  flags: [{ name: 'diff', type: 'boolean', help: 'show each change as a unified YAML diff' }, outputFlag],
  run: async (ctx) => {
    const format = outputFormat(ctx, ['table', 'wide', 'json', 'yaml'])
    const { resource, name } = await parseTarget(ctx, ctx.args)
    const data = await ctx
      .client()
      .request<{ history: Version[] }>(HISTORY, { kind: resource.kind, namespace: resource.namespaced ? ctx.namespace : null, name })
    const versions = data.history
    if (versions.length === 0)
      throw new ServerError(
        'NotFound',
        `${qualified(resource)} "${name}" has no history${resource.namespaced ? ` in namespace "${ctx.namespace}"` : ''}`,
      )
    if (format === 'json' || format === 'yaml') {
      const items = versions.map((v) => ({
        revision: v.revision,
        time: v.time,
        type: v.type,
        actor: v.actor,
        reason: v.reason,
        verb: v.event.verb,
        causationRevision: v.event.causationRevision,
        diff: v.diff,
        object: v.object.raw,
      }))
      return void ctx.io.out(format === 'json' ? toJson(items) : toYaml(items))
    }
    if (ctx.flags.diff) {
      const label = objectName(resource, name)
      versions.forEach((v, i) => {
        ctx.io.out(`# revision ${v.revision}  ${v.time}  ${v.type} by ${v.actor ?? '<unknown>'}${v.reason ? `  (${v.reason})` : ''}\n`)
        const before = i === 0 || versions[i - 1]!.type === 'Deleted' ? '' : diffableYaml(versions[i - 1]!.object.raw)
        const after = v.type === 'Deleted' ? '' : diffableYaml(v.object.raw)
        ctx.io.out(
          unifiedDiff(before, after, i === 0 ? '/dev/null' : `${label}@${versions[i - 1]!.revision}`, `${label}@${v.revision}`) ||
            '(no change to the object)\n',
        )
        ctx.io.out('\n')
      })
      return
    }
    const wide = format === 'wide'
    const rows = versions.map((v) => [
      v.revision,
      v.time.replace(/\.\d+Z$/, 'Z'),
      v.type,
      v.actor ?? '<unknown>',
      ...(wide ? [v.event.verb ?? '', v.event.causationRevision ?? '-', v.reason ?? ''] : []),
      summarise(v.diff, v.type),
    ])
    ctx.io.out(formatTable([['REVISION', 'TIME', 'EVENT', 'ACTOR', ...(wide ? ['VERB', 'CAUSED-BY', 'REASON'] : []), 'CHANGE'], ...rows]))
  },
}
