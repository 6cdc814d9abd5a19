import type { Command, CommandContext } from '../command.js'
import { CliError } from '../errors.js'
import { parseTargets } from '../kinds.js'
import { outputFlag } from '../output.js'
import { getObject } from '../reads.js'
import { dryRunFlag } from './apply.js'
import { printChanged, sendPatch } from './patch.js'

type Json = Record<string, unknown>

/** `key=value` sets, `key-` removes, as kubectl label and annotate take them. */
function parseChanges(args: string[], what: string): { set: Record<string, string>; remove: string[]; targets: string[] } {
  const set: Record<string, string> = {}
  const remove: string[] = []
  const targets: string[] = []
  for (const arg of args) {
    if (arg.includes('=')) {
      const [key, ...value] = arg.split('=')
      if (!key) throw new CliError(`invalid ${what} spec: ${arg}`)
      set[key] = value.join('=')
    } else if (arg.endsWith('-') && targets.length > 0) remove.push(arg.slice(0, -1))
    else targets.push(arg)
  }
  if (Object.keys(set).length === 0 && remove.length === 0) throw new CliError(`at least one ${what} update is required`)
  return { set, remove, targets }
}

function changer(field: 'labels' | 'annotations', verb: string): Command['run'] {
  const what = field === 'labels' ? 'label' : 'annotation'
  return async (ctx: CommandContext) => {
    const { set, remove, targets } = parseChanges(ctx.args, what)
    for (const target of await parseTargets(ctx, targets)) {
      const current = ((await getObject(ctx, target.resource, target.name!)).metadata as Json)[field] as Record<string, string> | undefined
      if (!ctx.flags.overwrite) {
        for (const [key, value] of Object.entries(set)) {
          if (current?.[key] !== undefined && current[key] !== value)
            throw new CliError(`'${key}' already has a value (${current[key]}), and --overwrite is false`)
        }
      }
      const changes: Record<string, string | null> = { ...set }
      for (const key of remove) changes[key] = null
      const changed = Object.entries(changes).some(([k, v]) => (current?.[k] ?? null) !== v)
      const object = await sendPatch(ctx, { resource: target.resource, name: target.name! }, { metadata: { [field]: changes } })
      printChanged(ctx, { resource: target.resource, name: target.name! }, object, changed ? verb : `not ${verb}`)
    }
  }
}

const flags = [{ name: 'overwrite', type: 'boolean' as const, help: 'allow replacing a value that exists' }, dryRunFlag, outputFlag]

export const label: Command = {
  name: 'label',
  summary: 'Add, change or remove labels of objects',
  usage: 'label KIND NAME KEY=VALUE ... [KEY-] [--overwrite] [flags]',
  examples: [
    'revkube label pod web-1 tier=frontend',
    'revkube label deploy/web env=prod --overwrite',
    'revkube label node sim-node-1 disk-',
  ],
  flags,
  run: changer('labels', 'labeled'),
}

export const annotate: Command = {
  name: 'annotate',
  summary: 'Add, change or remove annotations of objects',
  usage: 'annotate KIND NAME KEY=VALUE ... [KEY-] [--overwrite] [flags]',
  examples: ['revkube annotate deploy web kubernetes.io/change-cause="bump to 1.28"', 'revkube annotate pod web-1 note-'],
  flags,
  run: changer('annotations', 'annotated'),
}
