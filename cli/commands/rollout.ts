import type { Command, CommandContext } from '../command.js'
import { describePodTemplate, DescribeWriter } from '../describe.js'
import { CliError } from '../errors.js'
import { objectName, parseTarget, type ApiResource } from '../kinds.js'
import { formatTable } from '../output.js'
import { getObject } from '../reads.js'

type Json = Record<string, unknown>
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {})
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

async function deploymentTarget(ctx: CommandContext, verb: string): Promise<{ resource: ApiResource; name: string }> {
  const target = await parseTarget(ctx, ctx.args)
  if (target.resource.kind !== 'Deployment')
    throw new CliError(`revkube rollout ${verb} supports Deployments, not ${target.resource.kind}s`)
  return target
}

const WATCH = /* GraphQL */ `
  subscription Rollout($kind: String!, $namespace: String, $fieldSelector: String, $fromRevision: Revision) {
    watch(kind: $kind, namespace: $namespace, fieldSelector: $fieldSelector, fromRevision: $fromRevision) { type object { raw } }
  }
`

/** kubectl's rollout status of one object: a line to print, whether it is done, or an error. */
export function rolloutStatus(kind: string, o: Json): { message: string; done: boolean } {
  const m = obj(o.metadata)
  const spec = obj(o.spec)
  const s = obj(o.status)
  const name = String(m.name)
  const n = (v: unknown) => Number(v ?? 0)
  if (n(m.generation) > n(s.observedGeneration)) {
    return {
      message:
        kind === 'Deployment'
          ? 'Waiting for deployment spec update to be observed...'
          : `Waiting for ${kind === 'DaemonSet' ? 'daemon set' : 'statefulset'} spec update to be observed...`,
      done: false,
    }
  }
  if (kind === 'Deployment') {
    const progressing = arr(s.conditions)
      .map(obj)
      .find((c) => c.type === 'Progressing')
    if (progressing?.reason === 'ProgressDeadlineExceeded') throw new CliError(`deployment "${name}" exceeded its progress deadline`)
    const replicas = n(spec.replicas ?? 1)
    if (n(s.updatedReplicas) < replicas)
      return {
        message: `Waiting for deployment "${name}" rollout to finish: ${n(s.updatedReplicas)} out of ${replicas} new replicas have been updated...`,
        done: false,
      }
    if (n(s.replicas) > n(s.updatedReplicas))
      return {
        message: `Waiting for deployment "${name}" rollout to finish: ${n(s.replicas) - n(s.updatedReplicas)} old replicas are pending termination...`,
        done: false,
      }
    if (n(s.availableReplicas) < n(s.updatedReplicas))
      return {
        message: `Waiting for deployment "${name}" rollout to finish: ${n(s.availableReplicas)} of ${n(s.updatedReplicas)} updated replicas are available...`,
        done: false,
      }
    return { message: `deployment "${name}" successfully rolled out`, done: true }
  }
  if (kind === 'DaemonSet') {
    if (n(s.updatedNumberScheduled) < n(s.desiredNumberScheduled))
      return {
        message: `Waiting for daemon set "${name}" rollout to finish: ${n(s.updatedNumberScheduled)} out of ${n(s.desiredNumberScheduled)} new pods have been updated...`,
        done: false,
      }
    if (n(s.numberAvailable) < n(s.desiredNumberScheduled))
      return {
        message: `Waiting for daemon set "${name}" rollout to finish: ${n(s.numberAvailable)} of ${n(s.desiredNumberScheduled)} updated pods are available...`,
        done: false,
      }
    return { message: `daemon set "${name}" successfully rolled out`, done: true }
  }
  const replicas = n(spec.replicas ?? 1)
  if (n(s.readyReplicas) < replicas) return { message: `Waiting for ${replicas - n(s.readyReplicas)} pods to be ready...`, done: false }
  if (s.updateRevision !== s.currentRevision)
    return {
      message: `Waiting for partitioned roll out to finish: ${n(s.updatedReplicas)} out of ${replicas} new pods have been updated...`,
      done: false,
    }
  return {
    message: `statefulset rolling update complete ${n(s.currentReplicas)} pods at revision ${String(s.currentRevision)}...`,
    done: true,
  }
}

const status: Command = {
  name: 'rollout status',
  summary: 'Watch a rollout until it completes (Deployments, DaemonSets, StatefulSets)',
  usage: 'rollout status KIND/NAME [--watch=false] [--timeout=DURATION]',
  examples: [
    'revkube rollout status deploy/web',
    'revkube rollout status deploy/web --timeout=2m',
    'revkube rollout status daemonset/agent --watch=false',
  ],
  flags: [
    { name: 'watch', short: 'w', type: 'boolean', help: 'watch until the rollout ends (default true)' },
    { name: 'timeout', type: 'string', value: 'DURATION', help: 'give up after this long, e.g. 30s, 5m (default: never)' },
  ],
  run: async (ctx) => {
    const { resource, name } = await parseTarget(ctx, ctx.args)
    if (!['Deployment', 'DaemonSet', 'StatefulSet'].includes(resource.kind))
      throw new CliError(`no status viewer has been implemented for ${resource.kind}`)
    const timeout = ctx.flags.timeout === undefined ? undefined : parseDuration(String(ctx.flags.timeout))
    const current = await getObject(ctx, resource, name)
    let last = ''
    const show = (o: Json) => {
      const { message, done } = rolloutStatus(resource.kind, o)
      if (message !== last) ctx.io.out(`${message}\n`)
      last = message
      return done
    }
    if (show(current) || ctx.flags.watch === false) return 0
    const events = ctx.client().subscribe<{ watch: { type: string; object: { raw: Json } } }>(WATCH, {
      kind: resource.kind,
      namespace: resource.namespaced ? ctx.namespace : null,
      fieldSelector: `metadata.name=${name}`,
      fromRevision: String(obj(current.metadata).resourceVersion),
    })
    const stop = ctx.io.interrupted.then(() => 'stop' as const)
    const expired =
      timeout === undefined
        ? new Promise<never>(() => undefined)
        : new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeout).unref())
    for (;;) {
      const next = await Promise.race([events.next(), stop, expired])
      if (next === 'stop') return 1
      if (next === 'timeout') throw new CliError('timed out waiting for the condition')
      if (next.done) throw new CliError('the watch ended before the rollout finished')
      const event = next.value.watch
      if (event.type === 'DELETED') throw new CliError(`${resource.singularName} "${name}" was deleted`)
      if (event.type !== 'BOOKMARK' && show(event.object.raw)) return 0
    }
  },
}

