import type { CommandContext } from './command.js'
import { CliError } from './errors.js'

/** A kind as the server's apiResources lists it. */
export interface ApiResource {
  name: string
  singularName: string
  shortNames: string[]
  kind: string
  group: string
  apiVersion: string
  namespaced: boolean
  subresources: string[]
}

const cache = new WeakMap<object, Promise<ApiResource[]>>()

export function apiResources(ctx: CommandContext): Promise<ApiResource[]> {
  const client = ctx.client()
  let list = cache.get(client)
  if (!list) {
    list = client
      .request<{ apiResources: ApiResource[] }>(
        '{ apiResources { name singularName shortNames kind group apiVersion namespaced subresources } }',
      )
      .then((d) => d.apiResources)
    cache.set(client, list)
  }
  return list
}

/** The kind a user means, the ways kubectl accepts: `pods`, `pod`, `po`, `Pod`, `deployments.apps`. */
export async function resolveKind(ctx: CommandContext, name: string): Promise<ApiResource> {
  const wanted = name.toLowerCase()
  const found = (await apiResources(ctx)).find((r) =>
    [r.name, r.singularName, r.kind.toLowerCase(), ...r.shortNames].some((n) => n === wanted || (r.group && `${n}.${r.group}` === wanted)),
  )
  if (!found) throw new CliError(`the server doesn't have a resource type "${name}"`)
  return found
}

/** `deployments.apps`, `pods`: how kubectl names a resource in messages. */
export function qualified(resource: ApiResource): string {
  return resource.group ? `${resource.name}.${resource.group}` : resource.name
}

/** `deployment.apps/web`: how kubectl names one object in its output. */
export function objectName(resource: ApiResource, name: string): string {
  return `${resource.group ? `${resource.singularName}.${resource.group}` : resource.singularName}/${name}`
}

/**
 * The objects named on a command line: `KIND NAME…` or `KIND/NAME …` (kinds may differ).
 * `requireName` false allows a bare KIND (every object).
 */
export async function parseTargets(
  ctx: CommandContext,
  args: string[],
  requireName = true,
): Promise<Array<{ resource: ApiResource; name?: string }>> {
  if (args.length === 0) throw new CliError('you must specify the type of resource and a name, e.g. "deploy web" or "deploy/web"')
  if (args[0]!.includes('/')) {
    return Promise.all(
      args.map(async (arg) => {
        const [kind, name, extra] = arg.split('/')
        if (!kind || !name || extra !== undefined) throw new CliError(`"${arg}" is not KIND/NAME`)
        return { resource: await resolveKind(ctx, kind), name }
      }),
    )
  }
  const resource = await resolveKind(ctx, args[0]!)
  const names = args.slice(1)
  if (names.some((n) => n.includes('/'))) {
    throw new CliError(
      `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'revkube get resource/<resource_name>' instead of 'revkube get resource resource/<resource_name>')`,
    )
  }
  if (names.length === 0) {
    if (requireName) throw new CliError(`you must specify the name of the ${resource.singularName}`)
    return [{ resource }]
  }
  return names.map((name) => ({ resource, name }))
}

/** One KIND/NAME (or KIND NAME) target, for commands about a single object. */
export async function parseTarget(ctx: CommandContext, args: string[]): Promise<{ resource: ApiResource; name: string }> {
  const targets = await parseTargets(ctx, args)
  if (targets.length !== 1) throw new CliError('expected exactly one object, e.g. "deploy/web"')
  return targets[0] as { resource: ApiResource; name: string }
}

/** The namespace argument for a kind: the command's namespace for namespaced kinds, none otherwise. */
export function namespaceFor(ctx: CommandContext, resource: ApiResource): string | null {
  return resource.namespaced ? ctx.namespace : null
}
