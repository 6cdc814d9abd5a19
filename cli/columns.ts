/**
 * kubectl's table columns per kind (its server-side printers, pkg/printers/internalversion):
 * the default columns, and the extra ones `-o wide` adds.
 */

type Json = Record<string, unknown>

export interface Column {
  header: string
  value(object: Json, now: Date): string
  /** Shown only with -o wide. */
  wide?: boolean
}

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {})
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const str = (v: unknown, empty = '<none>') => (v === undefined || v === null || v === '' ? empty : String(v))
const num = (v: unknown) => (typeof v === 'number' ? v : 0)
const meta = (o: Json) => obj(o.metadata)
const spec = (o: Json) => obj(o.spec)
const status = (o: Json) => obj(o.status)

/** kubectl's HumanDuration: 45s, 2m30s, 5h, 3d4h, 2y10d. */
export function age(since: unknown, now: Date): string {
  if (typeof since !== 'string') return '<unknown>'
  const seconds = Math.floor((now.getTime() - new Date(since).getTime()) / 1000)
  if (Number.isNaN(seconds)) return '<unknown>'
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`
  if (minutes < 180) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`
  if (hours < 48) return `${hours}h`
  const days = Math.floor(hours / 24)
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`
  if (days < 365 * 2) return `${days}d`
  const years = Math.floor(days / 365)
  return years < 8 && days % 365 !== 0 ? `${years}y${days % 365}d` : `${years}y`
}

const AGE: Column = { header: 'AGE', value: (o, now) => age(meta(o).creationTimestamp, now) }
const CREATED_AT: Column = { header: 'CREATED AT', value: (o) => str(meta(o).creationTimestamp) }

function selectorString(selector: unknown): string {
  const s = obj(selector)
  const labels = Object.entries(obj(s.matchLabels)).map(([k, v]) => `${k}=${String(v)}`)
  const expressions = arr(s.matchExpressions).map((e) => {
    const x = obj(e)
    const values = arr(x.values).join(',')
    switch (x.operator) {
      case 'In':
        return `${String(x.key)} in (${values})`
      case 'NotIn':
        return `${String(x.key)} notin (${values})`
      case 'Exists':
        return String(x.key)
      default:
        return `!${String(x.key)}`
    }
  })
  return str([...labels, ...expressions].join(','))
}

function mapSelector(selector: unknown): string {
  return str(Object.entries(obj(selector)).map(([k, v]) => `${k}=${String(v)}`).join(','))
}

const templateContainers = (o: Json) => arr(obj(obj(spec(o).template).spec).containers).map(obj)
const podContainers = (o: Json) => arr(spec(o).containers).map(obj)
/** DESIRED, CURRENT, READY: ReplicaSets and ReplicationControllers. */
const REPLICA_COUNTS: Column[] = [
  { header: 'DESIRED', value: (o) => String(num(spec(o).replicas)) },
  { header: 'CURRENT', value: (o) => String(num(status(o).replicas)) },
  { header: 'READY', value: (o) => String(num(status(o).readyReplicas)) },
]
const CONTAINERS: Column = { header: 'CONTAINERS', wide: true, value: (o) => str(templateContainers(o).map((c) => c.name).join(',')) }
const IMAGES: Column = { header: 'IMAGES', wide: true, value: (o) => str(templateContainers(o).map((c) => c.image).join(',')) }
const SELECTOR: Column = { header: 'SELECTOR', wide: true, value: (o) => selectorString(spec(o).selector) }

/** kubectl's pod STATUS: the phase, refined by the reason, container states and deletion. */
export function podStatus(pod: Json): string {
  const s = status(pod)
  let reason = str(s.reason, '') || str(s.phase, 'Unknown')
  // kubectl's printPod: a pod held back by spec.schedulingGates shows as such, not as Pending.
  if (arr(s.conditions).map(obj).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated'
  const init = arr(s.initContainerStatuses).map(obj)
  for (const [i, c] of init.entries()) {
    const state = obj(c.state)
    const terminated = obj(state.terminated)
    if (state.terminated && terminated.exitCode === 0) continue
    if (state.terminated) reason = `Init:${str(terminated.reason, '') || `ExitCode:${String(terminated.exitCode)}`}`
    else if (state.waiting && obj(state.waiting).reason && obj(state.waiting).reason !== 'PodInitializing') reason = `Init:${String(obj(state.waiting).reason)}`
    else reason = `Init:${i}/${arr(spec(pod).initContainers).length}`
    return reason
  }
  let running = false
  for (const c of arr(s.containerStatuses).map(obj).reverse()) {
    const state = obj(c.state)
    if (state.waiting && obj(state.waiting).reason) reason = String(obj(state.waiting).reason)
    else if (state.terminated) {
      const t = obj(state.terminated)
      reason = str(t.reason, '') || (t.signal ? `Signal:${String(t.signal)}` : `ExitCode:${String(t.exitCode)}`)
    } else if (c.ready) running = true
  }
  if (reason === 'Completed' && running) reason = 'Running'
  if (meta(pod).deletionTimestamp) reason = s.reason === 'NodeLost' ? 'Unknown' : 'Terminating'
  return reason
}

function podReady(pod: Json): string {
  const statuses = arr(status(pod).containerStatuses).map(obj)
  return `${statuses.filter((c) => c.ready).length}/${podContainers(pod).length}`
}

function servicePorts(o: Json): string {
  const ports = arr(spec(o).ports).map(obj)
  return str(ports.map((p) => `${String(p.port)}${p.nodePort ? `:${String(p.nodePort)}` : ''}/${str(p.protocol, 'TCP')}`).join(','))
}

function externalIp(o: Json): string {
  const ingress = arr(obj(status(o).loadBalancer).ingress).map(obj)
  const external = arr(spec(o).externalIPs).map(String)
  const type = spec(o).type
  if (type === 'LoadBalancer') {
    const ips = [...ingress.map((i) => String(i.ip ?? i.hostname)), ...external]
    return ips.length ? ips.join(',') : '<pending>'
  }
  if (type === 'ExternalName') return str(spec(o).externalName)
  return str(external.join(','))
}

function endpointsList(o: Json): string {
  const all: string[] = []
  for (const subset of arr(o.subsets).map(obj)) {
    const ports = arr(subset.ports).map(obj)
    for (const address of arr(subset.addresses).map(obj)) {
      if (ports.length === 0) all.push(String(address.ip))
      for (const port of ports) all.push(`${String(address.ip)}:${String(port.port)}`)
    }
  }
  if (all.length === 0) return '<none>'
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',')
}

function nodeStatus(o: Json): string {
  const ready = arr(status(o).conditions).map(obj).find((c) => c.type === 'Ready')
  const parts = [ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown']
  if (spec(o).unschedulable) parts.push('SchedulingDisabled')
  return parts.join(',')
}

function nodeRoles(o: Json): string {
  const roles = Object.keys(obj(meta(o).labels)).flatMap((k) => (k.startsWith('node-role.kubernetes.io/') ? [k.slice('node-role.kubernetes.io/'.length)] : []))
  return str(roles.join(','))
}

const nodeAddress = (type: string) => (o: Json) => str(arr(status(o).addresses).map(obj).find((a) => a.type === type)?.address)

function jobStatus(o: Json): string {
  const conditions = arr(status(o).conditions).map(obj).filter((c) => c.status === 'True')
  if (conditions.some((c) => c.type === 'Complete')) return 'Complete'
  if (conditions.some((c) => c.type === 'Failed')) return 'Failed'
  if (meta(o).deletionTimestamp) return 'Terminating'
  if (conditions.some((c) => c.type === 'Suspended')) return 'Suspended'
  return 'Running'
}

function duration(start: unknown, end: unknown, now: Date): string {
  if (typeof start !== 'string') return ''
  return age(start, typeof end === 'string' ? new Date(end) : now)
}

function eventObject(o: Json): string {
  const involved = obj(o.involvedObject)
  return `${String(involved.kind ?? '').toLowerCase()}/${String(involved.name ?? '')}`
}

function hpaTargets(o: Json): string {
  const metrics = arr(spec(o).metrics).map(obj)
  const current = arr(status(o).currentMetrics).map(obj)
  const parts = metrics.map((m, i) => {
    const target = obj(obj(obj(m.resource).target))
    const now = obj(obj(current[i]?.resource).current)
    const have = now.averageUtilization !== undefined ? `${String(now.averageUtilization)}%` : '<unknown>'
    const want = target.averageUtilization !== undefined ? `${String(target.averageUtilization)}%` : str(target.averageValue ?? target.value)
    return `${String(obj(m.resource).name ?? 'cpu')}: ${have}/${want}`
  })
  return str(parts.join(', '))
}

const byKind: Record<string, Column[]> = {
  Pod: [
    { header: 'READY', value: podReady },
    { header: 'STATUS', value: podStatus },
    { header: 'RESTARTS', value: (o) => String(arr(status(o).containerStatuses).map(obj).reduce((n, c) => n + num(c.restartCount), 0)) },
    AGE,
    { header: 'IP', wide: true, value: (o) => str(status(o).podIP) },
    { header: 'NODE', wide: true, value: (o) => str(spec(o).nodeName) },
    { header: 'NOMINATED NODE', wide: true, value: (o) => str(status(o).nominatedNodeName) },
    { header: 'READINESS GATES', wide: true, value: (o) => str(arr(spec(o).readinessGates).map((g) => obj(g).conditionType).join(',')) },
  ],
  Deployment: [
    { header: 'READY', value: (o) => `${num(status(o).readyReplicas)}/${num(spec(o).replicas)}` },
    { header: 'UP-TO-DATE', value: (o) => String(num(status(o).updatedReplicas)) },
    { header: 'AVAILABLE', value: (o) => String(num(status(o).availableReplicas)) },
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  ReplicaSet: [
    ...REPLICA_COUNTS,
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  ReplicationController: [
    ...REPLICA_COUNTS,
    AGE,
    CONTAINERS,
    IMAGES,
    { header: 'SELECTOR', wide: true, value: (o) => mapSelector(spec(o).selector) },
  ],
  StatefulSet: [{ header: 'READY', value: (o) => `${num(status(o).readyReplicas)}/${num(spec(o).replicas)}` }, AGE, CONTAINERS, IMAGES],
  DaemonSet: [
    { header: 'DESIRED', value: (o) => String(num(status(o).desiredNumberScheduled)) },
    { header: 'CURRENT', value: (o) => String(num(status(o).currentNumberScheduled)) },
    { header: 'READY', value: (o) => String(num(status(o).numberReady)) },
    { header: 'UP-TO-DATE', value: (o) => String(num(status(o).updatedNumberScheduled)) },
    { header: 'AVAILABLE', value: (o) => String(num(status(o).numberAvailable)) },
    { header: 'NODE SELECTOR', value: (o) => mapSelector(obj(obj(spec(o).template).spec).nodeSelector) },
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  Job: [
    { header: 'STATUS', value: jobStatus },
    { header: 'COMPLETIONS', value: (o) => `${num(status(o).succeeded)}/${spec(o).completions ?? 1}` },
    { header: 'DURATION', value: (o, now) => duration(status(o).startTime, status(o).completionTime, now) },
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  CronJob: [
    { header: 'SCHEDULE', value: (o) => str(spec(o).schedule) },
    { header: 'TIMEZONE', value: (o) => str(spec(o).timeZone) },
    { header: 'SUSPEND', value: (o) => (spec(o).suspend ? 'True' : 'False') },
    { header: 'ACTIVE', value: (o) => String(arr(status(o).active).length) },
    { header: 'LAST SCHEDULE', value: (o, now) => (status(o).lastScheduleTime ? age(status(o).lastScheduleTime, now) : '<none>') },
    AGE,
    { header: 'CONTAINERS', wide: true, value: (o) => str(arr(obj(obj(obj(obj(spec(o).jobTemplate).spec).template).spec).containers).map((c) => obj(c).name).join(',')) },
    { header: 'IMAGES', wide: true, value: (o) => str(arr(obj(obj(obj(obj(spec(o).jobTemplate).spec).template).spec).containers).map((c) => obj(c).image).join(',')) },
    { header: 'SELECTOR', wide: true, value: (o) => selectorString(obj(obj(spec(o).jobTemplate).spec).selector) },
  ],
  Service: [
    { header: 'TYPE', value: (o) => str(spec(o).type, 'ClusterIP') },
    { header: 'CLUSTER-IP', value: (o) => str(spec(o).clusterIP) },
    { header: 'EXTERNAL-IP', value: externalIp },
    { header: 'PORT(S)', value: servicePorts },
    AGE,
    { header: 'SELECTOR', wide: true, value: (o) => mapSelector(spec(o).selector) },
  ],
  Node: [
    { header: 'STATUS', value: nodeStatus },
    { header: 'ROLES', value: nodeRoles },
    AGE,
    { header: 'VERSION', value: (o) => str(obj(status(o).nodeInfo).kubeletVersion, '') },
    { header: 'INTERNAL-IP', wide: true, value: nodeAddress('InternalIP') },
    { header: 'EXTERNAL-IP', wide: true, value: nodeAddress('ExternalIP') },
    { header: 'OS-IMAGE', wide: true, value: (o) => str(obj(status(o).nodeInfo).osImage, '<unknown>') },
    { header: 'KERNEL-VERSION', wide: true, value: (o) => str(obj(status(o).nodeInfo).kernelVersion, '<unknown>') },
    { header: 'CONTAINER-RUNTIME', wide: true, value: (o) => str(obj(status(o).nodeInfo).containerRuntimeVersion, '<unknown>') },
  ],
  Namespace: [{ header: 'STATUS', value: (o) => str(status(o).phase, 'Active') }, AGE],
  ConfigMap: [{ header: 'DATA', value: (o) => String(Object.keys(obj(o.data)).length + Object.keys(obj(o.binaryData)).length) }, AGE],
  Secret: [{ header: 'TYPE', value: (o) => str(o.type, 'Opaque') }, { header: 'DATA', value: (o) => String(Object.keys(obj(o.data)).length + Object.keys(obj(o.stringData)).length) }, AGE],
  ServiceAccount: [{ header: 'SECRETS', value: (o) => String(arr(o.secrets).length) }, AGE],
  Endpoints: [{ header: 'ENDPOINTS', value: endpointsList }, AGE],
  EndpointSlice: [
    { header: 'ADDRESSTYPE', value: (o) => str(o.addressType) },
    { header: 'PORTS', value: (o) => str(arr(o.ports).map((p) => obj(p).port).join(','), '<unset>') },
    { header: 'ENDPOINTS', value: (o) => {
      const ips = arr(o.endpoints).flatMap((e) => arr(obj(e).addresses).map(String))
      return ips.length === 0 ? '<unset>' : ips.length > 3 ? `${ips.slice(0, 3).join(',')} + ${ips.length - 3} more...` : ips.join(',')
    } },
    AGE,
  ],
  Event: [
    { header: 'LAST SEEN', value: (o, now) => age(o.lastTimestamp ?? o.eventTime ?? meta(o).creationTimestamp, now) },
    { header: 'TYPE', value: (o) => str(o.type) },
    { header: 'REASON', value: (o) => str(o.reason) },
    { header: 'OBJECT', value: eventObject },
    { header: 'MESSAGE', value: (o) => str(o.message, '') },
  ],
  HorizontalPodAutoscaler: [
    { header: 'REFERENCE', value: (o) => `${String(obj(spec(o).scaleTargetRef).kind)}/${String(obj(spec(o).scaleTargetRef).name)}` },
    { header: 'TARGETS', value: hpaTargets },
    { header: 'MINPODS', value: (o) => String(spec(o).minReplicas ?? 1) },
    { header: 'MAXPODS', value: (o) => String(num(spec(o).maxReplicas)) },
    { header: 'REPLICAS', value: (o) => String(num(status(o).currentReplicas)) },
    AGE,
  ],
  Ingress: [
    { header: 'CLASS', value: (o) => str(spec(o).ingressClassName) },
    { header: 'HOSTS', value: (o) => str(arr(spec(o).rules).map((r) => obj(r).host ?? '*').join(','), '*') },
    { header: 'ADDRESS', value: (o) => arr(obj(status(o).loadBalancer).ingress).map((i) => String(obj(i).ip ?? obj(i).hostname)).join(',') },
    { header: 'PORTS', value: (o) => (arr(spec(o).tls).length ? '80, 443' : '80') },
    AGE,
  ],
  PersistentVolume: [
    { header: 'CAPACITY', value: (o) => str(obj(spec(o).capacity).storage, '') },
    { header: 'ACCESS MODES', value: (o) => accessModes(spec(o).accessModes) },
    { header: 'RECLAIM POLICY', value: (o) => str(spec(o).persistentVolumeReclaimPolicy, '') },
    { header: 'STATUS', value: (o) => str(status(o).phase, '') },
    { header: 'CLAIM', value: (o) => (spec(o).claimRef ? `${String(obj(spec(o).claimRef).namespace)}/${String(obj(spec(o).claimRef).name)}` : '') },
    { header: 'STORAGECLASS', value: (o) => str(spec(o).storageClassName, '') },
    { header: 'VOLUMEATTRIBUTESCLASS', value: (o) => str(spec(o).volumeAttributesClassName) },
    { header: 'REASON', value: (o) => str(status(o).reason, '') },
    AGE,
  ],
  PersistentVolumeClaim: [
    { header: 'STATUS', value: (o) => str(status(o).phase, '') },
    { header: 'VOLUME', value: (o) => str(spec(o).volumeName, '') },
    { header: 'CAPACITY', value: (o) => str(obj(status(o).capacity).storage, '') },
    { header: 'ACCESS MODES', value: (o) => accessModes(status(o).accessModes) },
    { header: 'STORAGECLASS', value: (o) => str(spec(o).storageClassName, '') },
    { header: 'VOLUMEATTRIBUTESCLASS', value: (o) => str(spec(o).volumeAttributesClassName) },
    AGE,
  ],
  Role: [CREATED_AT],
  ClusterRole: [CREATED_AT],
  LimitRange: [CREATED_AT],
  RoleBinding: [
    { header: 'ROLE', value: (o) => `${String(obj(o.roleRef).kind)}/${String(obj(o.roleRef).name)}` },
    AGE,
    ...subjectColumns(),
  ],
  ClusterRoleBinding: [
    { header: 'ROLE', value: (o) => `${String(obj(o.roleRef).kind)}/${String(obj(o.roleRef).name)}` },
    AGE,
    ...subjectColumns(),
  ],
  StorageClass: [
    { header: 'PROVISIONER', value: (o) => str(o.provisioner) },
    { header: 'RECLAIMPOLICY', value: (o) => str(o.reclaimPolicy, 'Delete') },
    { header: 'VOLUMEBINDINGMODE', value: (o) => str(o.volumeBindingMode, 'Immediate') },
    { header: 'ALLOWVOLUMEEXPANSION', value: (o) => (o.allowVolumeExpansion ? 'true' : 'false') },
    AGE,
  ],
  Lease: [{ header: 'HOLDER', value: (o) => str(spec(o).holderIdentity, '') }, AGE],
  ControllerRevision: [
    { header: 'CONTROLLER', value: (o) => {
      const owner = arr(meta(o).ownerReferences).map(obj).find((r) => r.controller)
      return owner ? `${String(owner.kind).toLowerCase()}.${String(owner.apiVersion).split('/')[0]}/${String(owner.name)}` : '<none>'
    } },
    { header: 'REVISION', value: (o) => String(num(o.revision)) },
    AGE,
  ],
  ResourceQuota: [
    AGE,
    { header: 'REQUEST', value: (o) => quotaUsage(o, (k) => !k.startsWith('limits.')) },
    { header: 'LIMIT', value: (o) => quotaUsage(o, (k) => k.startsWith('limits.')) },
  ],
}

function subjectColumns(): Column[] {
  const subjects = (kind: string) => (o: Json) =>
    arr(o.subjects)
      .map(obj)
      .filter((s) => s.kind === kind)
      .map((s) => (kind === 'ServiceAccount' ? `${String(s.namespace)}/${String(s.name)}` : String(s.name)))
      .join(', ')
  return [
    { header: 'USERS', wide: true, value: subjects('User') },
    { header: 'GROUPS', wide: true, value: subjects('Group') },
    { header: 'SERVICEACCOUNTS', wide: true, value: subjects('ServiceAccount') },
  ]
}

function accessModes(modes: unknown): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' }
  return arr(modes).map((m) => short[String(m)] ?? String(m)).join(',')
}

function quotaUsage(o: Json, keep: (key: string) => boolean): string {
  const hard = obj(status(o).hard)
  const used = obj(status(o).used)
  return Object.keys(hard)
    .filter(keep)
    .sort()
    .map((k) => `${k}: ${str(used[k], '0')}/${String(hard[k])}`)
    .join(', ')
}

/** The columns after NAME for a kind (NAME and AGE for kinds kubectl has no printer for). */
export function columnsFor(kind: string, wide: boolean): Column[] {
  return (byKind[kind] ?? [AGE]).filter((c) => wide || !c.wide)
}
