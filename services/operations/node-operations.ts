import type { RequestContext } from '../api/context.js'
import type { ResourceApi } from '../api/resource-api.js'
import { isStatusError, StatusError } from '../errors.js'
import { arrayAt, isObject, type JsonObject } from '../json.js'
import { labelValue } from '../resources/validation/labels.js'
import { qualifiedName } from '../resources/validation/names.js'
import { annotationsOf, controllerOf, meta, nameOf, namespaceOf, spec, status } from '../runtime/objects.js'

/**
 * `kubectl cordon`, `uncordon`, `drain` and `taint` (kubectl pkg/drain, pkg/cmd/taint) as
 * functions over the resource API, each returning the Node and what kubectl would print.
 */

export interface NodeResult {
  node: JsonObject
  /** e.g. `node/n1 cordoned` */
  message: string
}

/** Marks the node unschedulable (`spec.unschedulable: true`). */
export function cordon(api: ResourceApi, ctx: RequestContext, node: string): Promise<NodeResult> {
  return setUnschedulable(api, ctx, node, true)
}

/** Makes the node schedulable again. */
export function uncordon(api: ResourceApi, ctx: RequestContext, node: string): Promise<NodeResult> {
  return setUnschedulable(api, ctx, node, false)
}

async function setUnschedulable(api: ResourceApi, ctx: RequestContext, name: string, unschedulable: boolean): Promise<NodeResult> {
  const verb = unschedulable ? 'cordon' : 'uncordon'
  const current = await api.get('Node', undefined, name)
  if ((spec(current).unschedulable === true) === unschedulable) return { node: current, message: `node/${name} already ${verb}ed` }
  const node = await api.patch(
    operation(ctx, verb),
    'Node',
    undefined,
    name,
    { spec: { unschedulable: unschedulable ? true : null } },
    'strategic',
  )
  return { node, message: `node/${name} ${verb}ed` }
}

export interface DrainOptions {
  /** Delete pods no controller will replace (`--force`). @default false */
  force?: boolean
  /** Leave DaemonSet pods alone instead of refusing (`--ignore-daemonsets`). @default true */
  ignoreDaemonSets?: boolean
  /** Delete pods with emptyDir volumes, losing their data (`--delete-emptydir-data`). @default false */
  deleteEmptyDirData?: boolean
  /** Overrides each pod's terminationGracePeriodSeconds. */
  gracePeriodSeconds?: number
}

export interface DrainResult {
  node: JsonObject
  /** Pods evicted (deleted: there are no PodDisruptionBudgets to consult), as the deletes returned them. */
  evicted: JsonObject[]
  /** Pods left on the node, and why. */
  skipped: Array<{ pod: JsonObject; reason: string }>
  /** kubectl's warnings, e.g. `ignoring DaemonSet-managed Pods: kube-system/ds-x`. */
  warnings: string[]
  /** What kubectl prints, line by line. */
  messages: string[]
}

interface Verdict {
  delete: boolean
  reason?: 'skip' | 'warning' | 'error'
  message?: string
}

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror'

/**
 * `kubectl drain`: cordons the node, then evicts every pod on it except mirror pods and (with
 * ignoreDaemonSets, the default here) DaemonSet pods, through kubectl's filters: pods no
 * controller owns need `force`, pods with emptyDir volumes need `deleteEmptyDirData`, finished
 * pods always go. If any pod cannot go, nothing is evicted and the error lists them as kubectl
 * does (the node stays cordoned).
 */
