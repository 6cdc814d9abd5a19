import type { At } from './at.js'
import { parseAt } from './at.js'
import type { FlagSpec } from './args.js'
import type { CommandContext } from './command.js'
import { ServerError } from './errors.js'
import { qualified, type ApiResource } from './kinds.js'

type Json = Record<string, unknown>

export const atFlag: FlagSpec = {
  name: 'at',
  type: 'string',
  value: 'WHEN',
  help: 'read as of a revision (1234), a time (2026-11-26T14:02:00Z) or a duration ago (-5m)',
}
export const selectorFlags: FlagSpec[] = [
  {
    name: 'selector',
    short: 'l',
    type: 'string',
    value: 'SELECTOR',
    help: 'label selector, e.g. -l app=web,tier!=cache or -l "env in (prod,staging)"',
  },
  {
    name: 'field-selector',
    type: 'string',
    value: 'SELECTOR',
    help: 'field selector, e.g. --field-selector status.phase=Running,spec.nodeName=node-1',
  },
  { name: 'all-namespaces', short: 'A', type: 'boolean', help: 'every namespace' },
]

/** The --at flag as GraphQL's At, or undefined for the head. */
export function atOf(ctx: CommandContext, flag = 'at'): At | undefined {
  const value = ctx.flags[flag] as string | undefined
  return value === undefined ? undefined : parseAt(value, ctx.io.now(), `--${flag}`)
}

const LIST = /* GraphQL */ `
  query List($kind: String!, $namespace: String, $labelSelector: String, $fieldSelector: String, $at: At, $after: String) {
    objects(kind: $kind, namespace: $namespace, labelSelector: $labelSelector, fieldSelector: $fieldSelector, at: $at, first: 5000, after: $after) {
      edges { node { raw } }
      pageInfo { hasNextPage endCursor }
      revision
    }
  }
`

export interface ListQuery {
  namespace?: string | null
  labelSelector?: string
  fieldSelector?: string
  at?: At
}

/** Every object of a kind that matches, read page by page at one revision. */
export async function listObjects(
  ctx: CommandContext,
  resource: ApiResource,
  query: ListQuery = {},
): Promise<{ items: Json[]; revision: string }> {
  const items: Json[] = []
  let after: string | null = null
  let revision = ''
  do {
    type Page = {
      objects: { edges: Array<{ node: { raw: Json } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null }; revision: string }
    }
    const page: Page = await ctx.client().request<Page>(LIST, {
      kind: resource.kind,
      namespace: resource.namespaced ? (query.namespace ?? null) : null,
      labelSelector: query.labelSelector ?? null,
      fieldSelector: query.fieldSelector ?? null,
      at: query.at ?? null,
      after,
    })
    items.push(...page.objects.edges.map((e) => e.node.raw))
    revision = page.objects.revision
    after = page.objects.pageInfo.hasNextPage ? page.objects.pageInfo.endCursor : null
  } while (after)
  return { items, revision }
}

/** The list query of a command's -n/-A/-l/--field-selector/--at flags. */
export function listQueryOf(ctx: CommandContext): ListQuery {
  const at = atOf(ctx)
  return {
    namespace: ctx.flags['all-namespaces'] ? null : ctx.namespace,
    ...(ctx.flags.selector !== undefined && { labelSelector: ctx.flags.selector as string }),
    ...(ctx.flags['field-selector'] !== undefined && { fieldSelector: ctx.flags['field-selector'] as string }),
    ...(at && { at }),
  }
}

/** One object, or undefined when it does not exist (at that point). */
export async function findObject(ctx: CommandContext, resource: ApiResource, name: string, at?: At): Promise<Json | undefined> {
  const data = await ctx
    .client()
    .request<{ object: { raw: Json } | null }>(
      'query Get($kind: String!, $namespace: String, $name: String!, $at: At) { object(kind: $kind, namespace: $namespace, name: $name, at: $at) { raw } }',
      { kind: resource.kind, namespace: resource.namespaced ? ctx.namespace : null, name, at: at ?? null },
    )
  return data.object?.raw
}

/** One object; NotFound as kubectl words it when it does not exist. */
export async function getObject(ctx: CommandContext, resource: ApiResource, name: string, at?: At): Promise<Json> {
  const found = await findObject(ctx, resource, name, at)
  if (!found) throw notFound(resource, name, at)
  return found
}

export function notFound(resource: ApiResource, name: string, at?: At): ServerError {
  const when = at ? ('revision' in at ? ` at revision ${at.revision}` : ` at ${at.time}`) : ''
  return new ServerError('NotFound', `${qualified(resource)} "${name}" not found${when}`)
}
