import type { Command } from '../command.js'
import { apiResources } from '../kinds.js'
import { formatTable, noHeadersFlag, outputFlag, outputFormat } from '../output.js'

export const apiResourcesCommand: Command = {
  name: 'api-resources',
  summary: 'List the kinds the server serves, with their short names (what KIND may be)',
  usage: 'api-resources [--namespaced=true|false] [-o wide|name]',
  examples: ['revkube api-resources', 'revkube api-resources --namespaced=false -o name'],
  flags: [
    { name: 'namespaced', type: 'string', value: 'BOOL', help: 'only namespaced (true) or cluster-scoped (false) kinds' },
    outputFlag,
    noHeadersFlag,
  ],
  run: async (ctx) => {
    const format = outputFormat(ctx, ['table', 'wide', 'name'])
    const namespaced = ctx.flags.namespaced === undefined ? undefined : ctx.flags.namespaced === 'true'
    const resources = (await apiResources(ctx))
      .filter((r) => namespaced === undefined || r.namespaced === namespaced)
      .sort((a, b) => a.name.localeCompare(b.name))
    if (format === 'name') return void ctx.io.out(resources.map((r) => `${r.group ? `${r.name}.${r.group}` : r.name}\n`).join(''))
    const header = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(format === 'wide' ? ['SUBRESOURCES'] : [])]
    const rows = resources.map((r) => [
      r.name,
      r.shortNames.join(','),
      r.apiVersion,
      String(r.namespaced),
      r.kind,
      ...(format === 'wide' ? [r.subresources.join(',')] : []),
    ])
    ctx.io.out(formatTable(ctx.flags['no-headers'] ? rows : [header, ...rows]))
  },
}