export async function drain(api: ResourceApi, ctx: RequestContext, name: string, options: DrainOptions = {}): Promise<DrainResult> {
  const cordoned = await cordon(api, ctx, name)
  const messages = [cordoned.message]
  const { items } = await api.list('Pod', { fieldSelector: `spec.nodeName=${name}` })
  const verdicts: Array<{ pod: JsonObject; verdict: Verdict; warnings: string[] }> = []
  for (const pod of items) {
    const warnings: string[] = []
    let verdict: Verdict = { delete: true }
    for (const filter of [daemonSetFilter, mirrorPodFilter, localStorageFilter, unreplicatedFilter]) {
      verdict = await filter(api, pod, options)
      if (verdict.reason === 'warning' && verdict.message) warnings.push(verdict.message)
      if (!verdict.delete) break
    }
    verdicts.push({ pod, verdict, warnings })
  }

  const errors = group(verdicts.filter((v) => v.verdict.reason === 'error').map((v) => [v.verdict.message ?? 'unexpected error', v.pod]))
  if (errors.length > 0) {
    const lines = errors.map(([message, pods]) => `cannot delete ${message}: ${pods}`).sort()
    throw new StatusError('BadRequest', lines.length === 1 ? lines[0]! : `[${lines.join(', ')}]`)
  }
  const warnings = group(verdicts.flatMap((v) => v.warnings.map((w): [string, JsonObject] => [w, v.pod]))).map(
    ([message, pods]) => `${message}: ${pods}`,
  )
  if (warnings.length > 0) messages.push(`Warning: ${warnings.join('; ')}`)

  const evicted: JsonObject[] = []
  const skipped: DrainResult['skipped'] = []
  const request = operation(ctx, 'drain', `drain node ${name}`)
  for (const { pod, verdict } of verdicts) {
    if (!verdict.delete) {
      skipped.push({ pod, reason: verdict.message ?? 'mirror pod' })
      continue
    }
    messages.push(`evicting pod ${namespaceOf(pod)}/${nameOf(pod)}`)
    try {
      const deleteOptions = options.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: options.gracePeriodSeconds }
      evicted.push(await api.delete(request, 'Pod', namespaceOf(pod), nameOf(pod), deleteOptions))
    } catch (error) {
      if (!isStatusError(error, 'NotFound')) throw error
      evicted.push(pod)
    }
    messages.push(`pod/${nameOf(pod)} evicted`)
  }
  messages.push(`node/${name} drained`)
  return { node: cordoned.node, evicted, skipped, warnings, messages }
}

type Filter = (api: ResourceApi, pod: JsonObject, options: DrainOptions) => Promise<Verdict> | Verdict

const finished = (pod: JsonObject) => status(pod).phase === 'Succeeded' || status(pod).phase === 'Failed'

const daemonSetFilter: Filter = async (api, pod, options) => {
  const ref = controllerOf(pod)
  if (ref?.kind !== 'DaemonSet' || finished(pod)) return { delete: true }
  try {
    await api.get('DaemonSet', namespaceOf(pod), ref.name)
  } catch (error) {
    if (isStatusError(error, 'NotFound') && options.force) return { delete: true, reason: 'warning', message: error.message }
    return { delete: false, reason: 'error', message: (error as Error).message }
  }
  if (options.ignoreDaemonSets === false)
    return { delete: false, reason: 'error', message: 'DaemonSet-managed Pods (use --ignore-daemonsets to ignore)' }
  return { delete: false, reason: 'warning', message: 'ignoring DaemonSet-managed Pods' }
}

const mirrorPodFilter: Filter = (_, pod) =>
  Object.hasOwn(annotationsOf(pod), MIRROR_POD_ANNOTATION) ? { delete: false, reason: 'skip', message: 'mirror pod' } : { delete: true }

const localStorageFilter: Filter = (_, pod, options) => {
  if (!arrayAt(spec(pod), 'volumes').some((v) => isObject(v) && v.emptyDir !== undefined) || finished(pod)) return { delete: true }
  if (!options.deleteEmptyDirData)
    return { delete: false, reason: 'error', message: 'Pods with local storage (use --delete-emptydir-data to override)' }
  return { delete: true, reason: 'warning', message: 'deleting Pods with local storage' }
}

