import type { FlagSpec } from '../args.js'
import type { Command, CommandContext } from '../command.js'
import { CliError, ServerError } from '../errors.js'
import { fileFlags, readManifests } from '../manifests.js'
import { outputFlag, outputFormat, toJson, toYaml, asList } from '../output.js'

type Json = Record<string, unknown>

export const dryRunFlag: FlagSpec = { name: 'dry-run', type: 'string', bareValue: 'client', value: 'none|client|server', help: 'only show what would be done (the server validates it but stores nothing)' }

/** --dry-run as the server takes it, and the suffix kubectl prints. */
export function dryRunOf(ctx: CommandContext): { dryRun: boolean; suffix: string } {
  const value = (ctx.flags['dry-run'] as string | undefined) ?? 'none'
  if (!['none', 'client', 'server'].includes(value)) throw new CliError(`Invalid dry-run value (${value}). Must be "none", "server", or "client".`)
  return { dryRun: value !== 'none', suffix: value === 'server' ? ' (server dry run)' : value === 'client' ? ' (dry run)' : '' }
}

const APPLY = /* GraphQL */ `
  mutation Apply($manifest: String!, $namespace: String, $dryRun: Boolean) {
    applyEach(manifest: $manifest, namespace: $namespace, dryRun: $dryRun) {
      action kind namespace name
      object { raw }
      error { reason message }
    }
  }
`

const CREATE = /* GraphQL */ `
  mutation Create($object: JSON!, $namespace: String, $dryRun: Boolean) { create(object: $object, namespace: $namespace, dryRun: $dryRun) { raw } }
`

/** `deployment.apps/web`, from a stored object's apiVersion and kind. */
export function objectLabel(object: Json): string {
  const group = String(object.apiVersion ?? '').includes('/') ? String(object.apiVersion).split('/')[0] : ''
  const kind = String(object.kind ?? '').toLowerCase()
  return `${group ? `${kind}.${group}` : kind}/${String((object.metadata as Json | undefined)?.name ?? '')}`
}

function printResults(ctx: CommandContext, results: Array<{ object: Json; action: string }>, suffix: string): void {
  const format = outputFormat(ctx, ['table', 'yaml', 'json', 'name'])
  if (format === 'json' || format === 'yaml') {
    const value = results.length === 1 ? results[0]!.object : asList(results.map((r) => r.object))
    return ctx.io.out(format === 'json' ? toJson(value) : toYaml(value))
  }
  for (const r of results) ctx.io.out(format === 'name' ? `${objectLabel(r.object)}\n` : `${objectLabel(r.object)} ${r.action}${suffix}\n`)
}

export const apply: Command = {
  name: 'apply',
  summary: 'Create or update objects from manifests (files, directories, or standard input)',
  usage: 'apply -f FILENAME|DIR|- [-R] [flags]',
  examples: ['revkube apply -f guestbook/', 'revkube apply -f web.yaml --dry-run=server', 'cat web.yaml | revkube apply -f -'],
  flags: [...fileFlags, dryRunFlag, outputFlag],
  run: async (ctx) => {
    const { dryRun, suffix } = dryRunOf(ctx)
    const files = await readManifests(ctx)
    const done: Array<{ object: Json; action: string }> = []
    let failed = 0
    for (const file of files) {
      const manifest = file.objects.map((o) => toYaml(o)).join('---\n')
      const data = await ctx.client().request<{ applyEach: Array<{ action: string; kind: string | null; name: string | null; object: { raw: Json } | null; error: { reason: string; message: string } | null }> }>(
        APPLY,
        { manifest, namespace: ctx.namespace, dryRun },
      )
      for (const outcome of data.applyEach) {
        if (outcome.object) done.push({ object: outcome.object.raw, action: outcome.action })
        else {
          failed++
          ctx.io.err(`${new ServerError(outcome.error!.reason, `error when applying "${file.source}": ${outcome.error!.message}`).line}\n`)
        }
      }
    }
    printResults(ctx, done, suffix)
    return failed ? 1 : 0
  },
}

export const create: Command = {
  name: 'create',
  summary: 'Create objects from manifests; an object that exists already is an error',
  usage: 'create -f FILENAME|DIR|- [-R] [flags]',
  examples: ['revkube create -f web.yaml', 'revkube create -f manifests/ -R --dry-run=server -o yaml'],
  flags: [...fileFlags, dryRunFlag, outputFlag],
  run: async (ctx) => {
    const { dryRun, suffix } = dryRunOf(ctx)
    const files = await readManifests(ctx)
    const done: Array<{ object: Json; action: string }> = []
    let failed = 0
    for (const file of files) {
      for (const object of file.objects) {
        try {
          const data = await ctx.client().request<{ create: { raw: Json } }>(CREATE, { object, namespace: ctx.namespace, dryRun })
          done.push({ object: data.create.raw, action: 'created' })
        } catch (error) {
          if (!(error instanceof ServerError)) throw error
          failed++
          ctx.io.err(`${new ServerError(error.reason, `error when creating "${file.source}": ${error.serverMessage}`).line}\n`)
        }
      }
    }
    printResults(ctx, done, suffix)
    return failed ? 1 : 0
  },
}
