import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { getObject, listObjects, type ClusterView } from '../../projections/cluster-state.js'
import type { Change } from '../../projections/projection.js'
import { deepEqual, isObject } from '../json.js'
import { matchesLabels, type LabelSelector } from '../resources/label-selector.js'
import { labelsOf } from '../runtime/objects.js'
import type { NamespacesMatching } from './pod-affinity-terms.js'
import { PlacedPodTerms } from './placed-pod-terms.js'
import { PodCounters, type TopologyNode } from './pod-counters.js'
import { isAssigned, isPending, nodeNameOf, podInfo, type PodInfo } from './pod-info.js'
import { addResources, emptyResources, nodeAllocatable, type Resources } from './resources.js'
import { objectOr } from './stored.js'
import { nodeTaints, type Taint } from './taints.js'

/**
 * The scheduler's view of each node (scheduler `framework.NodeInfo` and its cache): what the node
 * offers, and what the pods counted on it take — requested resources (as requested and with
 * scoring's non-zero defaults), pod count, host ports — plus pod counters per topology domain and
 * the set of pending pods.
 *
 * It is incremental: `apply` moves one change of the log into it (the scheduler calls it from
 * `keysFor`, which the runner calls for every change, in order, once the state has taken it), so
 * a scheduling decision never walks every pod. `fromState` builds the same thing from scratch;
 * the two must agree (test/scheduler/node-info-cache.test.ts), and the scheduler falls back to
 * `fromState` whenever its cache is not at the state's revision.
 *
 * A pod is counted on its node while it is bound and not finished, including while it is being
 * deleted, as Kubernetes counts it. Pods the scheduler has chosen a node for but whose binding it
 * has not yet seen are counted as assumed (so a batch of pods sees its own earlier placements)
 * until the binding arrives or `forgetAssumed` drops them.
 */
export interface NodeInfo extends TopologyNode {
  unschedulable: boolean
  taints: Taint[]
  allocatable: Resources
  allowedPods: number
  requested: Resources
  nonZeroCpu: number
  nonZeroMemory: number
  pods: Set<string>
  /** `protocol/port` → host IP → pods using it */
  usedPorts: Map<string, Map<string, number>>
}

export interface CountedPod {
  info: PodInfo
  node: string
  assumed: boolean
}

/** What a change did, for deciding which pods to look at again. */
export interface CacheEffect {
  /** a pod that is now waiting to be scheduled */
  pending?: string
  /** a node was added or changed */
  nodeChanged?: boolean
  /** a counted pod left its node (deleted, finished, moved): resources and ports were freed */
  freed?: boolean
  /** a pod was counted on a node (pod affinity may now be satisfied) */
  assigned?: boolean
}

export class NodeInfoCache {
  readonly nodes = new Map<string, NodeInfo>()
  readonly pods = new Map<string, CountedPod>()
  /** the affinity terms of counted pods, grouped (for the symmetric checks) */
  readonly placedTerms = new PlacedPodTerms()
  /** pending pods, in the order they arrived */
  readonly pending = new Set<string>()
  /** counted pods whose binding has not been seen yet */
  readonly assumed = new Set<string>()
  readonly counters = new PodCounters(this.nodes, this.pods)
  /** The state and revision the cache reflects. */
  state: ClusterView | undefined
  revision = -1
  private sorted: NodeInfo[] | undefined

  static fromState(state: ClusterView): NodeInfoCache {
    const cache = new NodeInfoCache()
    cache.state = state
    cache.revision = state.revision
    for (const node of listObjects(state, 'Node')) cache.putNode(node)
    for (const pod of listObjects(state, 'Pod')) cache.putPod(pod)
    return cache
  }

  /** Takes one change; `state` has already taken it. The cache is at the state's revision only once this returns. */
  apply(change: Change, state: ClusterView): CacheEffect {
    const effect = this.take(change)
    this.state = state
    this.revision = state.revision
    return effect
  }

  private take({ event, previous }: Change): CacheEffect {
    const object = event.type === 'Deleted' ? undefined : event.object
    if (event.kind === 'Node') {
      if (!object) {
        this.removeNode(event.name)
        return {}
      }
      this.putNode(object)
      return { nodeChanged: true }
    }
    if (event.kind !== 'Pod') return {}
    const key = `${event.namespace}/${event.name}`
    if (!object) {
      this.pending.delete(key)
      return { freed: this.uncount(key) }
    }
    return this.putPod(object, previous)
  }

  /** Existing nodes in name order: the order the scheduler walks them. */
  nodeList(): NodeInfo[] {
    this.sorted ??= [...this.nodes.values()].filter((n) => n.exists).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    return this.sorted
  }

  /** Counts a pod on the node chosen for it before its binding is seen. */
  assume(info: PodInfo, node: string): void {
    this.uncount(info.key)
    this.count({ info, node, assumed: true })
    this.assumed.add(info.key)
    this.pending.delete(info.key)
  }

  /**
   * Drops assumptions whose binding has not arrived. The runner waits for its own writes before
   * the next reconcile, so by then a binding that is still missing has failed; the pod waits again.
   * Returns the keys of the pods that wait again.
   */
  forgetAssumed(state: ClusterView): string[] {
    const forgotten = [...this.assumed]
    for (const key of forgotten) {
      this.uncount(key)
      const slash = key.indexOf('/')
      const object = getObject(state, 'Pod', key.slice(0, slash), key.slice(slash + 1))
      if (object) this.putPod(object)
    }
    return forgotten.filter((key) => this.pending.has(key))
  }

