import { errors, isStatusError, StatusError } from '../errors.js'
import { deeperThan, isObject, MAX_DEPTH, type JsonObject } from '../json.js'
import { defaultLimits } from '../limits.js'
import { apiVersionOf, qualifiedResourceName, type KindDefinition } from '../resources/kind.js'
import { registry as builtin, type KindRegistry } from '../resources/registry.js'
import type { AppendCommand } from '../store/commands.js'
import type { Store } from '../store/store.js'
import { eventMeta, realEnvironment, type Environment, type RequestContext, type WriteGuard } from './context.js'
import { conflict, decideCreate, decideDelete, decideStatusUpdate, decideUpdate, type Decision, type DeleteOptions } from './decide.js'
import type { Observable } from 'rxjs'
import { boundedIterator } from '../../projections/bounded-iterator.js'
import type { Projection } from '../../projections/projection.js'
import { watch, type WatchEvent } from '../../projections/watch.js'
import { applyJsonPatch } from '../resources/patch/json-patch.js'
import { applyMergePatch } from '../resources/patch/merge-patch.js'
import { applyStrategicMergePatch } from '../resources/patch/strategic-merge-patch.js'
import { admitChange, admitCreate } from './admission/admission.js'
import { allocationHost } from './allocation-host.js'
import { applyManifests, type ApplyResult } from './apply.js'
import { listFiltered, matches, parseSelectors, type ListOptions, type ListResult } from './list.js'
import { metadataOf } from './object-meta.js'
import { checkSize } from './object-size.js'
import { decideScale, scaleDefinition, scaleOf } from './scale.js'
import { decodeWrite } from './decode-write.js'
import type { FieldValidation } from '../resources/schema/decode.js'

export interface ResourceApiOptions {
  store: Store
  /** The live projection watches are served from. */
  projection?: Projection
  registry?: KindRegistry
  env?: Environment
  /** Authorization of writes made for a user (services/auth); without it every write is allowed. */
  guard?: WriteGuard
  /**
   * Largest object a write may store, in bytes of JSON: a bigger one is refused (413) before it is
   * admitted or written. JSON patch copies may add twice this, as kube-apiserver allows.
   * @default defaultLimits.objectBytes (1.5 MiB, etcd's request limit)
   */
  objectBytes?: number
  /**
   * How unknown fields are treated in writes whose request names no `fieldValidation`: the control
   * plane's own (controllers, the scheduler, kubelets). Its writes are built by code, so an unknown
   * field is a bug that Strict reports at once. Clients' requests name theirs (GraphQL: WARN by default).
   * @default 'Strict'
   */
  fieldValidation?: FieldValidation
}

export interface WatchRequest extends Pick<ListOptions, 'namespace' | 'labelSelector' | 'fieldSelector'> {
  /** Events after this revision; without it, ADDED for every current object first. */
  fromRevision?: number
  /** @default 10000 */
  bookmarkIntervalMs?: number
}

/** A key and the kind it belongs to, resolved from what a caller wrote. */
interface Target {
  definition: KindDefinition
  namespace: string
  name: string
}

/**
 * The Kubernetes-shaped API over the event log: every verb reads the stored object, decides
 * (pure, services/api/decide.ts) and appends the result as an event. GraphQL, the CLI and a
 * kubectl facade are thin layers over this.
 *
 * @example
 * import { bootstrapNamespaces } from './services/api/namespaces.js'
 * import { ResourceApi } from './services/api/resource-api.js'
 * import { openStore } from './services/app/open-store.js'
 * import { at } from './services/json.js'
 *
 * const store = await openStore({ database: { backend: 'pglite', dataDir: 'memory://' } })
 * const api = new ResourceApi({ store })
 * await bootstrapNamespaces(api)
 * await api.create({ actor: 'alice' }, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
 *   spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } })
 * const web = await api.get('deploy', 'default', 'web')
 * console.log(at(web, 'spec.replicas'), at(web, 'spec.strategy.type')) // 1 RollingUpdate
 * await api.scale({ actor: 'bob' }, 'deployments', 'default', 'web', 3)
 * console.log(at(await api.get('deploy', 'default', 'web'), 'spec.replicas')) // 3
 * await store.close()
 */
