import type { IncomingMessage, ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
import { certificateOf } from '../auth/certificates.js'
import type { RequestContext } from '../api/context.js'
import type { PatchType, ResourceApi } from '../api/resource-api.js'
import type { Rejection } from '../audit/rejections.js'
import { type Security, WWW_AUTHENTICATE } from '../auth/security.js'
import { StatusError, errors } from '../errors.js'
import { isObject, type JsonObject } from '../json.js'
import type { Logger } from '../log.js'
import { apiVersionOf } from '../resources/kind.js'
import { aggregatedDiscovery, apiGroupList, apiGroupOf, apiResourceList, apiVersions, VERSION } from './discovery.js'
import { contentTypeOf, negotiate } from './media-types.js'
import { readJsonBody, readObjectBody } from './request-body.js'
import { applyQuery, checkName, deleteOptions, includeObject, integer, scaledReplicas, truthy } from './request-options.js'
import { headersOf, hostOf, methodNotAllowed, send, sendJson } from './responses.js'
import { notFound, parseRestPath, type ResourcePath } from './request-path.js'
import { readAt, type ReadAt } from './read-at.js'
import { toTable } from './table.js'
import { openApiDocuments } from './openapi.js'
import { review } from './access-reviews.js'
import { isPodSubresource, servePodSubresource } from './pod-subresources.js'
import { serveWatch } from './watch-stream.js'

export interface RestServices {
  api: ResourceApi
  security: Security
  /** Records a refused request for audit; never throws. */
  reject(rejection: Rejection): void
  log: Logger
  /** The largest request body read, in bytes. */
  requestBytes: number
  /** How long a watch lasts when the client names no timeoutSeconds (Kubernetes' --min-request-timeout). */
  minRequestTimeoutMs: number
  /**
   * A place among the requests in flight (shared with GraphQL, as kube-apiserver's
   * --max-requests-inflight and --max-mutating-requests-inflight): the function that gives it back,
   * or undefined when the pool is full. Watches are long-running and take none.
   */
  acquire(pool: 'reads' | 'mutations'): (() => void) | undefined
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/strategic-merge-patch+json': 'strategic',
}

/**
 * Kubernetes' REST API (the paths kubectl, client-go and every Kubernetes client use) over the
 * same resource API as GraphQL: one write path, the same authentication, RBAC, admission and
 * audit. Discovery, every kind's collection and item paths, the status and scale subresources,
 * the Table format, watches, and reads at any past revision. `handle` answers a request whose path
 * is the API's (`/version`, `/api…`, `/apis…`) and says whether it was one.
 */
export function createRestApi(services: RestServices) {
  const { api, security } = services
  let openApi: ReturnType<typeof openApiDocuments> | undefined

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const requestId = (req.headers['x-request-id'] as string | undefined) || randomUUID()
    // /version is public, as kube-apiserver's (system:public-info-viewer); everything else is
    // authenticated before its path is even read, so a stranger learns nothing of what is served.
    if (path === '/version' || path === '/version/') return (sendJson(res, 200, VERSION), true)
    let ctx: RequestContext
    try {
      ctx = requestContext(req, requestId)
    } catch (error) {
      refused(req, res, path, error, requestId)
      return true
    }
    let target: ReturnType<typeof parseRestPath>
    try {
      target = parseRestPath(path, api.registry)
    } catch (error) {
      return (fail(res, error, requestId), true)
    }
    if (!target) return false
    const watching = req.method === 'GET' && target.type === 'resource' && /[?&]watch=(true|1)(&|$)/.test(req.url ?? '')
    const release = watching ? () => undefined : services.acquire(req.method === 'GET' ? 'reads' : 'mutations')
    if (!release) {
      res.setHeader('retry-after', '1')
      sendJson(res, 429, new StatusError('TooManyRequests', 'too many requests, please try again later').toStatus())
      return true
    }
    // The place is held until the answer has been sent, as kube-apiserver holds it.
    res.once('close', release)
    try {
      await serve(req, res, target, ctx)
    } catch (error) {
      // Refused for who the caller is or what it sent (403, 422) is audited, as on GraphQL.
      if (error instanceof StatusError && (error.code === 403 || error.code === 422)) {
        services.reject({
          status: error.code,
          reason: error.reason,
          message: error.message,
          operation: `${req.method} ${path}`,
          requestId,
          user: ctx.actor,
          groups: ctx.groups,
          sourceAddress: req.socket.remoteAddress,
          userAgent: req.headers['user-agent'],
        })
      }
      fail(res, error, requestId)
    }
    return true
  }

  function requestContext(req: IncomingMessage, requestId: string): RequestContext {
    const user = security.identify(headersOf(req), undefined, certificateOf(req))
    const client = {
      ...(req.socket.remoteAddress && { sourceAddress: req.socket.remoteAddress }),
      ...(req.headers['user-agent'] && { userAgent: req.headers['user-agent'] }),
    }
    if (security.mode === 'none') return { actor: user.name, requestId, ...client }
    return { actor: user.name, groups: user.groups, user, requestId, ...client }
  }

  function refused(req: IncomingMessage, res: ServerResponse, path: string, error: unknown, requestId: string) {
    const status = error instanceof StatusError ? error : new StatusError('Unauthorized', 'Unauthorized')
    services.reject({
      status: status.code,
      reason: status.reason,
      message: status.message,
      operation: `${req.method} ${path}`,
      requestId,
      sourceAddress: req.socket.remoteAddress,
      userAgent: req.headers['user-agent'],
    })
    if (status.code === 401) res.setHeader('www-authenticate', WWW_AUTHENTICATE)
    sendJson(res, status.code, status.toStatus())
  }

  function fail(res: ServerResponse, error: unknown, requestId: string) {
    const status = error instanceof StatusError ? error : undefined
    if (!status) services.log.error('REST request failed', { requestId, error })
    const body = status?.toStatus() ?? new StatusError('InternalError', `Internal error occurred: request ${requestId} failed`).toStatus()
    if (res.headersSent) return void res.end()
    if (status?.details.retryAfterSeconds) res.setHeader('retry-after', String(status.details.retryAfterSeconds))
    sendJson(res, body.code, body)
  }

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    target: NonNullable<ReturnType<typeof parseRestPath>>,
    ctx: RequestContext,
  ) {
    const accept = req.headers.accept
    switch (target.type) {
      case 'groups': {
        if (req.method !== 'GET') throw methodNotAllowed(req)
        const representation = negotiate(accept, { discovery: true })
        if (representation.as === 'discovery')
          return send(res, 200, aggregatedDiscovery(api.registry, target.core), contentTypeOf(representation))
        return sendJson(res, 200, target.core ? apiVersions(hostOf(req)) : apiGroupList(api.registry))
      }
      case 'openapi': {
        openApi ??= openApiDocuments(api.registry)
        const body = target.document === undefined ? openApi.root : openApi.get(target.document)
        if (body === undefined) throw notFound()
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' })
        return void res.end(body)
      }
      case 'group': {
        const group = apiGroupOf(api.registry, target.group)
        if (!group) throw notFound()
        return sendJson(res, 200, group)
      }
      case 'resources': {
        const list = apiResourceList(api.registry, target.group, target.version)
        if (!list) throw notFound()
        return sendJson(res, 200, list)
      }
      case 'resource':
        return serveResource(req, res, target, ctx)
      case 'review': {
        if (req.method !== 'POST') throw methodNotAllowed(req)
        const body = await readObjectBody(req, services.requestBytes)
        return sendJson(res, 201, review(target.resource, body, ctx.user, security, api.projection!.state, target.namespace))
      }
    }
  }

  async function serveResource(req: IncomingMessage, res: ServerResponse, target: ResourcePath, ctx: RequestContext) {
    const { definition, namespace, name, subresource } = target
    const url = new URL(req.url ?? '/', 'http://localhost')
    const query = url.searchParams
    const kind = definition.kind
    applyQuery(ctx, query)
    const authorize = (verb: string) => {
      if (!ctx.user) return
      security.authorize({
        user: ctx.user,
        verb,
        apiGroup: definition.group,
        resource: definition.resource,
        ...(subresource && { subresource }),
        ...(namespace !== undefined && { namespace }),
        ...(name !== undefined && { name }),
      })
    }
    if (
      definition.kind === 'Pod' &&
      namespace !== undefined &&
      name !== undefined &&
      subresource !== undefined &&
      isPodSubresource(subresource)
    ) {
      authorize(req.method === 'GET' ? 'get' : 'create')
      const answer = await servePodSubresource(api, ctx, req.method ?? '', { namespace, name, subresource }, () =>
        readObjectBody(req, services.requestBytes),
      )
      return sendJson(res, answer.code, answer.body)
    }
    if (subresource !== undefined && subresource !== 'status' && !(subresource === 'scale' && definition.scale)) {
      throw notFound()
    }
    if (name === undefined) {
      if (subresource !== undefined) throw notFound()
      switch (req.method) {
        case 'GET': {
          const selectors = {
            ...(query.get('labelSelector') && { labelSelector: query.get('labelSelector')! }),
            ...(query.get('fieldSelector') && { fieldSelector: query.get('fieldSelector')! }),
          }
          if (truthy(query.get('watch'))) {
            authorize('watch')
            return serveWatch(req, res, {
              api,
              definition,
              version: target.version,
              request: { ...(namespace !== undefined && { namespace }), ...selectors },
              query,
              minRequestTimeoutMs: services.minRequestTimeoutMs,
            })
          }
          authorize('list')
          const at = await readAt(api, query, 'list')
          const limit = query.get('limit')
          const page = await api.list(kind, {
            ...(namespace !== undefined && { namespace }),
            ...selectors,
            ...(at.revision !== undefined && { at: at.revision }),
            ...(limit && integer('limit', limit) > 0 && { limit: integer('limit', limit) }),
            ...(query.get('continue') && { continue: query.get('continue')! }),
          })
          const representation = negotiate(req.headers.accept, { table: true })
          const resourceVersion = String(page.revision)
          if (representation.as === 'table') {
            const table = toTable(definition, page.items, {
              version: representation.version,
              include: includeObject(query),
              now: new Date(),
              resourceVersion,
              ...(page.continue && { continue: page.continue }),
            })
            return send(res, 200, table, contentTypeOf(representation), ctx)
          }
          const listed = {
            kind: `${kind}List`,
            apiVersion: apiVersionOf(definition, target.version),
            metadata: { resourceVersion, ...(page.continue && { continue: page.continue }) },
            items: page.items,
          }
          return send(res, 200, listed, 'application/json', ctx)
        }
        case 'POST': {
          if (definition.namespaced && namespace === undefined) throw methodNotAllowed(req)
          const body = await objectBody(req, target)
          const created = await api.create(ctx, body, { ...(namespace !== undefined && { namespace }) })
          return send(res, ctx.dryRun ? 200 : 201, created, 'application/json', ctx)
        }
        case 'DELETE': {
          if (definition.namespaced && namespace === undefined) throw methodNotAllowed(req)
          const options = await deleteOptions(req, query, services.requestBytes)
          const deleted = await api.deleteCollection(
            ctx,
            kind,
            {
              ...(namespace !== undefined && { namespace }),
              ...(query.get('labelSelector') && { labelSelector: query.get('labelSelector')! }),
              ...(query.get('fieldSelector') && { fieldSelector: query.get('fieldSelector')! }),
            },
            options,
          )
          const listed = { kind: `${kind}List`, apiVersion: apiVersionOf(definition, target.version), metadata: {}, items: deleted }
          return send(res, 200, listed, 'application/json', ctx)
        }
        default:
          throw methodNotAllowed(req)
      }
    }

    const key = { ...(namespace !== undefined && { namespace }) }
    switch (req.method) {
      case 'GET': {
        authorize('get')
        const at: ReadAt = await readAt(api, query, 'get')
        if (subresource === 'scale') return send(res, 200, await api.getScale(kind, namespace, name), 'application/json', ctx)
        const object = await api.get(kind, namespace, name, { ...(at.revision !== undefined && { at: at.revision }) })
        const representation = negotiate(req.headers.accept, { table: true })
        if (representation.as === 'table') {
          const table = toTable(definition, [object], {
            version: representation.version,
            include: includeObject(query),
            now: new Date(),
            resourceVersion: String((object.metadata as JsonObject | undefined)?.resourceVersion ?? ''),
          })
          return send(res, 200, table, contentTypeOf(representation), ctx)
        }
        return send(res, 200, object, 'application/json', ctx)
      }
      case 'PUT': {
        const body = await objectBody(req, target)
        if (subresource === 'scale') {
          const replicas = (body.spec as JsonObject | undefined)?.replicas
          if (typeof replicas !== 'number') throw errors.badRequest('a Scale needs spec.replicas, a number')
          const resourceVersion = (body.metadata as JsonObject | undefined)?.resourceVersion
          const scale = await api.updateScale(ctx, kind, namespace, name, replicas, {
            ...(typeof resourceVersion === 'string' && resourceVersion && { resourceVersion }),
          })
          return send(res, 200, scale, 'application/json', ctx)
        }
        checkName(body, name)
        const written = subresource === 'status' ? await api.updateStatus(ctx, body, key) : await api.update(ctx, body, key)
        return send(res, 200, written, 'application/json', ctx)
      }
      case 'PATCH': {
        const contentType = String(req.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim()
          .toLowerCase()
        const patchType = PATCH_TYPES[contentType]
        if (!patchType) {
          const message =
            contentType === 'application/apply-patch+yaml'
              ? 'server-side apply (application/apply-patch+yaml) is not served yet: use client-side kubectl apply (without --server-side)'
              : `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(', ')}`
          throw new StatusError('UnsupportedMediaType', message)
        }
        const patch = await readJsonBody(req, services.requestBytes)
        if (subresource === 'scale') {
          const scale = await api.getScale(kind, namespace, name)
          const replicas = scaledReplicas(patchType, scale, patch)
          return send(res, 200, await api.updateScale(ctx, kind, namespace, name, replicas), 'application/json', ctx)
        }
        const patched = await api.patch(ctx, kind, namespace, name, patch, patchType, {
          ...(subresource === 'status' && { subresource: 'status' }),
        })
        return send(res, 200, patched, 'application/json', ctx)
      }
      case 'DELETE': {
        if (subresource !== undefined) throw methodNotAllowed(req)
        const deleted = await api.delete(ctx, kind, namespace, name, await deleteOptions(req, query, services.requestBytes))
        return send(res, 200, deleted, 'application/json', ctx)
      }
      default:
        throw methodNotAllowed(req)
    }
  }

  /** The object a POST or PUT sends, its apiVersion and kind taken from the path when it has none, as Kubernetes' decoder does. */
  async function objectBody(req: IncomingMessage, target?: ResourcePath): Promise<JsonObject> {
    const body = await readJsonBody(req, services.requestBytes)
    if (!isObject(body)) throw errors.badRequest('the request body must be a JSON object')
    if (!target || target.subresource === 'scale') return body
    const apiVersion = apiVersionOf(target.definition, target.version)
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
      throw errors.badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersion})`,
      )
    }
    if (body.kind !== undefined && body.kind !== target.definition.kind) {
      throw errors.badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${target.definition.kind})`)
    }
    return { apiVersion, kind: target.definition.kind, ...body }
  }

  return { handle }
}

export type RestApi = ReturnType<typeof createRestApi>
