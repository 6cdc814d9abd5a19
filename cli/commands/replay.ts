import { countObjects, emptyState, type ClusterState } from '../../projections/cluster-state.js'
import { evolve, load } from '../../projections/evolve.js'
import { jsonDiff } from '../../services/resources/json-diff.js'
import { deepEqual } from '../../services/json.js'
import type { LogEvent } from '../../services/store/commands.js'
import { parseAt } from '../at.js'
import type { RevkubeClient } from '../client.js'
import type { Command, CommandContext } from '../command.js'
import { CliError } from '../errors.js'
import { apiResources, type ApiResource } from '../kinds.js'
import { headRevision, logPages, revisionAt, type WireEvent } from '../log-pages.js'
import { formatTable } from '../output.js'
import { Progress, type ProgressMode } from '../progress.js'
import { listObjects } from '../reads.js'

type Json = Record<string, unknown>

export const replay: Command = {
  name: 'replay',
  summary: "Rebuild every view by folding the log up to a point; --verify checks the server's against it",
  usage: 'replay [--to WHEN] [--from WHEN | --from-scratch] [--verify] [--no-progress]',
  description: [
    'Pulls the log over GraphQL and folds it with projections/evolve.ts, the function the server keeps',
    'its live views with, into the state at --to (default: the head), then prints how many events it',
    'replayed and how many objects of each kind the state holds. With --verify it also reads the',
    "server's as-of state at the same revision (every kind of apiResources) and lists each object that",
    'is missing on the server, missing in the replay, or differs (with the JSON paths that differ);',
    'it exits 1 if there is any difference. The server answers as-of reads from its inline',
    'projections (objects, object_versions), so a difference means those disagree with the log.',
    '',
    'Progress goes to stderr: a bar with rate and ETA on a terminal, a plain line every two seconds',
    'otherwise.',
  ].join('\n'),
  examples: [
    'revkube replay                          # fold the whole log, print the state it ends in',
    'revkube replay --to 5000 --verify       # check the as-of views at revision 5000 against the log',
    'revkube replay --to -1h --verify        # ... as of an hour ago',
    'revkube replay --from 90000 --verify    # start from the server state at 90000, fold the rest',
  ],
  flags: [
    {
      name: 'to',
      type: 'string',
      value: 'WHEN',
      help: 'replay up to this point: a revision (1234), a time (2026-11-26T14:02:00Z) or a duration ago (-5m); default the head',
    },
    {
      name: 'from',
      type: 'string',
      value: 'WHEN',
      help: "start from the server's as-of state at this point and fold only the events after it",
    },
    {
      name: 'from-scratch',
      type: 'boolean',
      help: 'start from the empty state and fold every event from revision 1 (the default without --from)',
    },
    {
      name: 'verify',
      type: 'boolean',
      help: "compare the rebuilt state with the server's as-of state at the same revision; exit 1 on any difference",
    },
    { name: 'no-progress', type: 'boolean', help: 'show no progress on stderr' },
  ],
  run: async (ctx) => {
    const client = ctx.client()
    if (ctx.flags.from !== undefined && ctx.flags['from-scratch']) throw new CliError('--from and --from-scratch cannot be combined')
    const point = (flag: 'from' | 'to') => revisionAt(client, parseAt(ctx.flags[flag] as string, ctx.io.now(), `--${flag}`))
    const to = ctx.flags.to === undefined ? await headRevision(client) : await point('to')
    const from = ctx.flags.from === undefined ? 0 : await point('from')
    if (from > to) throw new CliError(`--from (revision ${from}) is after --to (revision ${to})`)

    const mode = progressMode(ctx)
    if (mode === 'lines') ctx.io.err(`replaying revisions ${from + 1}–${to} (${fmt(to - from)} events) from ${client.server}\n`)
    const progress = new Progress({ mode, write: ctx.io.err, doing: 'replaying', did: 'replayed', total: to - from })
    const start = from > 0 ? await serverState(ctx, from) : emptyState()
    const result = await replayLog(client, { start, to, onProgress: (n) => progress.update(n) })
    progress.finish()

    const { state } = result
    ctx.io.out(
      `replayed ${fmt(result.events)} events (revisions ${from + 1}–${to}) in ${result.seconds.toFixed(1)} s: ${fmt(result.events / Math.max(result.seconds, 1e-3))} events/s\n`,
    )
    ctx.io.out(`state at revision ${to}: ${fmt(countObjects(state))} objects\n`)
    const kinds = [...state.objects.keys()]
      .sort()
      .flatMap((kind) => (countObjects(state, kind) > 0 ? [[kind, fmt(countObjects(state, kind))]] : []))
    if (kinds.length > 0) ctx.io.out(formatTable([['KIND', 'OBJECTS'], ...kinds]))
    if (!ctx.flags.verify) return 0

    const differences = await verify(ctx, state, to)
    if (differences.length === 0) {
      ctx.io.out(`verified: the replayed state equals the server's as-of state at revision ${to}\n`)
      return 0
    }
    for (const d of differences) ctx.io.out(`${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name}: ${d.problem}\n`)
    ctx.io.err(
      `error: ${differences.length} difference${differences.length === 1 ? '' : 's'} between the replayed state and the server's at revision ${to}\n`,
    )
    return 1
  },
}

