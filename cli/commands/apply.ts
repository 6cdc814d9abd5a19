import type { FlagSpec } from '../args.js'
import type { Command, CommandContext } from '../command.js'
import { CliError, ServerError } from '../errors.js'
import { fileFlags, readManifests } from '../manifests.js'
import { outputFlag, outputFormat, toJson, toYaml, asList } from '../output.js'
import { fieldValidationOf, validateFlag } from '../validate.js'

type Json = Record<string, unknown>

export const dryRunFlag: FlagSpec = {
  name: 'dry-run',
  type: 'string',
  bareValue: 'client',
  value: 'none|client|server',
  help: 'only show what would be done (the server validates it but stores nothing)',
}

/** --dry-run as the server takes it, and the suffix kubectl prints. */
export function dryRunOf(ctx: CommandContext): { dryRun: boolean; suffix: string } {
  const value = (ctx.flags['dry-run'] as string | undefined) ?? 'none'
  if (!['none', 'client', 'server'].includes(value))
    throw new CliError(`Invalid dry-run value (${value}). Must be "none", "server", or "client".`)
  return { dryRun: value !== 'none', suffix: value === 'server' ? ' (server dry run)' : value === 'client' ? ' (dry run)' : '' }
}

const APPLY = /* GraphQL */ `
  mutation Apply($manifest: String!, $namespace: String, $dryRun: Boolean, $fieldValidation: FieldValidation) {
    applyEach(manifest: $manifest, namespace: $namespace, dryRun: $dryRun, fieldValidation: $fieldValidation) {
      action kind namespace name
      object { raw }
      error { reason message }
    }
  }
`

const CREATE = /* GraphQL */ `
  mutation Create($object: JSON!, $namespace: String, $dryRun: Boolean, $fieldValidation: FieldValidation) {
    create(object: $object, namespace: $namespace, dryRun: $dryRun, fieldValidation: $fieldValidation) { raw }
  }
`

/** `deployment.apps/web`, from a stored object's apiVersion and kind. */
export function objectLabel(object: Json): string {
  const group = String(object.apiVersion ?? '').includes('/') ? String(object.apiVersion).split('/')[0] : ''
  const kind = String(object.kind ?? '').toLowerCase()
  return `${group ? `${kind}.${group}` : kind}/${String((object.metadata as Json | undefined)?.name ?? '')}`
}

/** kubectl's lines for what was done (`deployment.apps/web created`), or the objects with -o yaml|json|name. */
export function printResults(ctx: CommandContext, results: Array<{ object: Json; action: string }>, suffix: string): void {
  const format = outputFormat(ctx, ['table', 'yaml', 'json', 'name'])
  if (format === 'json' || format === 'yaml') {
    const value = results.length === 1 ? results[0]!.object : asList(results.map((r) => r.object))
    return ctx.io.out(format === 'json' ? toJson(value) : toYaml(value))
  }
  for (const r of results) ctx.io.out(format === 'name' ? `${objectLabel(r.object)}\n` : `${objectLabel(r.object)} ${r.action}${suffix}\n`)
}

/**
 * Sends every object of the manifests (-f) through one mutation (`create`, `replace`), as kubectl
 * does: an object the server refuses is reported and the others go on; exit 1 if any was refused.
 */
export async function writeEach(
  ctx: CommandContext,
  write: { mutation: string; field: string; action: string; verb: string },
): Promise<number> {
  const { dryRun, suffix } = dryRunOf(ctx)
  const fieldValidation = fieldValidationOf(ctx)
  const done: Array<{ object: Json; action: string }> = []
  let failed = 0
  for (const file of await readManifests(ctx)) {
    for (const object of file.objects) {
      try {
        const data = await ctx
          .client()
          .request<Record<string, { raw: Json }>>(write.mutation, { object, namespace: ctx.namespace, dryRun, fieldValidation })
        done.push({ object: data[write.field]!.raw, action: write.action })
      } catch (error) {
        if (!(error instanceof ServerError)) throw error
        failed++
        ctx.io.err(`${new ServerError(error.reason, `error when ${write.verb} "${file.source}": ${error.serverMessage}`).line}\n`)
      }
    }
  }
  printResults(ctx, done, suffix)
  return failed ? 1 : 0
}

export const apply: Command = {
  name: 'apply',
  summary: 'Create or update objects from manifests (files, directories, or standard input)',
  usage: 'apply -f FILENAME|DIR|- [-R] [flags]',
  examples: ['revkube apply -f guestbook/', 'revkube apply -f web.yaml --dry-run=server', 'cat web.yaml | revkube apply -f -'],
  flags: [...fileFlags, dryRunFlag, validateFlag, outputFlag],
  run: async (ctx) => {
    const { dryRun, suffix } = dryRunOf(ctx)
    const fieldValidation = fieldValidationOf(ctx)
    const files = await readManifests(ctx)
    const done: Array<{ object: Json; action: string }> = []
    let failed = 0
    for (const file of files) {
      // As JSON: YAML written again would be read by YAML 1.1's rules, turning a quoted "yes" into true.
      const manifest = JSON.stringify(file.objects)
      const data = await ctx.client().request<{
        applyEach: Array<{
          action: string
          kind: string | null
          name: string | null
          object: { raw: Json } | null
          error: { reason: string; message: string } | null
        }>
      }>(APPLY, { manifest, namespace: ctx.namespace, dryRun, fieldValidation })
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
  summary: 'Create objects from manifests, or a namespace, deployment, configmap, secret or serviceaccount by name',
  usage: 'create (-f FILENAME|DIR|- [-R] | KIND NAME) [flags]',
  description: [
    'Creates the objects of manifests; an object that exists already is an error. With -n, an object',
    'whose manifest names another namespace is refused.',
    '',
    'Or creates one object by name, as kubectl does (revkube create KIND --help for each):',
    '  configmap (cm)        a config map from literal values, files or an env file',
    '  deployment (deploy)   a deployment of one or more images',
    '  namespace (ns)        a namespace',
    '  secret generic        a secret from literal values, files or an env file',
    '  serviceaccount (sa)   a service account',
  ].join('\n'),
  examples: [
    'revkube create -f web.yaml',
    'revkube create -f manifests/ -R --dry-run=server -o yaml',
    'revkube create namespace team-a',
    'revkube create deployment web --image=nginx --replicas=3 --port=80',
    'revkube create configmap settings --from-literal=mode=fast --dry-run=client -o yaml',
  ],
  flags: [...fileFlags, dryRunFlag, validateFlag, outputFlag],
  run: async (ctx) => {
    if (ctx.args.length > 0)
      throw new CliError(`unknown command "${ctx.args[0]}" for "revkube create"\nRun 'revkube create --help' for usage.`)
    if (ctx.flags.filename === undefined) {
      const what = 'configmap, deployment, namespace, secret generic or serviceaccount NAME'
      throw new CliError(`must specify -f FILENAME, or what to create: ${what} (see revkube create --help)`)
    }
    return writeEach(ctx, { mutation: CREATE, field: 'create', action: 'created', verb: 'creating' })
  },
}
