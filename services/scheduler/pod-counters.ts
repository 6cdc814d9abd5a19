import type { NodeLabels } from './node-affinity.js'
import type { PodInfo } from './pod-info.js'

export const HOSTNAME_LABEL = 'kubernetes.io/hostname'
export const ZONE_LABEL = 'topology.kubernetes.io/zone'

/** A node as the counters see it: a placeholder for an unknown node has no topology. */
export interface TopologyNode extends NodeLabels {
  exists: boolean
}

/**
 * The topology domain a node is in for `key`: its label's value. A node without a
 * `kubernetes.io/hostname` label is its own hostname domain (kubelets always set that label;
 * simulated or hand-made nodes may not).
 */
export function topologyValue(node: TopologyNode, key: string): string | undefined {
  if (!node.exists) return undefined
  const value = node.labels[key]
  if (value !== undefined) return value
  return key === HOSTNAME_LABEL ? node.name : undefined
}

/** Which pods a counter counts. Equal signatures must select the same pods. */
export interface CounterSpec {
  signature: string
  matches(pod: PodInfo): boolean
  /** Keys of the pods that may match (from an index), or undefined to look at every pod. */
  candidates(): Iterable<string> | undefined
}

/**
 * Pods matching one selector, per node and per topology domain: what inter-pod affinity and
 * topology spreading ask for every pod they place. Kept current as pods are counted on and off
 * nodes, so placing a pod costs a lookup, not a walk over every pod in the cluster.
 */
export class PodCounter {
  readonly perNode = new Map<string, number>()
  /** topologyKey → domain → count; built on first use of a key, dropped when node labels change */
  private readonly perDomain = new Map<string, Map<string, number>>()

  constructor(
    readonly spec: CounterSpec,
    private readonly nodes: ReadonlyMap<string, TopologyNode>,
  ) {}

  onNode(node: string): number {
    return this.perNode.get(node) ?? 0
  }

  /** Counts per domain of `key`, over nodes that have it. */
  domains(key: string): ReadonlyMap<string, number> {
    let domains = this.perDomain.get(key)
    if (domains) return domains
    domains = new Map()
    for (const [name, count] of this.perNode) {
      const node = this.nodes.get(name)
      const value = node && topologyValue(node, key)
      if (value !== undefined) domains.set(value, (domains.get(value) ?? 0) + count)
    }
    this.perDomain.set(key, domains)
    return domains
  }

  inDomain(key: string, node: TopologyNode): number {
    const value = topologyValue(node, key)
    return value === undefined ? 0 : (this.domains(key).get(value) ?? 0)
  }

  change(pod: PodInfo, node: string, by: 1 | -1): void {
    if (!this.spec.matches(pod)) return
    const count = (this.perNode.get(node) ?? 0) + by
    if (count === 0) this.perNode.delete(node)
    else this.perNode.set(node, count)
    const known = this.nodes.get(node)
    for (const [key, domains] of this.perDomain) {
      const value = known && topologyValue(known, key)
      if (value === undefined) continue
      const n = (domains.get(value) ?? 0) + by
      if (n === 0) domains.delete(value)
      else domains.set(value, n)
    }
  }

  forgetDomains(): void {
    this.perDomain.clear()
  }
}

/**
 * The counters in use, least recently used first out. A counter is built once from an index
 * (or every counted pod) and then follows every pod counted on or off a node.
 */
export class PodCounters {
  private readonly counters = new Map<string, PodCounter>()

  constructor(
    private readonly nodes: ReadonlyMap<string, TopologyNode>,
    private readonly counted: ReadonlyMap<string, { info: PodInfo; node: string }>,
    private readonly limit = 256,
  ) {}

  get(spec: CounterSpec): PodCounter {
    const known = this.counters.get(spec.signature)
    if (known) {
      this.counters.delete(spec.signature)
      this.counters.set(spec.signature, known)
      return known
    }
    const counter = new PodCounter(spec, this.nodes)
    const keys = spec.candidates()
    if (keys === undefined) for (const pod of this.counted.values()) counter.change(pod.info, pod.node, 1)
    else {
      for (const key of keys) {
        const pod = this.counted.get(key)
        if (pod) counter.change(pod.info, pod.node, 1)
      }
    }
    this.counters.set(spec.signature, counter)
    if (this.counters.size > this.limit) this.counters.delete(this.counters.keys().next().value!)
    return counter
  }

  /** The counters in use. */
  all(): Iterable<PodCounter> {
    return this.counters.values()
  }

  podChanged(pod: PodInfo, node: string, by: 1 | -1): void {
    for (const counter of this.counters.values()) counter.change(pod, node, by)
  }

  nodeLabelsChanged(): void {
    for (const counter of this.counters.values()) counter.forgetDomains()
  }

  clear(): void {
    this.counters.clear()
  }
}
