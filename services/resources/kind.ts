import type { Allocation } from './allocation.js'
import type { FieldError } from './field-errors.js'
import type { JsonObject } from '../json.js'
import type { PrinterColumn } from './printing/columns.js'
import type { NameRule } from './validation/names.js'

/** Where a kind's /scale subresource reads and writes (dotted paths into the object). */
export interface ScaleSubresource {
  specReplicas: string
  statusReplicas: string
  /** A metav1.LabelSelector in the object, reported as a string in Scale.status.selector. */
  selector: string
}

/**
 * One kind's strategy, as Kubernetes' apiserver has one per resource: its names, scope, schema,
 * defaults, validation and subresources, and every other fact about the kind — its admission
 * checks, deletion rules, allocation, sensitive fields, strategic merge keys, printer columns,
 * default roles and GraphQL type. The generic registry (services/api), the CLI and GraphQL do
 * everything else from these, so a new kind is one small file with one of these and a line in
 * services/resources/registry.ts (test/resources/kind-parts.test.ts checks that its parts agree).
 */
export interface KindDefinition {
  kind: string
  /** '' for the core group. */
  group: string
  /** Versions served, preferred first. */
  versions: readonly string[]
  /**
   * The OpenAPI definition of each served version that writes are decoded against: Kubernetes
   * 1.32's (services/resources/schema/kubernetes-1.32.definitions.json, which holds every kind
   * Kubernetes serves at a GA version) or revkube's own (revkube.definitions.json).
   */
  schema: Readonly<Record<string, string>>
  /** The plural resource name: `deployments`. */
  resource: string
  shortNames?: readonly string[]
  /** The categories discovery lists it in: `all` for what `kubectl get all` shows. */
  categories?: readonly string[]
  namespaced: boolean
  /** How metadata.name is validated. */
  nameRule: NameRule
  /**
   * The kind has a status subresource: writes to the object keep the stored status, status writes
   * keep everything else, and metadata.generation counts spec changes.
   */
  status?: boolean
  /** Also count changes of metadata.annotations in generation (Deployments copy them to ReplicaSets). */
  generationCountsAnnotations?: boolean
  scale?: ScaleSubresource
  /** Values of the fields field selectors may use besides metadata.name and metadata.namespace. */
  selectableFields?: (object: JsonObject) => Record<string, string>
  /** Kubernetes' defaults, applied to a fresh copy about to be stored (mutate it). */
  defaults?: (object: JsonObject) => void
  /** The status a new object starts with (Kubernetes resets what a create sends). @default {} */
  initialStatus?: (object: JsonObject) => JsonObject | undefined
  /** Keep the status a create sends (Nodes register with theirs). */
  keepStatusOnCreate?: boolean
  /** Validation of the whole object (metadata is validated generically). */
  validate?: (object: JsonObject) => FieldError[]
  /** Further checks on update against the stored object, e.g. immutable fields. */
  validateUpdate?: (object: JsonObject, old: JsonObject) => FieldError[]
  /**
   * Checks of the kind's own that read other objects, made in validating admission of a create or
   * update (Kubernetes keeps such rules in an admission plugin, as Priority's "only one default
   * PriorityClass"): why the write is refused (403 Forbidden), or undefined to admit it.
   */
  admit?: (write: AdmittedWrite, cluster: ClusterReader) => Promise<string | undefined>
  /** How a delete goes beyond metadata.finalizers: graceful deletion, the kind's own finalizers. */
  deletion?: DeletionRules
  /** What objects of the kind reserve elsewhere before they are stored (a Service's clusterIPs and node ports). */
  allocation?: Allocation
  /**
   * Fields that hold secret values (a Secret's data): the store seals them before they reach the
   * database and callers who may not read them see them redacted (services/secrets). In metadata
   * only annotations may be sensitive: names, labels and uids must stay readable.
   */
  sensitiveFields?: readonly FieldPath[]
  /**
   * The lists strategic merge patch merges instead of replacing (kinds/merge-keys.ts has the shared
   * pieces: pod templates, status conditions). ObjectMeta's lists merge for every kind; any other
   * list the kind does not name is replaced, as in a JSON merge patch.
   */
  mergeKeys?: MergeKeys
  /**
   * The columns of its table, as kube-apiserver's printers declare them (the Name column first,
   * with format `name`, unless the kind leaves it out as Events do). @default [Name, Age]
   */
  printerColumns?: readonly PrinterColumn[]
  /**
   * What Kubernetes' default aggregated ClusterRoles grant on the kind (kinds/roles.ts has the
   * usual grants). Without it only cluster-admin may use it, as for Nodes.
   */
  roles?: readonly RoleGrant[]
  /**
   * The name of its typed GraphQL object type, for kinds people follow relations between
   * (graphql/kinds.graphql.ts declares the type's fields); its query is the name in lowerCamelCase,
   * `replicaSet(namespace, name, at)`. Objects of other kinds are `GenericObject`s.
   */
  graphqlType?: string
}

/**
 * One grant of a default aggregated ClusterRole. The roles nest as in Kubernetes' bootstrap
 * policy: edit has every grant of view, admin every grant of edit.
 */
export interface RoleGrant {
  role: 'view' | 'edit' | 'admin'
  verbs: readonly string[]
  /** '' for the resource itself, else a subresource: `status`, `scale`, `log`. @default [''] */
  subresources?: readonly string[]
}

/** What strategic merge patch knows about a kind's lists: the `patchStrategy` and `patchMergeKey` tags of its Go types. */
export interface MergeKeys {
  /** Lists of objects merged by a key, by dotted path with array indexes dropped: `spec.template.spec.containers` → `name`. */
  lists?: Readonly<Record<string, string>>
  /** Lists of scalars with `patchStrategy:"merge"`: a patch adds to the set instead of replacing it. */
  sets?: readonly string[]
}

/** A field as the keys leading to it, e.g. `['metadata', 'annotations', 'example.com/token']`. */
export type FieldPath = readonly string[]

/** A create or update as a kind's admission sees it. */
export interface AdmittedWrite {
  operation: 'CREATE' | 'UPDATE'
  /** The object to store. */
  object: JsonObject
  /** The stored object, for an UPDATE. */
  old?: JsonObject
}

/** What a kind's admission may read: the objects of a kind in a namespace ('' for cluster-scoped kinds). */
export interface ClusterReader {
  list(kind: string, namespace: string): Promise<JsonObject[]>
}

/**
 * A kind's part in deletion (Kubernetes' `RESTGracefulDeleteStrategy`, and the namespace
 * registry's own Delete). Without rules an object goes at once unless metadata.finalizers hold it.
 */
export interface DeletionRules {
  /**
   * Seconds the object stays, marked for deletion, before it may go: a Pod bound to a node until
   * its kubelet has stopped it. `requested` is DeleteOptions.gracePeriodSeconds. @default 0
   */
  gracePeriodSeconds?: (object: JsonObject, requested: number | undefined) => number
  /** Whether something besides metadata.finalizers holds the object back (a Namespace's spec.finalizers). */
  finalizing?: (object: JsonObject) => boolean
  /** Changes the stored copy when its deletion starts (a Namespace's phase becomes Terminating). */
  markDeleting?: (object: JsonObject) => void
}

export function apiVersionOf(definition: KindDefinition, version = definition.versions[0]!): string {
  return definition.group ? `${definition.group}/${version}` : version
}

/** `deployments.apps`, `pods`: how messages name a resource. */
export function qualifiedResourceName(definition: KindDefinition): string {
  return definition.group ? `${definition.resource}.${definition.group}` : definition.resource
}
