import type { Command, CommandContext } from '../command.js'
import { CliError } from '../errors.js'
import { parseTargets, resolveKind, type ApiResource } from '../kinds.js'
import { formatTable, noHeadersFlag, outputFlag, outputFormat, printObjects, showLabelsFlag, tableRows, toJson, toYaml } from '../output.js'
import { atFlag, atOf, findObject, listObjects, listQueryOf, notFound, selectorFlags } from '../reads.js'

type Json = Record<string, unknown>

const WATCH = /* GraphQL */ `
  subscription Watch($kind: String!, $namespace: String, $labelSelector: String, $fieldSelector: String, $fromRevision: Revision) {
    watch(kind: $kind, namespace: $namespace, labelSelector: $labelSelector, fieldSelector: $fieldSelector, fromRevision: $fromRevision) {
      type
      revision
      object { raw }
    }
  }
`

export const get: Command = {
  name: 'get',
  summary: 'Display one or many objects, now or as of any point in history',
  usage: 'get KIND [NAME ...] | KIND/NAME ... [flags]',
  examples: [
    'revkube get pods',
    'revkube get deploy web -o yaml',
    'revkube get all -n kube-system',
    'revkube get pods -A -l app=web -o wide',
    'revkube get pods --at -10m                   # the pods as they were ten minutes ago',
    'revkube get deploy/web --at 1234 -o json     # as of revision 1234',
    'revkube get pods -w                          # print changes as they happen (Ctrl-C ends)',
  ],
  flags: [
    outputFlag,
    ...selectorFlags,
    atFlag,
    { name: 'watch', short: 'w', type: 'boolean', help: 'after listing, watch for changes' },
    noHeadersFlag,
    showLabelsFlag,
  ],
  run: async (ctx) => {
    const format = outputFormat(ctx)
    const at = atOf(ctx)
    const allNamespaces = ctx.flags['all-namespaces'] === true
    if (ctx.args.length === 1 && ctx.args[0] === 'all') return listKinds(ctx, ALL, true)
    if (ctx.args.length === 1 && ctx.args[0]!.includes(',') && !ctx.args[0]!.includes('/')) return listKinds(ctx, ctx.args[0]!.split(','))
    const targets = await parseTargets(ctx, ctx.args, false)
    if (targets.length === 1 && targets[0]!.name === undefined) {
      const resource = targets[0]!.resource
      const { items, revision } = await listObjects(ctx, resource, listQueryOf(ctx))
      const withNamespace = allNamespaces && resource.namespaced
      if (items.length === 0 && !ctx.flags.watch && (format === 'table' || format === 'wide')) {
        ctx.io.err(resource.namespaced && !allNamespaces ? `No resources found in ${ctx.namespace} namespace.\n` : 'No resources found\n')
        return 0
      }
      if (!ctx.flags.watch) return printObjects(ctx, resource, items, { withNamespace })
      return watch(ctx, resource, items, revision, withNamespace, undefined)
    }
    if (ctx.flags.selector !== undefined) throw new CliError('name cannot be provided when a selector is specified')
    const found: Array<{ resource: ApiResource; object: Json }> = []
    let failed = 0
    for (const { resource, name } of targets) {
      const object = await findObject(ctx, resource, name!, at)
      if (object) found.push({ resource, object })
      else {
        ctx.io.err(`${notFound(resource, name!, at).line}\n`)
        failed++
      }
    }
    if (ctx.flags.watch) {
      if (targets.length !== 1) throw new CliError('you may only watch one object, or one kind')
      const { resource, name } = targets[0]!
      const revision = String(found[0]?.object.metadata && (found[0].object.metadata as Json).resourceVersion)
      return watch(
        ctx,
        resource,
        found.map((f) => f.object),
        found.length ? revision : '0',
        false,
        name,
      )
    }
    await printFound(ctx, found)
    return failed ? 1 : 0
  },
}

/** kubectl's `all` category. */
const ALL = [
  'pods',
  'replicationcontrollers',
  'services',
  'daemonsets',
  'deployments',
  'replicasets',
  'statefulsets',
  'horizontalpodautoscalers',
  'cronjobs',
  'jobs',
]

