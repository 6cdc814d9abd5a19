import type { IncomingMessage } from 'node:http'
import type { RequestContext } from '../api/context.js'
import type { DeleteOptions } from '../api/decide.js'
import type { PatchType } from '../api/resource-api.js'
import { errors } from '../errors.js'
import { isObject, type JsonObject } from '../json.js'
import type { FieldValidation } from '../resources/schema/decode.js'
import { readObjectBody } from './request-body.js'
import { includeObjectOf } from './table.js'

/** What a REST request asks for beyond its path: query parameters, delete options, a Scale's replicas. */

/** dryRun, fieldValidation and fieldManager, as Kubernetes reads them from the query. */
export function applyQuery(ctx: RequestContext, query: URLSearchParams): void {
  const dryRun = query.getAll('dryRun')
  if (dryRun.length > 0) {
    if (dryRun.some((d) => d !== 'All'))
      throw errors.badRequest(`dryRun: Unsupported value: "${dryRun.find((d) => d !== 'All')}": supported values: "All"`)
    ctx.dryRun = true
  }
  const validation = query.get('fieldValidation')
  if (validation !== null && validation !== '') {
    if (validation !== 'Strict' && validation !== 'Warn' && validation !== 'Ignore') {
      throw errors.badRequest(`fieldValidation: invalid value "${validation}": must be one of Ignore, Warn, Strict`)
    }
    ctx.fieldValidation = validation as FieldValidation
  }
  const manager = query.get('fieldManager')
  if (manager) ctx.meta = { ...ctx.meta, fieldManager: manager }
  ctx.warnings = []
}

export function includeObject(query: URLSearchParams) {
  try {
    return includeObjectOf(query.get('includeObject'))
  } catch (error) {
    throw errors.badRequest((error as Error).message)
  }
}

export function scaledReplicas(type: PatchType, scale: JsonObject, patch: unknown): number {
  // A Scale is small: its patched form is read straight off the patch for merge and strategic patches.
  const spec = isObject(patch) && isObject(patch.spec) ? patch.spec : undefined
  if (type !== 'json' && typeof spec?.replicas === 'number') return spec.replicas
  if (type === 'json' && Array.isArray(patch)) {
    const op = patch.find((o) => isObject(o) && o.path === '/spec/replicas' && (o.op === 'replace' || o.op === 'add'))
    if (isObject(op) && typeof op.value === 'number') return op.value
  }
  const current = (scale.spec as JsonObject | undefined)?.replicas
  if (typeof current === 'number') return current
  throw errors.badRequest('the patch must set spec.replicas to a number')
}

export function checkName(body: JsonObject, name: string): void {
  const given = (body.metadata as JsonObject | undefined)?.name
  if (given !== undefined && given !== name) {
    throw errors.badRequest(`the name of the object (${String(given)}) does not match the name on the URL (${name})`)
  }
}

export function integer(parameter: string, value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw errors.badRequest(`${parameter} must be an integer, got "${value}"`)
  return n
}

export const truthy = (value: string | null) => value === 'true' || value === '1'

/** DeleteOptions from the body (JSON, or protobuf from typed clients) and the query, as Kubernetes reads them. */
export async function deleteOptions(req: IncomingMessage, query: URLSearchParams, maxBytes: number): Promise<DeleteOptions> {
  const body =
    Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] ? await readObjectBody(req, maxBytes) : undefined
  const options: DeleteOptions = {}
  const from = isObject(body) ? body : {}
  const policy = query.get('propagationPolicy') ?? from.propagationPolicy
  if (typeof policy === 'string') options.propagationPolicy = policy
  else if (from.orphanDependents === true || query.get('orphanDependents') === 'true') options.propagationPolicy = 'Orphan'
  const grace = query.get('gracePeriodSeconds') ?? from.gracePeriodSeconds
  if (grace !== undefined && grace !== null) options.gracePeriodSeconds = integer('gracePeriodSeconds', String(grace))
  if (isObject(from.preconditions)) {
    const { uid, resourceVersion } = from.preconditions
    options.preconditions = {
      ...(typeof uid === 'string' && { uid }),
      ...(typeof resourceVersion === 'string' && { resourceVersion }),
    }
  }
  return options
}