function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text)
  if (!match) throw new CliError(`invalid --timeout "${text}": expected e.g. 30s, 5m, 1h`)
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h']
}

const history: Command = {
  name: 'rollout history',
  summary: "List a Deployment's rollout revisions, or show one revision's pod template",
  usage: 'rollout history KIND/NAME [--revision=N]',
  examples: ['revkube rollout history deploy/web', 'revkube rollout history deploy/web --revision=2'],
  flags: [{ name: 'revision', type: 'int', value: 'N', help: 'show the pod template of this revision' }],
  run: async (ctx) => {
    const { resource, name } = await deploymentTarget(ctx, 'history')
    const data = await ctx
      .client()
      .request<{ rolloutHistory: Array<{ revision: number; changeCause: string | null; template: Json }> }>(
        'query History($namespace: String, $name: String!) { rolloutHistory(namespace: $namespace, name: $name) { revision changeCause template } }',
        { namespace: ctx.namespace, name },
      )
    const wanted = ctx.flags.revision as number | undefined
    if (wanted !== undefined && wanted !== 0) {
      const revision = data.rolloutHistory.find((r) => r.revision === wanted)
      if (!revision) throw new CliError(`unable to find the specified revision`)
      const w = new DescribeWriter().raw(0, `${objectName(resource, name)} with revision #${wanted}`).field(0, 'Pod Template')
      describePodTemplate(w, 2, revision.template)
      return void ctx.io.out(w.toString())
    }
    ctx.io.out(`${objectName(resource, name)} \n`)
    ctx.io.out(
      formatTable([['REVISION', 'CHANGE-CAUSE'], ...data.rolloutHistory.map((r) => [String(r.revision), r.changeCause ?? '<none>'])], 2),
    )
  },
}

const undo: Command = {
  name: 'rollout undo',
  summary: 'Roll a Deployment back to the previous revision, or to --to-revision',
  usage: 'rollout undo KIND/NAME [--to-revision=N]',
  examples: ['revkube rollout undo deploy/web', 'revkube rollout undo deploy/web --to-revision=1'],
  flags: [{ name: 'to-revision', type: 'int', value: 'N', help: 'the revision to roll back to (default: the previous one)' }],
  run: async (ctx) => {
    const { resource, name } = await deploymentTarget(ctx, 'undo')
    const before = await getObject(ctx, resource, name)
    const data = await ctx
      .client()
      .request<{ rolloutUndo: { revision: string } }>(
        'mutation Undo($namespace: String, $name: String!, $toRevision: Int) { rolloutUndo(namespace: $namespace, name: $name, toRevision: $toRevision) { revision } }',
        { namespace: ctx.namespace, name, toRevision: ctx.flags['to-revision'] ?? null },
      )
    const unchanged = data.rolloutUndo.revision === String(obj(before.metadata).resourceVersion)
    ctx.io.out(
      `${objectName(resource, name)} ${unchanged ? `skipped rollback (current template already matches revision ${String(ctx.flags['to-revision'] ?? 'previous')})` : 'rolled back'}\n`,
    )
  },
}

function simple(verb: 'pause' | 'resume' | 'restart', past: string, mutation: string, summary: string): Command {
  return {
    name: `rollout ${verb}`,
    summary,
    usage: `rollout ${verb} KIND/NAME`,
    examples: [`revkube rollout ${verb} deploy/web`],
    run: async (ctx) => {
      const { resource, name } = await deploymentTarget(ctx, verb)
      await ctx
        .client()
        .request(`mutation Op($namespace: String, $name: String!) { ${mutation}(namespace: $namespace, name: $name) { revision } }`, {
          namespace: ctx.namespace,
          name,
        })
      ctx.io.out(`${objectName(resource, name)} ${past}\n`)
    },
  }
}

export const rollout: Command[] = [
  status,
  history,
  undo,
  simple('pause', 'paused', 'rolloutPause', 'Pause a Deployment: template changes do not roll out until it is resumed'),
  simple('resume', 'resumed', 'rolloutResume', 'Resume a paused Deployment'),
  simple(
    'restart',
    'restarted',
    'rolloutRestart',
    'Replace every pod of a Deployment (stamps kubectl.kubernetes.io/restartedAt on its template)',
  ),
]