/** `get deploy,svc` (and `get all`): one table per kind, names as kind/name, as kubectl prints them. */
async function listKinds(ctx: CommandContext, kinds: string[], skipEmpty = false): Promise<number> {
  if (ctx.flags.watch) throw new CliError('you may only watch one kind at a time')
  const format = outputFormat(ctx)
  const lists: Array<{ resource: ApiResource; items: Json[] }> = []
  for (const kind of kinds) {
    const resource = await resolveKind(ctx, kind)
    const { items } = await listObjects(ctx, resource, listQueryOf(ctx))
    if (items.length > 0 || !skipEmpty) lists.push({ resource, items })
  }
  if (format === 'json' || format === 'yaml') {
    const value = { apiVersion: 'v1', items: lists.flatMap((l) => l.items), kind: 'List', metadata: { resourceVersion: '' } }
    ctx.io.out(format === 'json' ? toJson(value) : toYaml(value))
    return 0
  }
  const shown = lists.filter((l) => l.items.length > 0)
  if (shown.length === 0)
    ctx.io.err(ctx.flags['all-namespaces'] ? 'No resources found\n' : `No resources found in ${ctx.namespace} namespace.\n`)
  for (const [i, { resource, items }] of shown.entries()) {
    if (format === 'name') {
      await printObjects(ctx, resource, items)
      continue
    }
    if (i > 0) ctx.io.out('\n')
    const options = {
      wide: format === 'wide',
      withNamespace: ctx.flags['all-namespaces'] === true && resource.namespaced,
      showLabels: ctx.flags['show-labels'] === true,
      noHeaders: ctx.flags['no-headers'] === true,
      withKind: true,
    }
    ctx.io.out(formatTable(await tableRows(resource, items, options, ctx.io.now())))
  }
  return 0
}

/** Prints the objects found by name: one object bare in json/yaml, several as a List; a table per kind. */
async function printFound(ctx: CommandContext, found: Array<{ resource: ApiResource; object: Json }>): Promise<void> {
  if (found.length === 0) return
  const format = outputFormat(ctx)
  if (format === 'json' || format === 'yaml') {
    const value =
      found.length === 1
        ? found[0]!.object
        : { apiVersion: 'v1', items: found.map((f) => f.object), kind: 'List', metadata: { resourceVersion: '' } }
    return ctx.io.out(format === 'json' ? toJson(value) : toYaml(value))
  }
  const kinds = [...new Set(found.map((f) => f.resource))]
  for (const [i, resource] of kinds.entries()) {
    if (i > 0 && format !== 'name') ctx.io.out('\n')
    await printObjects(
      ctx,
      resource,
      found.filter((f) => f.resource === resource).map((f) => f.object),
    )
  }
}

/**
 * kubectl get -w: the listing, then one line per change (tables print rows without a header; json
 * and yaml print each object). Ends on Ctrl-C or when the server ends the watch.
 */
async function watch(
  ctx: CommandContext,
  resource: ApiResource,
  initial: Json[],
  fromRevision: string,
  withNamespace: boolean,
  name: string | undefined,
): Promise<number> {
  const format = outputFormat(ctx)
  const table = format === 'table' || format === 'wide'
  const options = {
    wide: format === 'wide',
    withNamespace,
    showLabels: ctx.flags['show-labels'] === true,
    withKind: false,
  }
  let headerPrinted = ctx.flags['no-headers'] === true
  const print = async (objects: Json[]) => {
    if (objects.length === 0) return
    if (!table) return printObjects(ctx, resource, objects, { withNamespace, single: true })
    const rows = await tableRows(resource, objects, { ...options, noHeaders: headerPrinted }, ctx.io.now())
    headerPrinted = true
    ctx.io.out(formatTable(rows))
  }
  await print(initial)
  const query = listQueryOf(ctx)
  const events = ctx.client().subscribe<{ watch: { type: string; revision: string; object: { raw: Json } } }>(WATCH, {
    kind: resource.kind,
    namespace: resource.namespaced ? (query.namespace ?? null) : null,
    labelSelector: query.labelSelector ?? null,
    fieldSelector: name ? [`metadata.name=${name}`, query.fieldSelector].filter(Boolean).join(',') : (query.fieldSelector ?? null),
    fromRevision,
  })
  const stop = ctx.io.interrupted.then(() => 'stop' as const)
  for (;;) {
    const next = await Promise.race([events.next(), stop])
    // The client's WebSocket is closed when the command ends, which ends the subscription.
    if (next === 'stop') return 0
    if (next.done) return 0
    const event = next.value.watch
    if (event.type === 'BOOKMARK') continue
    await print([event.object.raw])
  }
}
