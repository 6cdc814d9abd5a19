import { errors, StatusError } from '../errors.js'
import { apiVersionOf, type KindDefinition } from './kind.js'
import { controllerRevision } from './kinds/apps/controller-revision.js'
import { daemonSet } from './kinds/apps/daemon-set.js'
import { deployment } from './kinds/apps/deployment.js'
import { replicaSet } from './kinds/apps/replica-set.js'
import { statefulSet } from './kinds/apps/stateful-set.js'
import { horizontalPodAutoscaler } from './kinds/autoscaling/horizontal-pod-autoscaler.js'
import { cronJob } from './kinds/batch/cron-job.js'
import { job } from './kinds/batch/job.js'
import { lease } from './kinds/coordination/lease.js'
import { configMap } from './kinds/core/config-map.js'
import { endpoints } from './kinds/core/endpoints.js'
import { event } from './kinds/core/event.js'
import { limitRange } from './kinds/core/limit-range.js'
import { namespace } from './kinds/core/namespace.js'
import { node } from './kinds/core/node.js'
import { persistentVolumeClaim } from './kinds/core/persistent-volume-claim.js'
import { persistentVolume } from './kinds/core/persistent-volume.js'
import { pod } from './kinds/core/pod.js'
import { replicationController } from './kinds/core/replication-controller.js'
import { resourceQuota } from './kinds/core/resource-quota.js'
import { secret } from './kinds/core/secret.js'
import { serviceAccount } from './kinds/core/service-account.js'
import { service } from './kinds/core/service.js'
import { endpointSlice } from './kinds/discovery/endpoint-slice.js'
import { ingress } from './kinds/networking/ingress.js'
import { ipAddress } from './kinds/networking/ip-address.js'
import { serviceNodePort } from './kinds/networking/service-node-port.js'
import { clusterRoleBinding } from './kinds/rbac/cluster-role-binding.js'
import { clusterRole } from './kinds/rbac/cluster-role.js'
import { roleBinding } from './kinds/rbac/role-binding.js'
import { role } from './kinds/rbac/role.js'
import { priorityClass } from './kinds/scheduling/priority-class.js'
import { storageClass } from './kinds/storage/storage-class.js'

/** Every kind revkube serves. */
export const builtinKinds: readonly KindDefinition[] = [
  namespace,
  node,
  pod,
  service,
  endpoints,
  replicationController,
  configMap,
  secret,
  serviceAccount,
  event,
  resourceQuota,
  limitRange,
  persistentVolume,
  persistentVolumeClaim,
  deployment,
  replicaSet,
  daemonSet,
  statefulSet,
  controllerRevision,
  job,
  cronJob,
  horizontalPodAutoscaler,
  ingress,
  role,
  clusterRole,
  roleBinding,
  clusterRoleBinding,
  storageClass,
  lease,
  endpointSlice,
  priorityClass,
  // Service allocation: one object per reserved clusterIP and node port (services/resources/kinds/core/service-allocation.ts).
  ipAddress,
  serviceNodePort,
]

/**
 * Finds kinds the ways Kubernetes users name them: kind (`Deployment`), resource (`deployments`),
 * singular (`deployment`), short name (`deploy`), optionally qualified by group (`deployments.apps`).
 */
export class KindRegistry {
  private readonly byName = new Map<string, KindDefinition>()
  private readonly byKind = new Map<string, KindDefinition>()

  constructor(readonly kinds: readonly KindDefinition[]) {
    for (const k of kinds) {
      checkDefinition(k)
      this.byKind.set(k.kind, k)
      const names = [k.kind.toLowerCase(), k.resource, ...(k.shortNames ?? [])]
      for (const name of names) {
        this.byName.set(name, k)
        if (k.group) this.byName.set(`${name}.${k.group}`, k)
      }
    }
  }

  /** The kind a user means by `name`; NotFound like kubectl's "doesn't have a resource type". */
  resolve(name: string): KindDefinition {
    const found = this.byKind.get(name) ?? this.byName.get(name.toLowerCase())
    if (!found) throw new StatusError('NotFound', `the server doesn't have a resource type "${name}"`)
    return found
  }

  /** The kind of a manifest: its apiVersion must be one the kind is served at. */
  forManifest(apiVersion: unknown, kind: unknown): KindDefinition {
    const definition = typeof kind === 'string' ? this.byKind.get(kind) : undefined
    const served = definition?.versions.map((v) => apiVersionOf(definition, v)) ?? []
    if (!definition || !served.includes(apiVersion as string)) {
      throw errors.badRequest(`no matches for kind "${String(kind)}" in version "${String(apiVersion)}"`)
    }
    return definition
  }

  get(kind: string): KindDefinition | undefined {
    return this.byKind.get(kind)
  }
}

export const registry = new KindRegistry(builtinKinds)

/** Refuses a definition whose parts contradict each other, as the apiserver would fail to start. */
function checkDefinition(definition: KindDefinition): void {
  const unnamed = definition.versions.filter((version) => !definition.schema[version])
  if (unnamed.length > 0) throw new Error(`${definition.kind}: no schema named for version ${unnamed.join(', ')}`)
  for (const path of definition.sensitiveFields ?? []) {
    if (path.length === 0 || path.some((key) => key === '')) {
      throw new Error(`${definition.kind}: a sensitive field path needs non-empty keys, got "${path.join('.')}"`)
    }
    if (path[0] === 'metadata' && path[1] !== 'annotations') {
      throw new Error(
        `${definition.kind}: only annotations may be sensitive in metadata (names, labels and uids must stay readable), got "${path.join('.')}"`,
      )
    }
  }
}
