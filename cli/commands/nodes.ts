import type { Command, CommandContext } from '../command.js'
import { CliError } from '../errors.js'

function nodeName(ctx: CommandContext): string {
  const [arg, extra] = ctx.args
  if (!arg) throw new CliError('you must name a node, e.g. "sim-node-1"')
  if (extra !== undefined) throw new CliError(`one node at a time: unexpected "${extra}"`)
  const name = arg.replace(/^(node|nodes|no)\//, '')
  if (name.includes('/')) throw new CliError(`"${arg}" is not a node name`)
  return name
}

function nodeToggle(verb: 'cordon' | 'uncordon', summary: string): Command {
  return {
    name: verb,
    summary,
    usage: `${verb} NODE`,
    examples: [`revkube ${verb} sim-node-1`],
    run: async (ctx) => {
      const name = nodeName(ctx)
      const before = await ctx
        .client()
        .request<{ node: { unschedulable: boolean } | null }>('query N($name: String!) { node(name: $name) { unschedulable } }', { name })
      if (!before.node) throw new CliError(`nodes "${name}" not found`)
      const already = before.node.unschedulable === (verb === 'cordon')
      await ctx.client().request(`mutation M($node: String!) { ${verb}(node: $node) { revision } }`, { node: name })
      ctx.io.out(`node/${name} ${already ? `already ${verb}ed` : `${verb}ed`}\n`)
    },
  }
}

export const cordon = nodeToggle('cordon', 'Mark a node unschedulable')
export const uncordon = nodeToggle('uncordon', 'Mark a node schedulable again')

export const drain: Command = {
  name: 'drain',
  summary: 'Cordon a node and evict its pods (leaving DaemonSet pods with --ignore-daemonsets)',
  usage: 'drain NODE [--ignore-daemonsets] [--force] [--delete-emptydir-data] [--grace-period=SECONDS]',
  examples: ['revkube drain sim-node-2 --ignore-daemonsets'],
  flags: [
    { name: 'ignore-daemonsets', type: 'boolean', help: 'leave DaemonSet-managed pods in place' },
    { name: 'force', type: 'boolean', help: 'also delete pods no controller manages' },
    { name: 'delete-emptydir-data', type: 'boolean', help: 'also evict pods with emptyDir volumes (their data is lost)' },
    { name: 'grace-period', type: 'int', value: 'SECONDS', help: 'seconds each pod gets to terminate' },
  ],
  run: async (ctx) => {
    const name = nodeName(ctx)
    const data = await ctx.client().request<{ drain: { messages: string[]; warnings: string[] } }>(
      `mutation Drain($node: String!, $force: Boolean, $ignore: Boolean, $emptyDir: Boolean, $grace: Int) {
        drain(node: $node, force: $force, ignoreDaemonSets: $ignore, deleteEmptyDirData: $emptyDir, gracePeriodSeconds: $grace) { messages warnings }
      }`,
      {
        node: name,
        force: ctx.flags.force ?? null,
        ignore: ctx.flags['ignore-daemonsets'] ?? null,
        emptyDir: ctx.flags['delete-emptydir-data'] ?? null,
        grace: ctx.flags['grace-period'] ?? null,
      },
    )
    for (const line of data.drain.messages) ctx.io.out(`${line}\n`)
  },
}

export const taint: Command = {
  name: 'taint',
  summary: 'Add or remove taints of a node',
  usage: 'taint nodes NODE KEY[=VALUE]:EFFECT ... | KEY[:EFFECT]- [--overwrite]',
  examples: [
    'revkube taint nodes sim-node-1 dedicated=db:NoSchedule',
    'revkube taint nodes sim-node-1 dedicated:NoSchedule-',
    'revkube taint node/sim-node-1 dedicated-',
  ],
  flags: [{ name: 'overwrite', type: 'boolean', help: 'replace a taint with the same key and effect' }],
  run: async (ctx) => {
    let args = ctx.args
    if (args[0] === 'nodes' || args[0] === 'node' || args[0] === 'no') args = args.slice(1)
    const name = nodeName({ ...ctx, args: args.slice(0, 1) })
    const specs = args.slice(1)
    if (specs.length === 0) throw new CliError('at least one taint update is required, e.g. key=value:NoSchedule or key-')
    let removed = false
    for (const spec of specs) {
      const remove = spec.endsWith('-')
      const body = remove ? spec.slice(0, -1) : spec
      const [keyValue, effect] = body.split(':')
      const [key, value] = keyValue!.split('=')
      if (!key) throw new CliError(`invalid taint spec: ${spec}`)
      if (!remove && !effect)
        throw new CliError(`invalid taint spec: ${spec}, an effect is required (NoSchedule, PreferNoSchedule or NoExecute)`)
      removed ||= remove
      await ctx
        .client()
        .request(
          'mutation Taint($node: String!, $key: String!, $value: String, $effect: String!, $remove: Boolean, $overwrite: Boolean) { taint(node: $node, key: $key, value: $value, effect: $effect, remove: $remove, overwrite: $overwrite) { revision } }',
          {
            node: name,
            key,
            value: value ?? null,
            effect: remove ? `${effect ?? ''}-` : effect,
            remove,
            overwrite: ctx.flags.overwrite ?? null,
          },
        )
    }
    ctx.io.out(`node/${name} ${removed ? 'untainted' : 'tainted'}\n`)
  },
}