export interface ReplayOptions {
  /** The state to fold into, at its revision. @default the empty state (revision 0) */
  start?: ClusterState
  /** The last revision to fold. */
  to: number
  /** Told the number of events folded so far, after each page. */
  onProgress?: (events: number) => void
  /** Events per GraphQL request. */
  pageSize?: number
}

export interface ReplayResult {
  state: ClusterState
  events: number
  seconds: number
}

/**
 * The state at `to`: the log after the start state's revision, pulled over GraphQL and folded with
 * `evolve`, the server's own fold, so the replay has no logic of its own to drift.
 */
export async function replayLog(client: RevkubeClient, options: ReplayOptions): Promise<ReplayResult> {
  const state = options.start ?? emptyState()
  const started = performance.now()
  let events = 0
  for await (const page of logPages(client, {
    after: state.revision,
    to: options.to,
    fields: 'fold',
    ...(options.pageSize && { pageSize: options.pageSize }),
  })) {
    for (const wire of page) evolve(state, foldable(wire))
    events += page.length
    options.onProgress?.(events)
  }
  state.revision = Math.max(state.revision, options.to)
  return { state, events, seconds: (performance.now() - started) / 1000 }
}

const NO_TIME = new Date(0)

/** A wire event as the fold takes it; the fold reads no meta, time or transaction. */
export function foldable(e: WireEvent): LogEvent {
  const revision = Number(e.revision)
  return {
    revision,
    txRevision: revision,
    type: e.type,
    kind: e.kind,
    namespace: e.namespace ?? '',
    name: e.name,
    uid: e.uid,
    object: e.object.raw,
    meta: {},
    committedAt: NO_TIME,
  }
}

/** The server's as-of state at `revision`, every kind it serves, as a fold would start from it. */
async function serverState(ctx: CommandContext, revision: number): Promise<ClusterState> {
  const state = emptyState()
  for (const [kind, objects] of await serverObjects(ctx, revision)) {
    for (const [key, object] of objects) {
      const [namespace, name] = splitKey(key)
      load(state, kind, namespace, name, object)
    }
  }
  state.revision = revision
  return state
}

/** kind → `namespace\0name` → object, as the server lists them at `revision`. */
async function serverObjects(ctx: CommandContext, revision: number): Promise<Map<string, Map<string, Json>>> {
  const out = new Map<string, Map<string, Json>>()
  for (const resource of await apiResources(ctx)) out.set(resource.kind, await listAt(ctx, resource, revision))
  return out
}

async function listAt(ctx: CommandContext, resource: ApiResource, revision: number): Promise<Map<string, Json>> {
  const { items } = await listObjects(ctx, resource, { namespace: null, at: { revision: String(revision) } })
  const byKey = new Map<string, Json>()
  for (const object of items) {
    const metadata = (object.metadata ?? {}) as Json
    byKey.set(`${String(metadata.namespace ?? '')}\u0000${String(metadata.name)}`, object)
  }
  return byKey
}

const splitKey = (key: string) => key.split('\u0000') as [string, string]

export interface Difference {
  kind: string
  namespace: string
  name: string
  problem: string
}

/** Every object on which the replayed state and the server's as-of state disagree, sorted. */
async function verify(ctx: CommandContext, state: ClusterState, revision: number): Promise<Difference[]> {
  const server = await serverObjects(ctx, revision)
  const differences: Difference[] = []
  const kinds = new Set([...server.keys(), ...state.objects.keys()])
  for (const kind of kinds) {
    const theirs = server.get(kind)
    const ours = new Map<string, Json>()
    for (const [namespace, names] of state.objects.get(kind) ?? [])
      for (const [name, object] of names) ours.set(`${namespace}\u0000${name}`, object)
    const add = (key: string, problem: string) => {
      const [namespace, name] = splitKey(key)
      differences.push({ kind, namespace, name, problem })
    }
    for (const [key, object] of ours) {
      const other = theirs?.get(key)
      if (!other) add(key, theirs ? 'missing on server' : 'missing on server (the server does not serve this kind)')
      else if (!deepEqual(object, other))
        add(key, `differs at ${[...new Set(jsonDiff(object, other).map((op) => op.path || '/'))].join(', ')}`)
    }
    for (const key of theirs?.keys() ?? []) if (!ours.has(key)) add(key, 'missing in replay')
  }
  const order = (d: Difference) => `${d.kind}\u0000${d.namespace}\u0000${d.name}`
  return differences.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))
}

function progressMode(ctx: CommandContext): ProgressMode {
  if (ctx.flags['no-progress']) return 'off'
  return ctx.io.errIsTTY ? 'bar' : 'lines'
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