export class ResourceApi {
  readonly store: Store
  readonly registry: KindRegistry
  readonly env: Environment
  readonly projection: Projection | undefined
  readonly guard: WriteGuard | undefined
  readonly objectBytes: number
  readonly fieldValidation: FieldValidation

  constructor(options: ResourceApiOptions) {
    this.guard = options.guard
    this.objectBytes = options.objectBytes ?? defaultLimits.objectBytes
    this.fieldValidation = options.fieldValidation ?? 'Strict'
    this.store = options.store
    this.projection = options.projection
    this.registry = options.registry ?? builtin
    this.env = options.env ?? realEnvironment
  }

  /** Creates an object; `namespace` is used when the object names none. */
  async create(ctx: RequestContext, input: JsonObject, options: { namespace?: string } = {}): Promise<JsonObject> {
    checkBody(input, this.objectBytes)
    const definition = this.registry.forManifest(input.apiVersion, input.kind)
    const namespace = this.namespaceFor(definition, input, options.namespace)
    this.guard?.authorize(ctx, {
      verb: 'create',
      definition,
      namespace,
      ...(typeof metadataOf(input).name === 'string' && { name: metadataOf(input).name as string }),
    })
    const object = decideCreate(definition, this.decode(ctx, definition, input), namespace, this.env)
    checkSize(object, this.objectBytes)
    this.guard?.admit(ctx, definition, object)
    const metadata = metadataOf(object)
    // Admission plugins (services/api/admission/), dry runs included: they may change the object or refuse it.
    const admitted = await admitCreate(this, ctx, definition, object, input)
    // What the kind reserves elsewhere (a Service's clusterIP and nodePorts) is reserved before the object is stored.
    const reservation = await definition.allocation?.create(allocationHost(this, ctx, definition, object), object).catch(admitted.failed)
    if (ctx.dryRun) return object
    const [outcome] = await this.store.append([
      this.command(
        ctx,
        { definition, namespace, name: String(metadata.name) },
        { op: 'put', type: 'Created', object },
        { exists: false },
        { verb: 'create' },
      ),
    ])
    await reservation?.settle(outcome!.ok)
    await admitted.settle(outcome!.ok)
    if (outcome!.ok) return outcome!.event.object
    if (isStatusError(outcome!.error, 'AlreadyExists') && input.metadata && !(input.metadata as JsonObject).name) {
      throw new StatusError(
        'AlreadyExists',
        `${outcome!.error.message}, the server was not able to generate a unique name for the object`,
        {
          ...outcome!.error.details,
          retryAfterSeconds: 1,
        },
      )
    }
    throw outcome!.error
  }

  /** One object, now or as of revision `at`. */
  async get(kind: string, namespace: string | undefined, name: string, options: { at?: number } = {}): Promise<JsonObject> {
    const target = this.target(kind, namespace, name)
    const object = await this.store.get({ kind: target.definition.kind, namespace: target.namespace, name }, options)
    if (!object) throw this.notFound(target)
    return object
  }

  /** Objects of a kind, filtered by label and field selectors, paged with a consistent revision. */
  list(kind: string, options: ListOptions = {}): Promise<ListResult> {
    return listFiltered(this.store, this.registry.resolve(kind), options)
  }

  /** Replaces an object. With metadata.resourceVersion the write is conditional on it (Conflict if stale). */
  async update(ctx: RequestContext, input: JsonObject, options: { namespace?: string } = {}): Promise<JsonObject> {
    checkBody(input, this.objectBytes)
    const definition = this.registry.forManifest(input.apiVersion, input.kind)
    const target = this.targetOf(definition, input, options.namespace)
    return this.mutate(ctx, target, (current) => decideUpdate(definition, this.decode(ctx, definition, input), current), {
      expected: expectedRevision(input),
      meta: { verb: 'update' },
    })
  }

  /** Replaces an object's status (the status subresource). */
  async updateStatus(ctx: RequestContext, input: JsonObject, options: { namespace?: string } = {}): Promise<JsonObject> {
    checkBody(input, this.objectBytes)
    const definition = this.registry.forManifest(input.apiVersion, input.kind)
    const target = this.targetOf(definition, input, options.namespace)
    return this.mutate(ctx, target, (current) => decideStatusUpdate(definition, this.decode(ctx, definition, input), current), {
      expected: expectedRevision(input),
      meta: { verb: 'update', subresource: 'status' },
    })
  }

