import { errors, isStatusError, type StatusError } from '../errors.js'
import { clone, deeperThan, isObject, MAX_DEPTH, objectAt, type JsonObject } from '../json.js'
import { decodeManifests } from '../resources/manifest.js'
import { applyStrategicMergePatch } from '../resources/patch/strategic-merge-patch.js'
import type { RequestContext } from './context.js'
import { decideUpdate } from './decide.js'
import { metadataOf } from './object-meta.js'
import { getObject } from '../../projections/cluster-state.js'
import type { ResourceApi } from './resource-api.js'
import { checkSize } from './object-size.js'
import { threeWayPatch } from './three-way-patch.js'
import { LAST_APPLIED } from '../resources/annotations.js'

/** The annotation client-side apply keeps the last applied manifest in. */
export { LAST_APPLIED }

export type ApplyResult =
  | { action: 'created' | 'configured' | 'unchanged'; object: JsonObject }
  | { action: 'failed'; manifest: JsonObject; error: StatusError }

/**
 * Applies manifests in order, as `kubectl apply` does: creates what is missing; updates what
 * exists with a three-way merge against the last applied manifest, so fields others own (status,
 * replicas set by an autoscaler) survive. One result per manifest; a failure does not stop the rest.
 */
export async function applyManifests(
  api: ResourceApi,
  ctx: RequestContext,
  input: string | Uint8Array | JsonObject[],
  options: { namespace?: string } = {},
): Promise<ApplyResult[]> {
  const manifests = Array.isArray(input) ? input : decodeManifests(input).map((m) => m.object)
  const correlated = { ...ctx, correlationId: ctx.correlationId ?? ctx.requestId ?? api.env.newUid() }
  const results: ApplyResult[] = []
  for (const manifest of manifests) {
    try {
      results.push(await applyOne(api, correlated, manifest, options.namespace))
    } catch (error) {
      if (!isStatusError(error)) throw error
      results.push({ action: 'failed', manifest, error })
    }
  }
  return results
}

async function applyOne(api: ResourceApi, ctx: RequestContext, manifest: JsonObject, namespace: string | undefined): Promise<ApplyResult> {
  if (!isObject(manifest)) throw errors.badRequest('a manifest must be a JSON object')
  if (deeperThan(manifest)) throw errors.badRequest(`the manifest nests deeper than ${MAX_DEPTH} levels`)
  checkSize(manifest, api.objectBytes)
  const definition = api.registry.forManifest(manifest.apiVersion, manifest.kind)
  const name = metadataOf(manifest).name
  if (typeof name !== 'string' || name === '') throw errors.badRequest(`${definition.kind}: metadata.name is required for apply`)
  const desired = clone(manifest)
  const desiredMeta = metadataOf(desired)
  if (definition.namespaced) desiredMeta.namespace = desiredMeta.namespace || namespace || 'default'
  const annotations = { ...(objectAt(desiredMeta, 'annotations') ?? {}) }
  delete annotations[LAST_APPLIED]
  desiredMeta.annotations = annotations
  if (Object.keys(annotations).length === 0) delete desiredMeta.annotations
  desired.metadata = desiredMeta
  const record = JSON.stringify(desired)

  const target = api.target(definition.kind, String(desiredMeta.namespace ?? ''), name)
  const withRecord = (object: JsonObject) => {
    const metadata = metadataOf(object)
    object.metadata = { ...metadata, annotations: { ...(objectAt(metadata, 'annotations') ?? {}), [LAST_APPLIED]: record } }
    return object
  }
  // Try a create unless the object is known to exist; AlreadyExists sends it down the update path.
  const known = api.projection
    ? getObject(api.projection.state, definition.kind, target.namespace, name)
    : await api.store.get({ kind: definition.kind, namespace: target.namespace, name })
  if (!known) {
    try {
      const object = await api.create({ ...ctx, meta: { verb: 'apply', ...ctx.meta } }, withRecord(clone(desired)), {
        ...(target.namespace && { namespace: target.namespace }),
      })
      return { action: 'created', object }
    } catch (error) {
      if (!isStatusError(error, 'AlreadyExists')) throw error
    }
  }

  let changed = false
  const update = () =>
    api.mutate(
      ctx,
      target,
      (current) => {
        const previous = objectAt(metadataOf(current), 'annotations')?.[LAST_APPLIED]
        const lastApplied = typeof previous === 'string' ? parseRecord(previous) : undefined
        const patch = threeWayPatch(definition, lastApplied, desired)
        const merged = applyStrategicMergePatch(current, patch, definition) as JsonObject
        const decision = decideUpdate(definition, withRecord(api.decode(ctx, definition, merged)), current)
        changed = decision.op !== 'none'
        return decision
      },
      { meta: { verb: 'apply' } },
    )
  try {
    const object = await update()
    return { action: changed ? 'configured' : 'unchanged', object }
  } catch (error) {
    // The projection still showed an object that is gone by now: create it after all.
    if (!known || !isStatusError(error, 'NotFound')) throw error
    const object = await api.create({ ...ctx, meta: { verb: 'apply', ...ctx.meta } }, withRecord(clone(desired)), {
      ...(target.namespace && { namespace: target.namespace }),
    })
    return { action: 'created', object }
  }
}

function parseRecord(text: string): JsonObject | undefined {
  try {
    const value = JSON.parse(text)
    return isObject(value) ? value : undefined
  } catch {
    return undefined
  }
}
