import { timestamp, type RequestContext } from '../api/context.js'
import type { ResourceApi } from '../api/resource-api.js'
import { StatusError } from '../errors.js'
import { objectAt, type JsonObject } from '../json.js'
import { labelSelectorFromObject, matchesLabels } from '../resources/label-selector.js'
import { annotationsOf, controllerOf, labelsOf, spec, uidOf } from '../runtime/objects.js'
import { equalIgnoreHash, withoutHash } from '../controllers/deployment/pod-template-hash.js'
import { ANNOTATIONS_TO_SKIP, CHANGE_CAUSE, revisionOf } from '../controllers/deployment/revision.js'

/**
 * `kubectl rollout` for Deployments (kubectl pkg/polymorphichelpers: history.go, rollback.go,
 * objectpauser.go, objectresumer.go, objectrestarter.go), as functions over the resource API.
 * Each returns the Deployment and the line kubectl would print; each refusal is a StatusError
 * with kubectl's words.
 */

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt'

/** One revision of a rollout: the ReplicaSet that holds it and its pod template. */
export interface RolloutRevision {
  revision: number
  /** The ReplicaSet's `kubernetes.io/change-cause` annotation. */
  changeCause?: string
  /** The pod template of that revision, as its ReplicaSet has it (pod-template-hash label included). */
  template: JsonObject
  replicaSet: JsonObject
}

export interface RolloutResult {
  deployment: JsonObject
  /** What kubectl prints, e.g. `deployment.apps/web rolled back`. */
  message: string
}

const display = (name: string) => `deployment.apps/${name}`

/** The ReplicaSets the Deployment selects and controls (`deploymentutil.GetAllReplicaSets`). */
async function replicaSetsOf(api: ResourceApi, d: JsonObject, namespace: string): Promise<JsonObject[]> {
  const selector = labelSelectorFromObject(spec(d).selector).selector
  if (!selector) return []
  const { items } = await api.list('ReplicaSet', { namespace })
  return items.filter((rs) => controllerOf(rs)?.uid === uidOf(d) && matchesLabels(selector, labelsOf(rs)))
}

/**
 * `kubectl rollout history`: every revision the Deployment's ReplicaSets carry, oldest first,
 * with CHANGE-CAUSE. A ReplicaSet without a revision annotation is revision 0; one with an
 * unreadable revision is left out. Empty when there is no history.
 */
export async function rolloutHistory(api: ResourceApi, namespace: string, name: string): Promise<RolloutRevision[]> {
  const d = await api.get('Deployment', namespace, name)
  const byRevision = new Map<number, RolloutRevision>()
  for (const rs of await replicaSetsOf(api, d, namespace)) {
    const revision = revisionOf(annotationsOf(rs))
    if (revision === undefined) continue
    const changeCause = annotationsOf(rs)[CHANGE_CAUSE]
    byRevision.set(revision, {
      revision,
      ...(changeCause && { changeCause }),
      template: objectAt(spec(rs), 'template') ?? {},
      replicaSet: rs,
    })
  }
  return [...byRevision.values()].sort((a, b) => a.revision - b.revision)
}

/**
 * `kubectl rollout undo [--to-revision=N]`: writes that revision's pod template (without its
 * pod-template-hash) back into the Deployment, with its ReplicaSet's annotations (keeping the
 * Deployment's own revision, last-applied and replica annotations), as one JSON patch. Without
 * `toRevision` (or with 0) it goes back to the previous revision. The Deployment controller then
 * takes that ReplicaSet up again as a new revision.
 */
export async function rolloutUndo(
  api: ResourceApi,
  ctx: RequestContext,
  namespace: string,
  name: string,
  toRevision = 0,
): Promise<RolloutResult> {
  if (toRevision < 0) throw new StatusError('NotFound', `unable to find specified revision ${toRevision} in history`)
  const d = await api.get('Deployment', namespace, name)
  const history = await rolloutHistory(api, namespace, name)
  let target: RolloutRevision | undefined
  if (toRevision > 0) {
    target = history.find((h) => h.revision === toRevision)
    if (!target) throw new StatusError('NotFound', `unable to find specified revision ${toRevision} in history`)
  } else {
    target = history.at(-2)
    if (!target) throw new StatusError('NotFound', `no rollout history found for deployment "${name}"`)
  }
  if (spec(d).paused === true) {
    throw new StatusError(
      'BadRequest',
      "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
    )
  }
  if (equalIgnoreHash(target.template, spec(d).template)) {
    return { deployment: d, message: `${display(name)} skipped rollback (current template already matches revision ${target.revision})` }
  }
  const annotations: Record<string, string> = {}
  for (const [key, value] of Object.entries(annotationsOf(d))) if (ANNOTATIONS_TO_SKIP.has(key)) annotations[key] = value
  for (const [key, value] of Object.entries(annotationsOf(target.replicaSet))) if (!ANNOTATIONS_TO_SKIP.has(key)) annotations[key] = value
  const patch = [
    { op: 'replace', path: '/spec/template', value: withoutHash(target.template) },
    { op: 'add', path: '/metadata/annotations', value: annotations },
  ]
  const request = operation(ctx, 'rollout undo', `rollout undo to revision ${target.revision}`)
  const deployment = await api.patch(request, 'Deployment', namespace, name, patch, 'json')
  return { deployment, message: `${display(name)} rolled back` }
}

/** `kubectl rollout restart`: stamps the pod template with `kubectl.kubernetes.io/restartedAt`, so every pod is replaced. */
export async function rolloutRestart(api: ResourceApi, ctx: RequestContext, namespace: string, name: string): Promise<RolloutResult> {
  const d = await api.get('Deployment', namespace, name)
  if (spec(d).paused === true) throw new StatusError('BadRequest', "can't restart paused deployment (run rollout resume first)")
  const patch = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: timestamp(api.env.now()) } } } } }
  const deployment = await api.patch(operation(ctx, 'rollout restart'), 'Deployment', namespace, name, patch, 'strategic')
  return { deployment, message: `${display(name)} restarted` }
}

/** `kubectl rollout pause`: template changes roll out no further until resumed (scaling still applies). */
export async function rolloutPause(api: ResourceApi, ctx: RequestContext, namespace: string, name: string): Promise<RolloutResult> {
  const d = await api.get('Deployment', namespace, name)
  if (spec(d).paused === true) return { deployment: d, message: `${display(name)} already paused` }
  const deployment = await api.patch(
    operation(ctx, 'rollout pause'),
    'Deployment',
    namespace,
    name,
    { spec: { paused: true } },
    'strategic',
  )
  return { deployment, message: `${display(name)} paused` }
}

/** `kubectl rollout resume`: clears spec.paused. */
export async function rolloutResume(api: ResourceApi, ctx: RequestContext, namespace: string, name: string): Promise<RolloutResult> {
  const d = await api.get('Deployment', namespace, name)
  if (spec(d).paused !== true) return { deployment: d, message: `${display(name)} already resumed` }
  const deployment = await api.patch(
    operation(ctx, 'rollout resume'),
    'Deployment',
    namespace,
    name,
    { spec: { paused: null } },
    'strategic',
  )
  return { deployment, message: `${display(name)} resumed` }
}

/** The caller's context, with the operation recorded as the events' verb (and a default reason). */
function operation(ctx: RequestContext, verb: string, reason?: string): RequestContext {
  return { ...ctx, ...(ctx.reason === undefined && reason !== undefined && { reason }), meta: { ...ctx.meta, verb } }
}