  /**
   * Patches an object: a JSON merge patch (RFC 7386), a JSON patch (RFC 6902) or a strategic merge
   * patch, applied to the stored object and then written like an update (or a status update for
   * the status subresource). A patch that sets metadata.resourceVersion is conditional on it.
   * The patched object may be at most `objectBytes` (413 otherwise), and a JSON patch's copies may
   * add at most twice that (422), as kube-apiserver's `JSONPatchMaxCopyBytes`.
   */
  async patch(
    ctx: RequestContext,
    kind: string,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType,
    options: { subresource?: 'status' } = {},
  ): Promise<JsonObject> {
    if (deeperThan(patch)) throw errors.badRequest(`the patch nests deeper than ${MAX_DEPTH} levels`)
    const target = this.target(kind, namespace, name)
    const { definition } = target
    return this.mutate(
      ctx,
      target,
      (current) => {
        const result = applyPatch(type, current, patch, definition, this.objectBytes)
        if (!isObject(result)) throw errors.badRequest('the patch must leave an object')
        const patched = this.decode(ctx, definition, result)
        checkSize(patched, this.objectBytes)
        const wanted = isObject(patched.metadata) ? patched.metadata.resourceVersion : undefined
        if (wanted !== undefined && wanted !== metadataOf(current).resourceVersion) throw conflict(definition, name)
        return options.subresource === 'status'
          ? decideStatusUpdate(definition, patched, current)
          : decideUpdate(definition, patched, current)
      },
      { meta: { verb: 'patch', patchType: type, ...(options.subresource && { subresource: options.subresource }) } },
    )
  }

  /** `kubectl apply`: creates or three-way-merges each manifest (services/api/apply.ts). */
  apply(ctx: RequestContext, input: string | Uint8Array | JsonObject[], options: { namespace?: string } = {}): Promise<ApplyResult[]> {
    return applyManifests(this, ctx, input, options)
  }

  /** Deletes an object, or marks it for deletion while finalizers (or a kubelet) finish. */
  async delete(
    ctx: RequestContext,
    kind: string,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): Promise<JsonObject> {
    const target = this.target(kind, namespace, name)
    return this.mutate(ctx, target, (current) => decideDelete(target.definition, current, options, this.env), {
      meta: { verb: 'delete', ...(options.propagationPolicy && { propagationPolicy: options.propagationPolicy }) },
    })
  }

  /** Deletes every object of a kind that the selectors match. */
  async deleteCollection(
    ctx: RequestContext,
    kind: string,
    options: Pick<ListOptions, 'namespace' | 'labelSelector' | 'fieldSelector'>,
    deleteOptions: DeleteOptions = {},
  ): Promise<JsonObject[]> {
    const definition = this.registry.resolve(kind)
    const correlated = { ...ctx, correlationId: ctx.correlationId ?? ctx.requestId ?? this.env.newUid() }
    const deleted: JsonObject[] = []
    let page: ListResult | undefined
    do {
      page = await this.list(kind, { ...options, limit: 500, ...(page?.continue && { continue: page.continue }) })
      for (const item of page.items) {
        const metadata = metadataOf(item)
        try {
          deleted.push(
            await this.delete(correlated, definition.kind, metadata.namespace as string | undefined, String(metadata.name), deleteOptions),
          )
        } catch (error) {
          if (!isStatusError(error, 'NotFound')) throw error
        }
      }
    } while (page.continue)
    return deleted
  }

  /**
   * Watches a kind with Kubernetes' semantics (projections/watch.ts). As an Observable; see
   * `watchIterator` for consumers that pull.
   */
  watch(kind: string, request: WatchRequest = {}): Observable<WatchEvent> {
    if (!this.projection) throw new StatusError('ServiceUnavailable', 'watches are not served by this API instance (no projection)')
    const definition = this.registry.resolve(kind)
    const { labels, fields } = parseSelectors(definition, request)
    if (request.fromRevision !== undefined && (!Number.isSafeInteger(request.fromRevision) || request.fromRevision < 0)) {
      throw errors.badRequest(`resourceVersion must be a non-negative integer, got ${request.fromRevision}`)
    }
    return watch(this.projection, this.store, {
      kind: definition.kind,
      apiVersion: apiVersionOf(definition),
      ...(definition.namespaced && request.namespace && { namespace: request.namespace }),
      matches: (object) => matches(definition, object, labels, fields),
      ...(request.fromRevision !== undefined && { fromRevision: request.fromRevision }),
      ...(request.bookmarkIntervalMs !== undefined && { bookmarkIntervalMs: request.bookmarkIntervalMs }),
    })
  }

