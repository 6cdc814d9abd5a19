/**
 * What strategic merge patch knows about the built-in kinds: the `patchStrategy:"merge"` and
 * `patchMergeKey` tags of k8s.io/api's Go types, flattened to dotted paths with array indexes
 * dropped (`spec.template.spec.containers.env` is the env of every container of a Deployment's
 * pod template). Lists found nowhere here are replaced wholesale, as in a JSON merge patch.
 */

/** Lists of objects in a PodSpec that merge by key. Tolerations and readinessGates do not. */
const podSpecLists: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  schedulingGates: 'name',
}

/** Lists of objects in a Container (and EphemeralContainer). envFrom has no merge key. */
const containerLists: Record<string, string> = {
  env: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
}

/** Where each built-in kind keeps a pod template: its `metadata` and `spec` sit under the prefix. */
const podTemplates: Record<string, string> = {
  Pod: '',
  PodTemplate: 'template',
  ReplicationController: 'spec.template',
  ReplicaSet: 'spec.template',
  Deployment: 'spec.template',
  StatefulSet: 'spec.template',
  DaemonSet: 'spec.template',
  Job: 'spec.template',
  CronJob: 'spec.jobTemplate.spec.template',
}

/** Merge-keyed lists at fixed paths: ObjectMeta's, status conditions, and a few kinds' own. */
const fixedLists: Record<string, string> = {
  'metadata.ownerReferences': 'uid',
  'status.conditions': 'type',
  'spec.ports': 'port', // Service
  'status.addresses': 'type', // Node
  'status.podIPs': 'ip', // Pod
  'status.hostIPs': 'ip', // Pod
}

const join = (prefix: string, path: string) => (prefix === '' ? path : `${prefix}.${path}`)

function podTemplateEntries(prefix: string): [string, string][] {
  const spec = join(prefix, 'spec')
  const containerEntries = ['containers', 'initContainers', 'ephemeralContainers'].flatMap((containers) =>
    Object.entries(containerLists).map(([list, key]): [string, string] => [join(spec, `${containers}.${list}`), key]),
  )
  return [
    [join(prefix, 'metadata.ownerReferences'), 'uid'],
    ...Object.entries(podSpecLists).map(([list, key]): [string, string] => [join(spec, list), key]),
    ...containerEntries,
  ]
}

/**
 * Lists merged by key instead of replaced, keyed by path pattern (array indexes dropped), e.g.
 * `spec.template.spec.containers` → `name`: the union over the built-in kinds. A pod template
 * path applies to the kinds whose template sits there, the others to every built-in kind, and
 * `metadata.*` entries to every kind at all, since every object has the same ObjectMeta.
 */
export const mergeKeys: Record<string, string> = Object.fromEntries([
  ...Object.entries(fixedLists),
  ...Object.values(podTemplates).flatMap(podTemplateEntries),
])

/** Lists of scalars with `patchStrategy:"merge"`: a patch adds to the set instead of replacing it. */
export const mergedScalarLists: ReadonlySet<string> = new Set([
  'metadata.finalizers',
  'spec.podCIDRs', // Node
  ...Object.values(podTemplates)
    .filter((prefix) => prefix !== '')
    .map((prefix) => `${prefix}.metadata.finalizers`),
])

/** The kinds whose schema the tables above describe. */
export const builtInKinds: ReadonlySet<string> = new Set([
  ...Object.keys(podTemplates),
  ...['Service', 'Endpoints', 'EndpointSlice', 'Node', 'Namespace', 'ConfigMap', 'Secret', 'ServiceAccount'],
  ...['PersistentVolume', 'PersistentVolumeClaim', 'Event', 'LimitRange', 'ResourceQuota', 'Lease'],
  ...['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Ingress', 'NetworkPolicy', 'PriorityClass'],
  ...['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass'],
])

/** How a list at some path is patched. */
export type ListStrategy = { kind: 'merge'; key: string } | { kind: 'set' } | { kind: 'replace' }

/** Each kind's own pod template lists, so a CronJob does not merge a Deployment's paths. */
const podTemplateKeys = new Map(
  Object.entries(podTemplates).map(([kind, prefix]) => [kind, Object.fromEntries(podTemplateEntries(prefix))]),
)

function lookup(table: Record<string, string> | undefined, path: string): string | undefined {
  return table !== undefined && Object.hasOwn(table, path) ? table[path] : undefined
}

/** The strategy for the list at `path` (dotted, indexes dropped) in an object of `kind`. */
export function listStrategy(kind: string, path: string): ListStrategy {
  if (!builtInKinds.has(kind) && !path.startsWith('metadata.')) return { kind: 'replace' }
  const key = lookup(fixedLists, path) ?? lookup(podTemplateKeys.get(kind), path)
  if (key !== undefined) return { kind: 'merge', key }
  return mergedScalarLists.has(path) ? { kind: 'set' } : { kind: 'replace' }
}
