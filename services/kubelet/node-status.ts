import { createHash } from 'node:crypto'
import { timestamp } from '../api/context.js'
import type { Node, NodeStatus, NodeSystemInfo } from 'kubernetes-types/core/v1.js'
import { condition, labelsOf, nameOf, uidOf } from '../runtime/objects.js'
import { deepEqual, isObject } from '../json.js'
import { internalIPFor, rangeIndexOf } from './addresses.js'

/** What a simulated node has unless the Node object says otherwise. */
export const DEFAULT_CAPACITY: Readonly<Record<string, string>> = {
  cpu: '4',
  memory: '16Gi',
  pods: '110',
  'ephemeral-storage': '100Gi',
  'hugepages-1Gi': '0',
  'hugepages-2Mi': '0',
}

/** The version simulated kubelets report in nodeInfo (what `kubectl get nodes` shows). */
export const KUBELET_VERSION = 'v1.31.0'
/** The kubelet port in status.daemonEndpoints. */
export const KUBELET_PORT = 10250

/** The conditions a healthy kubelet posts, with Kubernetes' reasons and messages. */
const HEALTHY: ReadonlyArray<{ type: string; status: string; reason: string; message: string }> = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
]

/**
 * The Node as its kubelet registers it: the well-known labels, and a pod range of its own
 * (kube-controller-manager's IPAM does that in Kubernetes; the simulation has the kubelet do it).
 * Undefined when nothing is missing. `freeRange` hands out a range no other node has.
 */
export function registeredNode(node: Node, freeRange: () => string): Node | undefined {
  const name = nameOf(node)
  const labels = labelsOf(node)
  const wanted: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  }
  const missing = Object.entries(wanted).filter(([key]) => labels[key] === undefined)
  const range = node.spec?.podCIDR
  const hasRange = typeof range === 'string'
  if (missing.length === 0 && hasRange) return undefined
  const cidr = hasRange ? range : freeRange()
  const ranges = node.spec?.podCIDRs ?? []
  return {
    ...node,
    metadata: { ...node.metadata, labels: { ...labels, ...Object.fromEntries(missing) } },
    spec: { ...node.spec, podCIDR: cidr, podCIDRs: ranges.length > 0 ? ranges : [cidr] },
  }
}

/**
 * The status the kubelet of a registered node posts: healthy conditions, capacity (the node's
 * own, filled in with the defaults), addresses, node info and the kubelet endpoint. Undefined
 * when the stored status already says all that: heartbeats alone are never written.
 */
export function postedNodeStatus(node: Node, now: Date): NodeStatus | undefined {
  const current = node.status ?? {}
  const time = timestamp(now)
  const conditions = (current.conditions ?? []).filter(isObject)
  const posted = HEALTHY.map((want) => {
    const existing = conditions.find((c) => c.type === want.type)
    if (existing && existing.status === want.status && existing.reason === want.reason && existing.message === want.message) return existing
    const since = existing?.status === want.status ? existing.lastTransitionTime : time
    return { ...want, lastHeartbeatTime: time, ...(since !== undefined && { lastTransitionTime: since }) }
  })
  const others = conditions.filter((c) => !HEALTHY.some((h) => h.type === c.type))
  const capacity = { ...DEFAULT_CAPACITY, ...current.capacity }
  const index = rangeIndexOf(node.spec?.podCIDR) ?? 0
  const addresses = current.addresses ?? []
  const next: NodeStatus = {
    ...current,
    capacity,
    allocatable: { ...capacity, ...current.allocatable },
    conditions: [...posted, ...others],
    addresses:
      addresses.length > 0
        ? addresses
        : [
            { type: 'InternalIP', address: internalIPFor(index) },
            { type: 'Hostname', address: nameOf(node) },
          ],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: { ...nodeInfo(node), ...current.nodeInfo },
  }
  return deepEqual(next, current) ? undefined : next
}

/** Whether the stored node says it is Ready. */
export const isNodeReady = (node: Node) => condition(node, 'Ready')?.status === 'True'

/** The InternalIP of a node, as pods report it in hostIP. */
export function hostIPOf(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => isObject(a) && a.type === 'InternalIP')?.address
}

/** The events a kubelet records when it (re)starts and finds its node healthy. */
export function nodeStartedEvents(node: Node): Array<{ reason: string; message: string }> {
  const name = nameOf(node)
  return [
    { reason: 'Starting', message: 'Starting kubelet.' },
    ...['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeReady'].map((reason) => ({
      reason,
      message: `Node ${name} status is now: ${reason}`,
    })),
  ]
}

function nodeInfo(node: Node): NodeSystemInfo {
  const id = (what: string) =>
    createHash('sha256')
      .update(`${uidOf(node)}/${what}`)
      .digest('hex')
  const uuid = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
  return {
    machineID: id('machine').slice(0, 32),
    systemUUID: uuid(id('system')),
    bootID: uuid(id('boot')),
    kernelVersion: '6.8.0-revkube',
    osImage: 'revkube simulated node',
    containerRuntimeVersion: 'sim://revkube',
    kubeletVersion: KUBELET_VERSION,
    kubeProxyVersion: KUBELET_VERSION,
    operatingSystem: 'linux',
    architecture: 'amd64',
  }
}