  /**
   * A watch for consumers that pull: at most `bufferLimit` events wait; a consumer further behind
   * is cut off with a 410 that names the revision to resume from.
   */
  watchIterator(kind: string, request: WatchRequest = {}, bufferLimit = 1000): AsyncIterableIterator<WatchEvent> {
    return boundedIterator(this.watch(kind, request), bufferLimit, (last) => {
      const resume = last?.revision ?? request.fromRevision ?? this.projection!.revision
      return new StatusError('Gone', `the watch fell behind: more than ${bufferLimit} events were waiting; resume from revision ${resume}`)
    })
  }

  /** The /scale subresource: the workload's replicas as an autoscaling/v1 Scale. */
  async getScale(kind: string, namespace: string | undefined, name: string): Promise<JsonObject> {
    const target = this.target(kind, namespace, name)
    scaleDefinition(target.definition)
    return scaleOf(target.definition, await this.get(kind, namespace, name))
  }

  /** Sets the workload's replicas through /scale; returns the Scale. */
  async updateScale(
    ctx: RequestContext,
    kind: string,
    namespace: string | undefined,
    name: string,
    replicas: number,
    options: { resourceVersion?: string } = {},
  ): Promise<JsonObject> {
    const target = this.target(kind, namespace, name)
    return scaleOf(target.definition, await this.scale(ctx, kind, namespace, name, replicas, options))
  }

  /** Sets the workload's replicas; returns the object. With `resourceVersion` the write is conditional on it. */
  async scale(
    ctx: RequestContext,
    kind: string,
    namespace: string | undefined,
    name: string,
    replicas: number,
    options: { resourceVersion?: string } = {},
  ): Promise<JsonObject> {
    const target = this.target(kind, namespace, name)
    scaleDefinition(target.definition)
    return this.mutate(ctx, target, (current) => decideScale(target.definition, current, replicas), {
      expected: expectedRevision({ metadata: { resourceVersion: options.resourceVersion } }),
      meta: { verb: 'update', subresource: 'scale' },
    })
  }

  /**
   * The object a write would store, decoded against its kind's schema by the request's
   * fieldValidation (services/api/decode-write.ts); create, update, patch and apply all pass here.
   */
  decode(ctx: RequestContext, definition: KindDefinition, object: JsonObject): JsonObject {
    return decodeWrite(definition, object, ctx.fieldValidation ?? this.fieldValidation, ctx.warnings)
  }

  /** Reads and writes go through `mutate` with the stored object; exposed for patch, apply and scale. */
  async mutate(
    ctx: RequestContext,
    target: Target,
    decide: (current: JsonObject) => Decision,
    options: { expected?: number | undefined; meta?: Record<string, unknown> } = {},
  ): Promise<JsonObject> {
    const verb = options.meta?.verb === 'apply' ? 'patch' : String(options.meta?.verb ?? 'update')
    const subresource = options.meta?.subresource as string | undefined
    this.guard?.authorize(ctx, {
      verb,
      definition: target.definition,
      namespace: target.namespace,
      name: target.name,
      ...(subresource && { subresource }),
    })
    for (let attempt = 0; ; attempt++) {
      const current = await this.store.get({ kind: target.definition.kind, namespace: target.namespace, name: target.name })
      if (!current) throw this.notFound(target)
      const revision = Number(metadataOf(current).resourceVersion)
      if (options.expected !== undefined && options.expected !== revision) throw conflict(target.definition, target.name)
      let decision = decide(current)
      // A deletion only marks the object: it may go even when the object is too large today.
      if (decision.op === 'put' && decision.type !== 'DeletionRequested') checkSize(decision.object, this.objectBytes)
      const admitted = await admitChange(this, ctx, target, decision, current, options.meta?.subresource as string | undefined)
      // What the kind reserves elsewhere is kept, allocated and released (a Service's clusterIPs and nodePorts).
      const allocation = target.definition.allocation
      const reservation = await allocation
        ?.change(allocationHost(this, ctx, target.definition, decision.object), decision, current)
        .catch(admitted.failed)
      if (reservation) decision = reservation.decision
      if (decision.op === 'put' && (decision.type === 'Created' || decision.type === 'Updated'))
        this.guard?.admit(ctx, target.definition, decision.object)
      if (decision.op === 'none' || ctx.dryRun) return decision.object
      const [outcome] = await this.store.append([this.command(ctx, target, decision, { revision }, options.meta)])
      await reservation?.settle(outcome!.ok)
      await admitted.settle(outcome!.ok)
      if (outcome!.ok) return outcome!.event.object
      // Without a resourceVersion from the caller the write was unconditional: try again on the new state.
      const retry = options.expected === undefined && isStatusError(outcome!.error, 'Conflict') && attempt < 10
      if (!retry) throw isStatusError(outcome!.error, 'Conflict') ? conflict(target.definition, target.name) : outcome!.error
    }
  }

