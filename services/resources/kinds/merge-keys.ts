import type { MergeKeys } from '../kind.js'

/**
 * Strategic merge keys shared by several kinds: the `patchStrategy:"merge"` and `patchMergeKey`
 * tags of k8s.io/api's Go types, as dotted paths with array indexes dropped. A kind's definition
 * joins the pieces it has (`mergeKeys: join(conditions, podTemplate('spec.template'))`).
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

const at = (prefix: string, path: string) => (prefix === '' ? path : `${prefix}.${path}`)

/**
 * A pod template whose `metadata` and `spec` sit under `prefix` (`spec.template`; '' for a Pod
 * itself): its PodSpec's and containers' lists, and its ObjectMeta's.
 */
export function podTemplate(prefix: string): MergeKeys {
  const spec = at(prefix, 'spec')
  const containers = ['containers', 'initContainers', 'ephemeralContainers'].flatMap((list) =>
    Object.entries(containerLists).map(([field, key]): [string, string] => [at(spec, `${list}.${field}`), key]),
  )
  return {
    lists: Object.fromEntries([
      ...(prefix === '' ? [] : [[at(prefix, 'metadata.ownerReferences'), 'uid'] as [string, string]]),
      ...Object.entries(podSpecLists).map(([list, key]): [string, string] => [at(spec, list), key]),
      ...containers,
    ]),
    ...(prefix !== '' && { sets: [at(prefix, 'metadata.finalizers')] }),
  }
}

/** `status.conditions`, merged by type, of the kinds whose status has conditions. */
export const conditions: MergeKeys = { lists: { 'status.conditions': 'type' } }

/** Several pieces as one. */
export function join(...parts: MergeKeys[]): MergeKeys {
  return {
    lists: Object.assign({}, ...parts.map((p) => p.lists ?? {})) as Record<string, string>,
    sets: parts.flatMap((p) => p.sets ?? []),
  }
}
