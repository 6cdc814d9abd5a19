import type { Node } from 'kubernetes-types/core/v1.js'

/**
 * Addresses of simulated nodes and their pods, as a cluster with `--cluster-cidr 10.244.0.0/16`
 * and one /24 per node hands them out: node n gets 10.244.n.0/24 (continuing through 10.0.0.0/8
 * past 256 nodes) and the InternalIP 172.18.0.(n+2); its pods get .2 to .254 of its range.
 */

const FIRST_RANGE = 244 * 256 // 10.244.0.0/24, counted in /24s within 10.0.0.0/8
const RANGES = 65_536

/** The pod range of the node with allocation index `n`. */
export function podCIDRFor(n: number): string {
  const range = (FIRST_RANGE + n) % RANGES
  return `10.${range >> 8}.${range & 255}.0/24`
}

/** The allocation index a pod range stands for, if it is one of ours. */
export function rangeIndexOf(cidr: string | undefined): number | undefined {
  const match = typeof cidr === 'string' ? /^10\.(\d{1,3})\.(\d{1,3})\.0\/24$/.exec(cidr) : null
  if (!match) return undefined
  const range = Number(match[1]) * 256 + Number(match[2])
  return (range - FIRST_RANGE + RANGES) % RANGES
}

/** The pod ranges the nodes hold. */
export function podCIDRsOf(nodes: Iterable<Node>): Set<string> {
  const used = new Set<string>()
  for (const node of nodes) if (typeof node.spec?.podCIDR === 'string') used.add(node.spec.podCIDR)
  return used
}

/** The range with the lowest index that is not taken. */
export function freePodCIDR(taken: ReadonlySet<string>): string {
  let n = 0
  while (taken.has(podCIDRFor(n))) n++
  return podCIDRFor(n)
}

/** The InternalIP of the node with range index `n`. */
export function internalIPFor(n: number): string {
  return numberToIP(ipToNumber('172.18.0.0') + ((n + 2) % RANGES))
}

/** The lowest address of `cidr` (a /24) that no pod in `used` has, from .2; undefined when full. */
export function freePodIP(cidr: string, used: ReadonlySet<string>): string | undefined {
  const base = ipToNumber(cidr.slice(0, cidr.indexOf('/')))
  for (let host = 2; host < 255; host++) {
    const ip = numberToIP(base + host)
    if (!used.has(ip)) return ip
  }
  return undefined
}

/** Whether `ip` lies in `cidr`. */
export function inCIDR(ip: string, cidr: string): boolean {
  const [network, bits] = cidr.split('/') as [string, string]
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0
  return (ipToNumber(ip) & mask) >>> 0 === (ipToNumber(network) & mask) >>> 0
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0)
}

function numberToIP(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}
