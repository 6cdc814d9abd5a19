import type { KindDefinition } from '../resources/kind.js'
import type { KindRegistry } from '../resources/registry.js'
import { REVIEW_GROUP, REVIEW_RESOURCES } from './access-reviews.js'
import { POD_SUBRESOURCES } from './pod-subresources.js'

/**
 * Kubernetes' discovery documents for the kinds of a registry: the legacy ones (`APIVersions` for
 * `/api`, `APIGroupList` for `/apis`, an `APIResourceList` per group version) and the aggregated
 * `apidiscovery.k8s.io/v2` list clients ask for first (kubectl 1.32 does). Pure.
 */

/** What kube-apiserver 1.32 reports at /version; kubectl compares its own version with `minor`. */
export const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+revkube',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'revkube (Node.js)',
  compiler: 'node',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
}

/** The verbs of every collection revkube serves: all of Kubernetes' (one generic write path serves them all). */
const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
const SUBRESOURCE_VERBS = ['get', 'patch', 'update']

/** The media type of the aggregated discovery document, which the client checks before it reads it. */
export const AGGREGATED_DISCOVERY = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'

interface GroupVersions {
  group: string
  /** Preferred first. */
  versions: string[]
  kinds: KindDefinition[]
}

/** The registry's groups, core first and then by name, each with its versions, preferred first. */
function groupsOf(registry: KindRegistry): GroupVersions[] {
  const groups = new Map<string, GroupVersions>()
  for (const kind of registry.kinds) {
    let entry = groups.get(kind.group)
    if (!entry) groups.set(kind.group, (entry = { group: kind.group, versions: [], kinds: [] }))
    for (const version of kind.versions) if (!entry.versions.includes(version)) entry.versions.push(version)
    entry.kinds.push(kind)
  }
  if (!groups.has(REVIEW_GROUP)) groups.set(REVIEW_GROUP, { group: REVIEW_GROUP, versions: ['v1'], kinds: [] })
  return [...groups.values()].sort((a, b) => (a.group === '' ? -1 : b.group === '' ? 1 : a.group.localeCompare(b.group)))
}

/** The access reviews: served, never stored, create only. */
const reviews = (group: string, version: string) =>
  group === REVIEW_GROUP && version === 'v1'
    ? REVIEW_RESOURCES.map((r) => ({ ...r, singular: r.kind.toLowerCase(), verbs: ['create'] }))
    : []

const groupVersion = (group: string, version: string) => (group ? `${group}/${version}` : version)

/** `/api`: the core group's versions. */
export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] }
}

function apiGroup({ group, versions }: GroupVersions) {
  const listed = versions.map((version) => ({ groupVersion: groupVersion(group, version), version }))
  return { name: group, versions: listed, preferredVersion: listed[0] }
}

/** `/apis`: every named group. */
export function apiGroupList(registry: KindRegistry) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupsOf(registry)
      .filter((g) => g.group !== '')
      .map(apiGroup),
  }
}

/** `/apis/{group}`, or undefined for a group not served. */
export function apiGroupOf(registry: KindRegistry, group: string) {
  const found = groupsOf(registry).find((g) => g.group === group && group !== '')
  return found && { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(found) }
}

/** `/api/v1`, `/apis/{group}/{version}`: the resources and subresources of one group version; undefined when not served. */
export function apiResourceList(registry: KindRegistry, group: string, version: string) {
  const kinds = registry.kinds.filter((k) => k.group === group && k.versions.includes(version))
  if (kinds.length === 0 && reviews(group, version).length === 0) return undefined
  const virtual = reviews(group, version).map((r) => ({
    name: r.resource,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
  }))
  const resources = kinds.flatMap((k) => [
    {
      name: k.resource,
      singularName: k.kind.toLowerCase(),
      namespaced: k.namespaced,
      kind: k.kind,
      verbs: VERBS,
      ...(k.shortNames?.length && { shortNames: k.shortNames }),
      ...(k.categories?.length && { categories: k.categories }),
    },
    ...subresourcesOf(k, version).map((sub) => ({
      name: `${k.resource}/${sub.subresource}`,
      singularName: '',
      namespaced: k.namespaced,
      // Both named when either differs from the listing's (kubectl drain looks for pods/eviction's group and version).
      ...((sub.responseKind.group !== k.group || sub.responseKind.version !== version) && {
        group: sub.responseKind.group,
        version: sub.responseKind.version,
      }),
      kind: sub.responseKind.kind,
      verbs: sub.verbs,
    })),
  ])
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources: [...resources, ...virtual] }
}

function subresourcesOf(k: KindDefinition, version: string) {
  return [
    ...(k.status ? [{ subresource: 'status', responseKind: { group: k.group, version, kind: k.kind }, verbs: SUBRESOURCE_VERBS }] : []),
    ...(k.scale
      ? [{ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: SUBRESOURCE_VERBS }]
      : []),
    ...(k.group === '' && k.kind === 'Pod' ? POD_SUBRESOURCES : []),
  ]
}

/** The aggregated discovery document: the core group for `/api`, every other group for `/apis`. */
export function aggregatedDiscovery(registry: KindRegistry, core: boolean) {
  const items = groupsOf(registry)
    .filter((g) => (g.group === '') === core)
    .map(({ group, versions, kinds }) => ({
      metadata: { name: group, creationTimestamp: null },
      versions: versions.map((version) => ({
        version,
        freshness: 'Current',
        resources: [
          ...kinds
            .filter((k) => k.versions.includes(version))
            .map((k) => ({
              resource: k.resource,
              responseKind: { group: k.group, version, kind: k.kind },
              scope: k.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: k.kind.toLowerCase(),
              verbs: VERBS,
              ...(k.shortNames?.length && { shortNames: k.shortNames }),
              ...(k.categories?.length && { categories: k.categories }),
              subresources: subresourcesOf(k, version),
            })),
          ...reviews(group, version).map((r) => ({
            resource: r.resource,
            responseKind: { group, version, kind: r.kind },
            scope: r.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: r.singular,
            verbs: r.verbs,
            subresources: [],
          })),
        ],
      })),
    }))
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items }
}
