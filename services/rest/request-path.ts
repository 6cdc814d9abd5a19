import { StatusError } from '../errors.js'
import type { KindDefinition } from '../resources/kind.js'
import type { KindRegistry } from '../resources/registry.js'
import { REVIEW_GROUP, REVIEW_RESOURCES, type ReviewResource } from './access-reviews.js'

/** A path of Kubernetes' REST API, as kube-apiserver's RequestInfo reads it. */
export type RestPath =
  | { type: 'version' }
  /** `/openapi/v3` (the root) or `/openapi/v3/{api/v1 | apis/group/version}`; `/openapi/v2` is not served. */
  | { type: 'openapi'; document?: string }
  /** `/api` (the core group's versions) or `/apis` (every other group). */
  | { type: 'groups'; core: boolean }
  /** `/apis/{group}`: one group's versions. */
  | { type: 'group'; group: string }
  /** `/api/v1`, `/apis/{group}/{version}`: the resources of one group version. */
  | { type: 'resources'; group: string; version: string }
  | ResourcePath
  /** An access review (authorization.k8s.io/v1): answered, never stored. */
  | { type: 'review'; resource: ReviewResource; namespace?: string }

export interface ResourcePath {
  type: 'resource'
  definition: KindDefinition
  version: string
  /** The namespace in the path; undefined for cluster-scoped kinds and for every namespace. */
  namespace?: string
  /** Absent for a collection. */
  name?: string
  subresource?: string
}

/** Whether `path` is one of Kubernetes' API paths (which the REST API answers, or refuses as Kubernetes would). */
export function isRestPath(path: string): boolean {
  return path === '/version' || path === '/version/' || /^\/(apis?|openapi)(\/|$)/.test(path)
}

/** Subresources of a namespace: `/api/v1/namespaces/{name}/status` is the namespace's, not a resource in it. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize'])

/** The REST path `path` names, or undefined when it is not one of the API's. Unknown resources are NotFound. */
export function parseRestPath(path: string, registry: KindRegistry): RestPath | undefined {
  if (path === '/version' || path === '/version/') return { type: 'version' }
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodeSegment)
  if (parts[0] === 'openapi') {
    if (parts[1] !== 'v3') throw notFound()
    return parts.length === 2 ? { type: 'openapi' } : { type: 'openapi', document: parts.slice(2).join('/') }
  }
  if (parts[0] === 'api') {
    if (parts.length === 1) return { type: 'groups', core: true }
    return resourcePath('', parts[1]!, parts.slice(2), registry)
  }
  if (parts[0] === 'apis') {
    if (parts.length === 1) return { type: 'groups', core: false }
    if (parts.length === 2) return { type: 'group', group: parts[1]! }
    return resourcePath(parts[1]!, parts[2]!, parts.slice(3), registry)
  }
  return undefined
}

function resourcePath(group: string, version: string, rest: string[], registry: KindRegistry): RestPath {
  if (rest.length === 0) return { type: 'resources', group, version }
  let namespace: string | undefined
  if (rest[0] === 'namespaces' && rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) {
    namespace = rest[1]!
    rest = rest.slice(2)
  }
  const [resource, name, subresource, ...more] = rest as [string, string?, string?, ...string[]]
  const reviewed = group === REVIEW_GROUP && version === 'v1' ? REVIEW_RESOURCES.find((r) => r.resource === resource) : undefined
  if (reviewed) {
    if (name !== undefined || reviewed.namespaced !== (namespace !== undefined)) throw notFound()
    return { type: 'review', resource: reviewed.resource, ...(namespace !== undefined && { namespace }) }
  }
  const definition = registry.kinds.find((k) => k.group === group && k.resource === resource && k.versions.includes(version))
  if (!definition || more.length > 0 || (namespace !== undefined && !definition.namespaced)) throw notFound()
  return {
    type: 'resource',
    definition,
    version,
    ...(namespace !== undefined && { namespace }),
    ...(name !== undefined && { name }),
    ...(subresource !== undefined && { subresource }),
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new StatusError('BadRequest', `the path segment "${segment.slice(0, 100)}" is not valid percent-encoding`)
  }
}

/** kube-apiserver's answer for a path it does not serve. */
export const notFound = () => new StatusError('NotFound', 'the server could not find the requested resource')
