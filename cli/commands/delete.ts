import type { Command, CommandContext } from '../command.js'
import { CliError, ServerError } from '../errors.js'
import { parseTargets, resolveKind, type ApiResource } from '../kinds.js'
import { fileFlags, readManifests } from '../manifests.js'
import { findObject, listObjects, selectorFlags } from '../reads.js'
import { dryRunFlag, dryRunOf } from './apply.js'

type Json = Record<string, unknown>

const DELETE = /* GraphQL */ `
  mutation Delete($kind: String!, $namespace: String, $name: String!, $propagationPolicy: PropagationPolicy, $gracePeriodSeconds: Int, $dryRun: Boolean) {
    delete(kind: $kind, namespace: $namespace, name: $name, propagationPolicy: $propagationPolicy, gracePeriodSeconds: $gracePeriodSeconds, dryRun: $dryRun) { raw }
  }
`

const cascades: Record<string, string> = {
  background: 'Background',
  true: 'Background',
  foreground: 'Foreground',
  orphan: 'Orphan',
  false: 'Orphan',
}

interface Target {
  resource: ApiResource
  namespace: string | null
  name: string
  source?: string
}

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete objects by name, by label selector, or as named in manifests',
  usage: 'delete (KIND NAME ... | KIND/NAME ... | KIND -l SELECTOR | KIND --all | -f FILENAME) [flags]',
  examples: [
    'revkube delete deploy web',
    'revkube delete pod/web-7d4b9c-x2x9z --grace-period=0',
    'revkube delete -f guestbook/',
    'revkube delete pods -l app=web',
    'revkube delete deploy web --cascade=orphan   # keep its ReplicaSets and pods',
  ],
  flags: [
    ...fileFlags,
    ...selectorFlags.filter((f) => f.name !== 'field-selector'),
    { name: 'all', type: 'boolean', help: 'every object of the kind in the namespace' },
    {
      name: 'cascade',
      type: 'string',
      bareValue: 'background',
      value: 'background|foreground|orphan',
      help: 'what happens to dependents (default background)',
    },
    { name: 'grace-period', type: 'int', value: 'SECONDS', help: 'seconds pods get to terminate (0: at once)' },
    { name: 'ignore-not-found', type: 'boolean', help: 'an object that does not exist is not an error' },
    { name: 'wait', type: 'boolean', help: 'wait until the objects are gone (default true; --wait=false returns at once)' },
    dryRunFlag,
  ],
  run: async (ctx) => {
    const cascade = cascades[String(ctx.flags.cascade ?? 'background')]
    if (!cascade)
      throw new CliError(`invalid cascade value (${String(ctx.flags.cascade)}). Must be "background", "foreground", or "orphan".`)
    const { dryRun, suffix } = dryRunOf(ctx)
    const targets = await targetsOf(ctx)
    let failed = 0
    const deleted: Target[] = []
    for (const target of targets) {
      try {
        await ctx.client().request(DELETE, {
          kind: target.resource.kind,
          namespace: target.namespace,
          name: target.name,
          propagationPolicy: cascade,
          gracePeriodSeconds: ctx.flags['grace-period'] ?? null,
          dryRun,
        })
        ctx.io.out(`${label(target.resource)} "${target.name}" deleted${suffix}\n`)
        deleted.push(target)
      } catch (error) {
        if (!(error instanceof ServerError)) throw error
        if (error.reason === 'NotFound' && ctx.flags['ignore-not-found']) continue
        failed++
        const where = target.source ? `error when deleting "${target.source}": ` : ''
        ctx.io.err(`${new ServerError(error.reason, `${where}${error.serverMessage}`).line}\n`)
      }
    }
    if (!dryRun && ctx.flags.wait !== false) await waitUntilGone(ctx, deleted)
    return failed ? 1 : 0
  },
}

/** `deployment.apps`: how kubectl delete names a kind. */
function label(resource: ApiResource): string {
  return resource.group ? `${resource.singularName}.${resource.group}` : resource.singularName
}

async function targetsOf(ctx: CommandContext): Promise<Target[]> {
  if (ctx.flags.filename) {
    if (ctx.args.length) throw new CliError('when -f is given, name no objects on the command line')
    const out: Target[] = []
    for (const file of await readManifests(ctx)) {
      for (const object of file.objects) {
        const resource = await resolveKind(ctx, String(object.kind))
        const metadata = (object.metadata ?? {}) as Json
        if (typeof metadata.name !== 'string')
          throw new CliError(`error when deleting "${file.source}": a ${object.kind} without metadata.name`)
        out.push({
          resource,
          namespace: resource.namespaced ? String(metadata.namespace ?? ctx.namespace) : null,
          name: metadata.name,
          source: file.source,
        })
      }
    }
    return out
  }
  const bySelector = ctx.flags.selector !== undefined || ctx.flags.all === true
  const targets = await parseTargets(ctx, ctx.args, bySelector)
  if (bySelector) {
    if (targets.length !== 1 || targets[0]!.name !== undefined)
      throw new CliError('name cannot be provided when a selector or --all is specified')
    const resource = targets[0]!.resource
    const namespace = ctx.flags['all-namespaces'] ? null : ctx.namespace
    const { items } = await listObjects(ctx, resource, {
      namespace,
      ...(ctx.flags.selector !== undefined && { labelSelector: ctx.flags.selector as string }),
    })
    if (items.length === 0)
      ctx.io.err(resource.namespaced && namespace ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n')
    return items.map((o) => {
      const m = o.metadata as Json
      return { resource, namespace: resource.namespaced ? String(m.namespace) : null, name: String(m.name) }
    })
  }
  return targets.map((t) => ({ resource: t.resource, namespace: t.resource.namespaced ? ctx.namespace : null, name: t.name! }))
}

/** kubectl delete waits for the objects to be gone (finalizers, foreground deletion). */
async function waitUntilGone(ctx: CommandContext, targets: Target[]): Promise<void> {
  for (const target of targets) {
    const view = { ...ctx, namespace: target.namespace ?? ctx.namespace }
    for (let delay = 50; await findObject(view, target.resource, target.name); delay = Math.min(delay * 2, 1000)) {
      const stopped = await Promise.race([
        ctx.io.interrupted.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), delay)),
      ])
      if (stopped) return
    }
  }
}
