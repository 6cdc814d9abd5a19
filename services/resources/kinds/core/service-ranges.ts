import { ConfigError } from '../../../config-error.js'
import { canonicalIp, ipToNumber, numberToIp } from '../networking/ip-address.js'

/** The service IP range and node port range in force. */
export interface ServiceRanges {
  cidr: string
  /** First and last allocatable IPv4 addresses as numbers (the network and broadcast addresses are not). */
  first: number
  last: number
  /** Size of the lower band kept for requested addresses (KEP-3070): dynamic allocation tries above it first. */
  ipOffset: number
  ports: { min: number; max: number; offset: number }
}

/**
 * The ranges from `REVKUBE_SERVICE_CIDR` (an IPv4 CIDR, @default 10.96.0.0/12, kubeadm's) and
 * `REVKUBE_SERVICE_NODE_PORT_RANGE` (@default 30000-32767).
 */
export function serviceRanges(env: NodeJS.ProcessEnv = process.env): ServiceRanges {
  const cidr = env.REVKUBE_SERVICE_CIDR?.trim() || '10.96.0.0/12'
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr)
  const base = match ? ipToNumber(canonicalIp(match[1]!) ?? '') : undefined
  const prefix = Number(match?.[2])
  if (base === undefined || !(prefix >= 1 && prefix <= 30)) {
    throw new ConfigError(`REVKUBE_SERVICE_CIDR must be an IPv4 CIDR with a prefix from /1 to /30, such as 10.96.0.0/12, got "${cidr}"`)
  }
  const size = 2 ** (32 - prefix)
  const network = base - (base % size)
  const range = env.REVKUBE_SERVICE_NODE_PORT_RANGE?.trim() || '30000-32767'
  const ports = /^(\d{1,5})-(\d{1,5})$/.exec(range)
  const min = Number(ports?.[1])
  const max = Number(ports?.[2])
  if (!ports || !(min >= 1 && min <= max && max <= 65535)) {
    throw new ConfigError(`REVKUBE_SERVICE_NODE_PORT_RANGE must be a port range such as 30000-32767, got "${range}"`)
  }
  return {
    cidr: `${numberToIp(network)}/${prefix}`,
    first: network + 1,
    last: network + size - 2,
    ipOffset: rangeOffset(size, 16, 256, 16),
    ports: { min, max, offset: rangeOffset(max - min + 1, 16, 128, 32) },
  }
}

/** The address of `default/kubernetes`: the first of the range. */
export const firstServiceIp = (ranges = serviceRanges()) => numberToIp(ranges.first)

/** `min(max(min, size/step), max)`, and nothing for ranges of `min` or fewer. */
function rangeOffset(size: number, min: number, max: number, step: number): number {
  if (size <= min) return 0
  return Math.min(Math.max(min, Math.floor(size / step)), max)
}
