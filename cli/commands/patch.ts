import { parse } from 'yaml'
import type { Command, CommandContext } from '../command.js'
import { CliError } from '../errors.js'
import { objectName, parseTarget, type ApiResource } from '../kinds.js'
import { outputFlag, outputFormat, toJson, toYaml } from '../output.js'
import { getObject } from '../reads.js'
import { fieldValidationOf, validateFlag } from '../validate.js'
import { dryRunFlag, dryRunOf } from './apply.js'

type Json = Record<string, unknown>
type Target = { resource: ApiResource; name: string }

const PATCH = /* GraphQL */ `
  mutation Patch(
    $kind: String!
    $namespace: String
    $name: String!
    $patch: JSON!
    $type: PatchType
    $subresource: String
    $dryRun: Boolean
    $fieldValidation: FieldValidation
  ) {
    patch(
      kind: $kind
      namespace: $namespace
      name: $name
      patch: $patch
      type: $type
      subresource: $subresource
      dryRun: $dryRun
      fieldValidation: $fieldValidation
    ) { raw }
  }
`

/**
 * Sends a patch (honouring --dry-run) and returns the object as stored. Without `fieldValidation`
 * the server's default applies (WARN), as for kubectl's label, annotate and scale.
 */
export async function sendPatch(
  ctx: CommandContext,
  target: Target,
  patch: unknown,
  type: 'MERGE' | 'JSON' | 'STRATEGIC' = 'MERGE',
  subresource?: string,
  fieldValidation?: 'STRICT' | 'WARN' | 'IGNORE',
): Promise<Json> {
  const data = await ctx.client().request<{ patch: { raw: Json } }>(PATCH, {
    kind: target.resource.kind,
    namespace: target.resource.namespaced ? ctx.namespace : null,
    name: target.name,
    patch,
    type,
    subresource: subresource ?? null,
    dryRun: dryRunOf(ctx).dryRun,
    fieldValidation: fieldValidation ?? null,
  })
  return data.patch.raw
}

/** kubectl's result line (`deployment.apps/web patched`), or the object with -o json|yaml, or its name with -o name. */
export function printChanged(ctx: CommandContext, target: Target, object: Json, verb: string): void {
  const format = outputFormat(ctx, ['table', 'yaml', 'json', 'name'])
  if (format === 'json' || format === 'yaml') return ctx.io.out(format === 'json' ? toJson(object) : toYaml(object))
  if (format === 'name') return ctx.io.out(`${objectName(target.resource, target.name)}\n`)
  ctx.io.out(`${objectName(target.resource, target.name)} ${verb}${dryRunOf(ctx).suffix}\n`)
}

const types: Record<string, 'MERGE' | 'JSON' | 'STRATEGIC'> = { merge: 'MERGE', json: 'JSON', strategic: 'STRATEGIC' }

export const patch: Command = {
  name: 'patch',
  summary: 'Change fields of an object with a strategic merge, JSON merge or JSON patch',
  usage: 'patch KIND NAME -p PATCH [--type strategic|merge|json] [flags]',
  examples: [
    `revkube patch deploy web -p '{"spec":{"replicas":2}}'`,
    `revkube patch deploy/web --type json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.28"}]'`,
    `revkube patch node sim-node-1 -p 'spec: {unschedulable: true}'`,
  ],
  flags: [
    { name: 'patch', short: 'p', type: 'string', value: 'PATCH', help: 'the patch, in JSON or YAML (required)' },
    { name: 'type', type: 'string', value: 'TYPE', help: 'strategic (default), merge or json' },
    { name: 'subresource', type: 'string', value: 'NAME', help: 'patch the status subresource' },
    dryRunFlag,
    validateFlag,
    outputFlag,
  ],
  run: async (ctx) => {
    const fieldValidation = fieldValidationOf(ctx)
    const text = ctx.flags.patch as string | undefined
    if (text === undefined) throw new CliError('must specify -p to patch')
    const typeName = String(ctx.flags.type ?? 'strategic')
    const type = types[typeName]
    if (!type) throw new CliError(`--type must be one of [json merge strategic], not "${typeName}"`)
    let body: unknown
    try {
      body = parse(text)
    } catch (error) {
      throw new CliError(`unable to parse "${text}": ${(error as Error).message.split('\n')[0]}`)
    }
    if (type === 'JSON' && !Array.isArray(body)) throw new CliError('a json patch is a list of operations: [{"op": ..., "path": ...}]')
    if (type !== 'JSON' && (body === null || typeof body !== 'object' || Array.isArray(body)))
      throw new CliError(`unable to parse "${text}": a ${typeName} patch is a JSON object`)
    const target = await parseTarget(ctx, ctx.args)
    const before = await getObject(ctx, target.resource, target.name)
    const after = await sendPatch(ctx, target, body, type, ctx.flags.subresource as string | undefined, fieldValidation)
    const unchanged = (before.metadata as Json).resourceVersion === (after.metadata as Json).resourceVersion
    printChanged(ctx, target, after, unchanged ? 'patched (no change)' : 'patched')
  },
}