  /** Resolves `kind` (any of its names) and checks the namespace fits its scope. */
  target(kind: string, namespace: string | undefined, name: string): Target {
    const definition = this.registry.resolve(kind)
    if (!definition.namespaced) return { definition, namespace: '', name }
    if (!namespace) throw errors.badRequest(`a namespace is required for ${qualifiedResourceName(definition)}`)
    return { definition, namespace, name }
  }

  private targetOf(definition: KindDefinition, input: JsonObject, namespace: string | undefined): Target {
    const name = metadataOf(input).name
    if (typeof name !== 'string' || name === '') throw errors.badRequest('metadata.name is required')
    return { definition, namespace: this.namespaceFor(definition, input, namespace), name }
  }

  private namespaceFor(definition: KindDefinition, input: JsonObject, requested: string | undefined): string {
    if (!definition.namespaced) return ''
    const own = metadataOf(input).namespace
    if (typeof own === 'string' && own !== '' && requested && own !== requested) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request')
    }
    return (typeof own === 'string' && own !== '' ? own : requested) || 'default'
  }

  private command(
    ctx: RequestContext,
    target: Target,
    decision: Exclude<Decision, { op: 'none' }>,
    precondition: AppendCommand['precondition'],
    meta: Record<string, unknown> = {},
  ): AppendCommand {
    const base = {
      kind: target.definition.kind,
      namespace: target.namespace,
      name: target.name,
      resource: { resource: target.definition.resource, group: target.definition.group },
      // Every event carries a correlation id; a request without one gets its own.
      meta: eventMeta({ ...ctx, correlationId: ctx.correlationId ?? ctx.requestId ?? this.env.newUid() }, meta),
      ...(precondition && { precondition }),
    }
    return decision.op === 'delete' ? { ...base, op: 'delete' } : { ...base, op: 'put', type: decision.type, object: decision.object }
  }

  private notFound(target: Target): StatusError {
    return errors.notFound({ resource: target.definition.resource, group: target.definition.group }, target.name)
  }
}

export type PatchType = 'merge' | 'json' | 'strategic'

function applyPatch(type: PatchType, current: JsonObject, patch: unknown, definition: KindDefinition, objectBytes: number): unknown {
  switch (type) {
    case 'merge':
      return applyMergePatch(current, patch)
    case 'json':
      return applyJsonPatch(current, patch, { maxCopyBytes: 2 * objectBytes })
    case 'strategic':
      return applyStrategicMergePatch(current, patch, definition)
    default:
      throw errors.badRequest(`unsupported patch type "${String(type)}": use merge, json or strategic`)
  }
}

/** A body must be a JSON object of sane depth and size before anything looks inside it. */
function checkBody(body: unknown, maxBytes: number): JsonObject {
  if (!isObject(body)) throw errors.badRequest('the object must be a JSON object')
  if (deeperThan(body)) throw errors.badRequest(`the object nests deeper than ${MAX_DEPTH} levels`)
  checkSize(body, maxBytes)
  return body
}

/** metadata.resourceVersion of a write, if the caller sent one. */
function expectedRevision(input: JsonObject): number | undefined {
  const value = isObject(input.metadata) ? input.metadata.resourceVersion : undefined
  if (value === undefined || value === null || value === '') return undefined
  const revision = Number(value)
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw errors.badRequest(`metadata.resourceVersion: Invalid value: ${JSON.stringify(value)}: must be a valid resource version`)
  }
  return revision
}
