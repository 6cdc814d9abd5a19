import type { Command } from '../command.js'
import { CliError, ServerError } from '../errors.js'
import { objectName, parseTarget, qualified } from '../kinds.js'
import { eventTable, LOG_EVENT_FIELDS, type LogEventRow } from '../log-events.js'
import { outputFlag, outputFormat, toJson, toYaml } from '../output.js'

const QUERY = /* GraphQL */ `
  query Why($kind: String!, $namespace: String, $name: String!) {
    history(kind: $kind, namespace: $namespace, name: $name) { revision event { ${LOG_EVENT_FIELDS} } }
  }
`

export const why: Command = {
  name: 'why',
  summary: 'Explain how an object came to be as it is: the chain of events that caused its state',
  usage: 'why KIND/NAME [--revision R]',
  examples: ['revkube why pod/web-7d4b9c-x2x9z', 'revkube why deploy/web --revision 182', 'revkube why rs/web-7d4b9c -o json'],
  description:
    "Finds the event that produced the object's state (now, or as of --revision) and follows what caused it — a controller reacting to another event, back to the person or process that started it.",
  flags: [
    { name: 'revision', type: 'string', value: 'R', help: 'explain the state as of this revision (default: the latest)' },
    outputFlag,
  ],
  run: async (ctx) => {
    const format = outputFormat(ctx, ['table', 'json', 'yaml'])
    const { resource, name } = await parseTarget(ctx, ctx.args)
    const wanted = ctx.flags.revision as string | undefined
    if (wanted !== undefined && !/^[1-9]\d*$/.test(wanted)) throw new CliError(`invalid --revision "${wanted}": expected a revision number`)
    const data = await ctx.client().request<{ history: Array<{ revision: string; event: LogEventRow }> }>(QUERY, {
      kind: resource.kind,
      namespace: resource.namespaced ? ctx.namespace : null,
      name,
    })
    const versions = data.history.filter((v) => wanted === undefined || BigInt(v.revision) <= BigInt(wanted))
    const version = versions.at(-1)
    if (!version)
      throw new ServerError('NotFound', `${qualified(resource)} "${name}" ${wanted ? `did not exist at revision ${wanted}` : 'not found'}`)
    const causes = await ctx
      .client()
      .request<{ causes: LogEventRow[] }>(`query Causes($revision: Revision!) { causes(revision: $revision) { ${LOG_EVENT_FIELDS} } }`, {
        revision: version.revision,
      })
    const chain = [version.event, ...causes.causes]
    if (format === 'json' || format === 'yaml') return void ctx.io.out(format === 'json' ? toJson(chain) : toYaml(chain))
    const root = chain.at(-1)!
    const state = version.event.type === 'Deleted' ? 'was deleted' : 'got its state'
    ctx.io.out(
      `${objectName(resource, name)} ${state} at revision ${version.revision} (${version.event.type} by ${version.event.actor ?? '<unknown>'}${version.event.reason ? `: ${version.event.reason}` : ''}).\n`,
    )
    if (chain.length === 1) ctx.io.out('Nothing caused it but its actor: it was a direct request.\n')
    else
      ctx.io.out(
        `It was caused by ${chain.length - 1} earlier event${chain.length > 2 ? 's' : ''}, back to revision ${root.revision} (${root.type} of ${root.kind} ${root.namespace ? `${root.namespace}/` : ''}${root.name} by ${root.actor ?? '<unknown>'}).\n`,
      )
    ctx.io.out('\n')
    ctx.io.out(eventTable(chain, { withCause: true }))
  },
}