const unreplicatedFilter: Filter = (_, pod, options) => {
  if (finished(pod) || controllerOf(pod)) return { delete: true }
  if (!options.force) return { delete: false, reason: 'error', message: 'Pods declare no controller (use --force to override)' }
  return { delete: true, reason: 'warning', message: 'deleting Pods that declare no controller' }
}

/** Messages with the pods they concern (`ns/name, ns/name`), in first-seen order. */
function group(entries: Array<[string, JsonObject]>): Array<[string, string]> {
  const byMessage = new Map<string, string[]>()
  for (const [message, pod] of entries) byMessage.set(message, [...(byMessage.get(message) ?? []), `${namespaceOf(pod)}/${nameOf(pod)}`])
  return [...byMessage].map(([message, pods]) => [message, pods.join(', ')])
}

export interface TaintOptions {
  /** Remove the taint (key and effect; every effect of the key when effect is empty), as `key:effect-` does. */
  remove?: boolean
  /** Replace a taint with the same key and effect (`--overwrite`). @default false */
  overwrite?: boolean
}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute']

/**
 * `kubectl taint nodes <node> key[=value]:effect` and, with `remove` or an effect ending in `-`
 * (`key:NoSchedule-`, or `-` alone for every effect of the key), its removal. New taints come
 * first, as kubectl orders them. Answers `node/<n> tainted`, `untainted` or `modified`.
 */
export async function taint(
  api: ResourceApi,
  ctx: RequestContext,
  name: string,
  key: string,
  value: string | undefined,
  effect: string,
  options: TaintOptions = {},
): Promise<NodeResult> {
  const remove = options.remove === true || effect.endsWith('-')
  const wanted = remove && effect.endsWith('-') ? effect.slice(0, -1) : effect
  const taintSpec = toString({ key, value: remove ? '' : (value ?? ''), effect: wanted })
  if ((!remove || wanted !== '') && !EFFECTS.includes(wanted))
    throw new StatusError('BadRequest', `invalid taint effect: ${wanted}, unsupported taint effect`)
  const problems = [...qualifiedName(key), ...(!remove && value ? labelValue(value) : [])]
  if (problems.length > 0) throw new StatusError('BadRequest', `invalid taint spec: ${taintSpec}, ${problems.join('; ')}`)

  const node = await api.get('Node', undefined, name)
  const current = arrayAt(spec(node), 'taints').filter(isObject)
  const same = (t: JsonObject) => t.key === key && (wanted === '' || t.effect === wanted)
  let next: JsonObject[]
  let message: string
  if (remove) {
    next = current.filter((t) => !same(t))
    if (next.length === current.length) throw new StatusError('NotFound', `taint "${taintSpec}" not found`)
    message = 'untainted'
  } else {
    if (!options.overwrite && current.some(same)) {
      throw new StatusError('BadRequest', `Node ${name} already has ${key} taint(s) with same effect(s) and --overwrite is false`)
    }
    const added = { key, ...(value && { value }), effect: wanted }
    next = [added, ...current.filter((t) => !same(t))]
    message = options.overwrite ? 'modified' : 'tainted'
  }
  const patch = { metadata: { resourceVersion: meta(node).resourceVersion }, spec: { taints: next.length > 0 ? next : null } }
  const updated = await api.patch(operation(ctx, 'taint'), 'Node', undefined, name, patch, 'merge')
  return { node: updated, message: `node/${name} ${message}` }
}

/** `Taint.ToString`: `key=value:effect`, `key:effect`, `key=value:` or `key`. */
function toString(t: { key: string; value: string; effect: string }): string {
  if (t.effect === '') return t.value === '' ? t.key : `${t.key}=${t.value}:`
  return t.value === '' ? `${t.key}:${t.effect}` : `${t.key}=${t.value}:${t.effect}`
}

function operation(ctx: RequestContext, verb: string, reason?: string): RequestContext {
  return { ...ctx, ...(ctx.reason === undefined && reason !== undefined && { reason }), meta: { ...ctx.meta, verb } }
}