  /** Names of the namespaces whose labels a selector matches. */
  namespacesMatching: NamespacesMatching = (selector: LabelSelector) => {
    const namespaces = this.state?.objects.get('Namespace')?.get('')
    if (!namespaces) return []
    const out: string[] = []
    for (const [name, ns] of namespaces) if (matchesLabels(selector, objectOr(labelsOf(ns)))) out.push(name)
    return out
  }

  private putNode(object: Node): void {
    const name = String(object.metadata?.name ?? '')
    const labels = objectOr(object.metadata?.labels) ?? {}
    const { allocatable, allowedPods } = nodeAllocatable(object)
    let node = this.nodes.get(name)
    if (!node) {
      node = placeholder(name)
      this.nodes.set(name, node)
    }
    if (!node.exists || !sameLabels(node.labels, labels)) this.counters.nodeLabelsChanged()
    if (!node.exists) this.sorted = undefined
    Object.assign(node, {
      exists: true,
      labels,
      unschedulable: object.spec?.unschedulable === true,
      taints: nodeTaints(object),
      allocatable,
      allowedPods,
    })
  }

  private removeNode(name: string): void {
    const node = this.nodes.get(name)
    if (!node) return
    this.sorted = undefined
    this.counters.nodeLabelsChanged()
    if (node.pods.size === 0) this.nodes.delete(name)
    // Pods still bound to it keep their accounting until they go too.
    else Object.assign(node, { exists: false, labels: {}, unschedulable: false, taints: [], allocatable: emptyResources(), allowedPods: 0 })
  }

  /** Counts a pod's new version; `previous` (the version it replaces) lets a status change cost nothing. */
  private putPod(object: Pod, previous?: Pod): CacheEffect {
    const metadata = object.metadata ?? {}
    const key = `${String(metadata.namespace ?? '')}/${String(metadata.name ?? '')}`
    if (isPending(object)) this.pending.add(key)
    else this.pending.delete(key)
    const before = this.pods.get(key)
    if (!isAssigned(object)) {
      const freed = this.uncount(key)
      return isPending(object) ? { pending: key, freed } : { freed }
    }
    const node = nodeNameOf(object)
    const labels = objectOr(metadata.labels) ?? {}
    const deleting = metadata.deletionTimestamp !== undefined
    // Bound pods change often (status) but what is counted of them rarely: node, labels, deletion, spec.
    const unchanged = before && before.node === node && before.info.deleting === deleting && sameLabels(before.info.labels, labels)
    if (unchanged && (before.assumed || (previous !== undefined && deepEqual(objectOr(previous.spec), objectOr(object.spec))))) {
      before.assumed = false
      this.assumed.delete(key)
      return {}
    }
    const freed = this.uncount(key)
    this.count({ info: podInfo(object, this.namespacesMatching), node, assumed: false })
    return { freed, assigned: true }
  }

  private count(pod: CountedPod): void {
    const { info } = pod
    let node = this.nodes.get(pod.node)
    if (!node) this.nodes.set(pod.node, (node = placeholder(pod.node)))
    this.pods.set(info.key, pod)
    node.pods.add(info.key)
    addResources(node.requested, info.requests)
    node.nonZeroCpu += info.nonZeroCpu
    node.nonZeroMemory += info.nonZeroMemory
    for (const p of info.hostPorts) {
      const at = `${p.protocol}/${p.port}`
      let ips = node.usedPorts.get(at)
      if (!ips) node.usedPorts.set(at, (ips = new Map()))
      ips.set(p.ip, (ips.get(p.ip) ?? 0) + 1)
    }
    this.placedTerms.change(info, pod.node, 1)
    this.counters.podChanged(info, pod.node, 1)
  }

  /** Takes a pod off its node; whether it was counted. */
  private uncount(key: string): boolean {
    const pod = this.pods.get(key)
    if (!pod) return false
    const { info } = pod
    this.pods.delete(key)
    this.assumed.delete(key)
    this.placedTerms.change(info, pod.node, -1)
    const node = this.nodes.get(pod.node)!
    node.pods.delete(key)
    addResources(node.requested, info.requests, -1)
    node.nonZeroCpu -= info.nonZeroCpu
    node.nonZeroMemory -= info.nonZeroMemory
    for (const p of info.hostPorts) {
      const at = `${p.protocol}/${p.port}`
      const ips = node.usedPorts.get(at)!
      const n = ips.get(p.ip)! - 1
      if (n === 0) ips.delete(p.ip)
      else ips.set(p.ip, n)
      if (ips.size === 0) node.usedPorts.delete(at)
    }
    this.counters.podChanged(info, pod.node, -1)
    if (!node.exists && node.pods.size === 0) this.nodes.delete(pod.node)
    return true
  }
}

function placeholder(name: string): NodeInfo {
  return {
    name,
    exists: false,
    labels: {},
    unschedulable: false,
    taints: [],
    allocatable: emptyResources(),
    allowedPods: 0,
    requested: emptyResources(),
    nonZeroCpu: 0,
    nonZeroMemory: 0,
    pods: new Set(),
    usedPorts: new Map(),
  }
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  if (a === b) return true
  if (!isObject(a) || !isObject(b)) return false
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((k) => a[k] === b[k])
}
