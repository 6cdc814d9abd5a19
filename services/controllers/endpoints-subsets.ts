import { createHash } from 'node:crypto'

/**
 * Endpoints subsets in Kubernetes' canonical layout (K `pkg/api/v1/endpoints/util.go`
 * `RepackSubsets`, `SortSubsets`; `endpoints_controller.go` `truncateEndpoints`): addresses
 * grouped by the exact set of ports they serve, addresses sorted by IP then pod uid, and ports and
 * subsets sorted by the MD5 of their Go `%#v` rendering (go-spew with types, as
 * `hashutil.DeepHashObject` writes it), so the order matches a real cluster's byte for byte.
 */

export interface EndpointAddress {
  ip: string
  hostname?: string
  nodeName?: string
  targetRef?: { kind: string; namespace: string; name: string; uid: string }
}

export interface EndpointPort {
  name?: string
  port: number
  protocol: string
  appProtocol?: string
}

export interface EndpointSubset {
  addresses?: EndpointAddress[]
  notReadyAddresses?: EndpointAddress[]
  ports?: EndpointPort[]
}

/** One address serving one port (or, for a headless Service without ports, no port). */
export interface AddressEntry {
  address: EndpointAddress
  ready: boolean
  port: EndpointPort | undefined
}

/** The most addresses an Endpoints object holds; beyond, it is truncated and annotated. */
export const MAX_ENDPOINTS = 1000

const addressKey = (a: EndpointAddress) => `${a.ip}\u0000${a.targetRef?.uid ?? ''}`
const portKey = (p: EndpointPort | undefined) => (p ? JSON.stringify([p.name ?? '', p.port, p.protocol, p.appProtocol ?? null]) : '')

/** `RepackSubsets`: the canonical subsets for a list of (address, readiness, port) entries. Not-ready wins over ready. */
export function repackSubsets(entries: AddressEntry[]): EndpointSubset[] {
  const addresses = new Map<string, EndpointAddress>()
  const byPort = new Map<string, { port: EndpointPort | undefined; ready: Map<string, boolean> }>()
  for (const { address, ready, port } of entries) {
    const key = addressKey(address)
    if (!addresses.has(key)) addresses.set(key, address)
    let forPort = byPort.get(portKey(port))
    if (!forPort) byPort.set(portKey(port), (forPort = { port, ready: new Map() }))
    if (forPort.ready.get(key) !== false) forPort.ready.set(key, ready)
  }
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>()
  for (const { port, ready } of byPort.values()) {
    const key = [...ready]
      .map(([a, r]) => `${a}\u0001${r}`)
      .sort()
      .join('\u0002')
    let group = groups.get(key)
    if (!group) groups.set(key, (group = { ready, ports: [] }))
    if (port) group.ports.push(port)
  }
  const subsets = [...groups.values()].map(({ ready, ports }) => {
    const pick = (wanted: boolean) => [...ready].filter(([, r]) => r === wanted).map(([k]) => addresses.get(k)!)
    const subset: EndpointSubset = {}
    const readyAddresses = pick(true).sort(compareAddresses)
    const notReady = pick(false).sort(compareAddresses)
    if (readyAddresses.length > 0) subset.addresses = readyAddresses
    if (notReady.length > 0) subset.notReadyAddresses = notReady
    if (ports.length > 0) subset.ports = ports.sort((a, b) => Buffer.compare(md5(spewPort(a)), md5(spewPort(b))))
    return subset
  })
  return subsets.sort((a, b) => Buffer.compare(md5(spewSubset(a)), md5(spewSubset(b))))
}

/** `LessEndpointAddress`: by IP (as bytes), then by the target's uid. */
function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1
  const ua = a.targetRef?.uid ?? ''
  const ub = b.targetRef?.uid ?? ''
  return ua < ub ? -1 : ua > ub ? 1 : 0
}

/**
 * `truncateEndpoints`: keeps at most MAX_ENDPOINTS addresses, ready ones first, each subset
 * keeping its share (rounded up). Returns whether anything was cut.
 */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  const count = (list: EndpointAddress[] | undefined) => list?.length ?? 0
  const totalReady = subsets.reduce((n, s) => n + count(s.addresses), 0)
  const totalNotReady = subsets.reduce((n, s) => n + count(s.notReadyAddresses), 0)
  if (totalReady + totalNotReady <= MAX_ENDPOINTS) return false
  const truncateReady = totalReady > MAX_ENDPOINTS
  const max = truncateReady ? MAX_ENDPOINTS : MAX_ENDPOINTS - totalReady
  const total = truncateReady ? totalReady : totalNotReady
  let room = max
  for (const subset of subsets) {
    const inSubset = truncateReady ? count(subset.addresses) : count(subset.notReadyAddresses)
    const take = Math.min(Math.ceil((inSubset / total) * max), room)
    if (truncateReady) {
      subset.addresses = (subset.addresses ?? []).slice(0, take)
      delete subset.notReadyAddresses
      room -= subset.addresses.length
    } else {
      subset.notReadyAddresses = (subset.notReadyAddresses ?? []).slice(0, take)
      room -= subset.notReadyAddresses.length
    }
  }
  return true
}

const md5 = (text: string) => createHash('md5').update(text).digest()

const pointer = (type: string, value: string | undefined) => `(*${type})${value ?? '<nil>'}`

/** go-spew `%#v` of a v1.EndpointPort as a struct field value (`typed`: with its type in front). */
function spewPort(p: EndpointPort, typed = true): string {
  const body = `{Name:(string)${p.name ?? ''} Port:(int32)${p.port} Protocol:(v1.Protocol)${p.protocol} AppProtocol:${pointer('string', p.appProtocol)}}`
  return typed ? `(v1.EndpointPort)${body}` : body
}

function spewAddress(a: EndpointAddress): string {
  const ref = a.targetRef
    ? `(*v1.ObjectReference){Kind:(string)${a.targetRef.kind} Namespace:(string)${a.targetRef.namespace} Name:(string)${a.targetRef.name} UID:(types.UID)${a.targetRef.uid} APIVersion:(string) ResourceVersion:(string) FieldPath:(string)}`
    : '(*v1.ObjectReference)<nil>'
  // The controller always sets nodeName (a pointer to the pod's, possibly empty).
  return `{IP:(string)${a.ip} Hostname:(string)${a.hostname ?? ''} NodeName:${pointer('string', a.nodeName ?? '')} TargetRef:${ref}}`
}

function spewSlice<T>(type: string, items: T[] | undefined, one: (item: T) => string): string {
  return `([]${type})${items ? `[${items.map(one).join(' ')}]` : '<nil>'}`
}

function spewSubset(s: EndpointSubset): string {
  return (
    `(v1.EndpointSubset){Addresses:${spewSlice('v1.EndpointAddress', s.addresses, spewAddress)} ` +
    `NotReadyAddresses:${spewSlice('v1.EndpointAddress', s.notReadyAddresses, spewAddress)} ` +
    `Ports:${spewSlice('v1.EndpointPort', s.ports, (p) => spewPort(p, false))}}`
  )
}
