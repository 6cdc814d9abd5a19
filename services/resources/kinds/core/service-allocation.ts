import { errors, StatusError } from '../../../errors.js'
import type { Allocation, AllocationHost, Reservation } from '../../allocation.js'
import type { Decision } from '../../decision.js'
import { fieldError, invalid, type FieldError } from '../../field-errors.js'
import { arrayAt, deepEqual, isObject, objectAt, type JsonObject } from '../../../json.js'
import { canonicalIp, ipAddressFor, ipToNumber, numberToIp } from '../networking/ip-address.js'
import { serviceNodePortFor } from '../networking/service-node-port.js'
import { serviceRanges, type ServiceRanges } from './service-ranges.js'

/**
 * ClusterIP and nodePort allocation for Services, as kube-apiserver does it on create and update
 * (K `pkg/registry/core/service/storage/alloc.go`, `ipallocator/ipallocator.go`): every address is
 * reserved as an `IPAddress` object and every node port as a `ServiceNodePort` object, each
 * created with the precondition "must not exist" before the Service is stored, so several revkube
 * processes never hand out the same one. Reservations of a write that fails are taken back, and
 * those a Service no longer uses are released once its write is stored; a crash in between
 * leaves a reservation whose parent does not hold it, which the garbage collector removes after
 * a minute (services/controllers/reservation-repair.ts).
 */
export const serviceAllocation: Allocation = {
  create: allocateCreate,
  change: (host, decision, current) => allocate(host, decision, current),
}

const SPEC = 'spec'

/**
 * Allocates for a Service about to be created (the object is completed in place). A Service that
 * exists already is AlreadyExists before anything is reserved (apply relies on that to update).
 */
async function allocateCreate(host: AllocationHost, service: JsonObject): Promise<Reservation> {
  const { namespace, name } = metadataOf(service)
  if (await host.get('Service', String(namespace), String(name))) {
    throw errors.alreadyExists({ resource: 'services', group: '' }, String(name))
  }
  return allocate(host, { op: 'put', type: 'Created', object: service }, undefined)
}

/** Allocates and releases for a write to a Service: its create, an update, or its deletion (`op: 'delete'`). */
async function allocate(host: AllocationHost, decision: Decision, before: JsonObject | undefined): Promise<Reservation> {
  const noop = { decision, settle: async () => {} }
  if (!host.serves('IPAddress') || !host.serves('ServiceNodePort')) return noop
  const book = new Reservations(host, decision.object)
  if (decision.op === 'delete') return { decision, settle: (stored) => (stored ? book.release(held(decision.object)) : Promise.resolve()) }
  if (decision.op === 'none' || (decision.type !== 'Created' && decision.type !== 'Updated')) return noop
  const after = decision.object
  const spec = objectAt(after, SPEC) ?? {}
  const old = before ? (objectAt(before, SPEC) ?? {}) : undefined
  if (old) {
    patchAllocatedValues(spec, old)
    dropTypeDependentFields(spec, old)
  }
  const errors = normaliseClusterIPs(spec)
  if (errors.length > 0) throw invalid('Service', '', String(metadataOf(after).name), errors)
  let next: Decision = decision
  if (before && decision.type === 'Updated') {
    if (deepEqual(after.spec, before.spec)) metadataOf(after).generation = metadataOf(before).generation
    const comparable = (o: JsonObject) => ({ ...o, metadata: { ...metadataOf(o), resourceVersion: undefined } })
    if (deepEqual(comparable(after), comparable(before))) next = { op: 'none', object: before }
  }
  if (next.op === 'none') return { decision: next, settle: async () => {} }
  const ranges = serviceRanges()
  try {
    await allocateClusterIP(book, ranges, spec, old)
    await allocateNodePorts(book, ranges, spec, old)
  } catch (error) {
    await book.rollback()
    throw error
  }
  const giveUp = before ? difference(held(before), held(after)) : []
  return { decision: next, settle: (stored) => (stored ? book.release(giveUp) : book.rollback()) }
}

const needsClusterIP = (spec: JsonObject) => spec.type !== 'ExternalName'
const needsNodePort = (spec: JsonObject) => spec.type === 'NodePort' || spec.type === 'LoadBalancer'
const shouldAllocateNodePorts = (spec: JsonObject) =>
  spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false)
const portsOf = (spec: JsonObject) => arrayAt(spec, 'ports').filter(isObject)
const nodePortOf = (port: JsonObject) => (typeof port.nodePort === 'number' ? port.nodePort : 0)

/** `patchAllocatedValues`: an update that leaves out what was allocated keeps it. */
function patchAllocatedValues(spec: JsonObject, old: JsonObject): void {
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if (!spec.clusterIP) spec.clusterIP = old.clusterIP
    if (arrayAt(spec, 'clusterIPs').length === 0 && arrayAt(old, 'clusterIPs').length > 0) spec.clusterIPs = old.clusterIPs
  }
  if (needsNodePort(old) && needsNodePort(spec)) {
    const mine = new Set(portsOf(spec).map(nodePortOf))
    const used = new Set(
      portsOf(old)
        .map(nodePortOf)
        .filter((n) => n !== 0 && mine.has(n)),
    )
    const byName = new Map(portsOf(old).map((p) => [String(p.name ?? ''), nodePortOf(p)]))
    for (const port of portsOf(spec)) {
      const was = byName.get(String(port.name ?? '')) ?? 0
      if (nodePortOf(port) === 0 && was !== 0 && !used.has(was)) port.nodePort = was
    }
  }
}

/** `dropTypeDependentFields`: switching to a type that needs no clusterIP or node ports drops the ones allocated. */
function dropTypeDependentFields(spec: JsonObject, old: JsonObject): void {
  if (needsClusterIP(old) && !needsClusterIP(spec)) {
    if (spec.clusterIP === old.clusterIP && deepEqual(spec.clusterIPs, old.clusterIPs)) {
      delete spec.clusterIP
      delete spec.clusterIPs
    }
    if (deepEqual(spec.ipFamilies, old.ipFamilies)) delete spec.ipFamilies
    if (spec.ipFamilyPolicy === old.ipFamilyPolicy) delete spec.ipFamilyPolicy
  }
  const same = deepEqual(portsOf(spec).map(nodePortOf), portsOf(old).map(nodePortOf))
  if (needsNodePort(old) && !needsNodePort(spec) && same) for (const port of portsOf(spec)) delete port.nodePort
}

/** The service strategy's clusterIP/clusterIPs normalisation and the validation that goes with it (single-stack IPv4). */
function normaliseClusterIPs(spec: JsonObject): FieldError[] {
  const ips = arrayAt(spec, 'clusterIPs')
  if (spec.clusterIP && ips.length === 0) spec.clusterIPs = [spec.clusterIP]
  else if (!spec.clusterIP && ips.length > 0) spec.clusterIP = ips[0]
  const clusterIPs = arrayAt(spec, 'clusterIPs')
  if (!needsClusterIP(spec)) {
    return clusterIPs.length > 0 ? [fieldError.forbidden('spec.clusterIPs', 'may not be set for ExternalName services')] : []
  }
  const errors: FieldError[] = []
  if (clusterIPs.length > 0 && clusterIPs[0] !== spec.clusterIP)
    errors.push(fieldError.invalid('spec.clusterIPs', clusterIPs, 'first value must match `clusterIP`'))
  if (clusterIPs.length > 1) errors.push(fieldError.tooMany('spec.clusterIPs', clusterIPs.length, 1))
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === 'None') return
    if (typeof ip !== 'string' || canonicalIp(ip) === undefined) {
      errors.push(fieldError.invalid(`spec.clusterIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'))
    }
  })
  if (spec.clusterIP === 'None' && needsNodePort(spec)) {
    errors.push(fieldError.invalid('spec.clusterIP', 'None', `may not be set to 'None' for ${String(spec.type)} services`))
  }
  arrayAt(spec, 'ipFamilies').forEach((family, i) => {
    if (family !== 'IPv4') errors.push(fieldError.invalid(`spec.ipFamilies[${i}]`, family, 'not configured on this cluster'))
  })
  spec.ipFamilies ??= ['IPv4']
  spec.ipFamilyPolicy ??= 'SingleStack'
  return errors
}

async function allocateClusterIP(book: Reservations, ranges: ServiceRanges, spec: JsonObject, old: JsonObject | undefined): Promise<void> {
  if (!needsClusterIP(spec) || spec.clusterIP === 'None') return
  if (old && needsClusterIP(old) && old.clusterIP && old.clusterIP === spec.clusterIP) return
  if (spec.clusterIP) {
    const ip = canonicalIp(String(spec.clusterIP))!
    const n = ipToNumber(ip)
    const reason =
      n === undefined || n < ranges.first || n > ranges.last
        ? `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${ranges.cidr}`
        : (await book.take('IPAddress', ip))
          ? undefined
          : 'provided IP is already allocated'
    if (reason)
      throw book.invalid([fieldError.invalid('spec.clusterIPs', spec.clusterIPs ?? [ip], `failed to allocate IP ${ip}: ${reason}`)])
    return
  }
  const bands: Array<[number, number]> = [
    [ranges.first + ranges.ipOffset, ranges.last],
    [ranges.first, ranges.first + ranges.ipOffset - 1],
  ]
  const ip = await book.next('IPAddress', bands, numberToIp)
  if (ip === undefined) throw internal('failed to allocate a serviceIP: range is full')
  spec.clusterIP = ip
  spec.clusterIPs = [ip]
}

/** `initNodePorts` on create (ports with the same number share a node port) and `updateNodePorts` on update. */
async function allocateNodePorts(book: Reservations, ranges: ServiceRanges, spec: JsonObject, old: JsonObject | undefined): Promise<void> {
  const { min, max, offset } = ranges.ports
  const kept = new Set(
    old
      ? portsOf(old)
          .map(nodePortOf)
          .filter((n) => n !== 0)
      : [],
  )
  const taken = new Set<number>()
  const reserve = async (nodePort: number, i: number) => {
    const reason =
      nodePort < min || nodePort > max
        ? `provided port is not in the valid range. The range of valid ports is ${min}-${max}`
        : taken.has(nodePort) || !(await book.take('ServiceNodePort', String(nodePort)))
          ? 'provided port is already allocated'
          : undefined
    if (reason) throw book.invalid([fieldError.invalid(`spec.ports[${i}].nodePort`, nodePort, reason)])
    taken.add(nodePort)
  }
  const next = async () => {
    const found = await book.next(
      'ServiceNodePort',
      [
        [min + offset, max],
        [min, min + offset - 1],
      ],
      String,
    )
    if (found === undefined) throw internal('failed to allocate a nodePort: range is full')
    taken.add(Number(found))
    return Number(found)
  }
  const ports = portsOf(spec)
  const bySvcPort = new Map<unknown, number>()
  for (const [i, port] of ports.entries()) {
    if (nodePortOf(port) === 0 && !shouldAllocateNodePorts(spec)) continue
    if (old) {
      if (nodePortOf(port) === 0) port.nodePort = await next()
      else if (!kept.has(nodePortOf(port)) && !taken.has(nodePortOf(port))) await reserve(nodePortOf(port), i)
      continue
    }
    const allocated = bySvcPort.get(port.port)
    if (allocated === undefined) {
      const requested = nodePortOf(ports.find((p) => p.port === port.port && nodePortOf(p) !== 0) ?? {})
      if (requested !== 0) await reserve(requested, i)
      port.nodePort = requested !== 0 ? requested : await next()
      bySvcPort.set(port.port, nodePortOf(port))
    } else if (nodePortOf(port) === 0) port.nodePort = allocated
    else if (nodePortOf(port) !== allocated) await reserve(nodePortOf(port), i)
  }
}

/** What a stored Service holds: the names of its IPAddress and ServiceNodePort reservations. */
export function held(service: JsonObject): Array<[ReservationKind, string]> {
  const spec = objectAt(service, SPEC) ?? {}
  const out: Array<[ReservationKind, string]> = []
  if (needsClusterIP(spec) && typeof spec.clusterIP === 'string' && spec.clusterIP !== '' && spec.clusterIP !== 'None')
    out.push(['IPAddress', spec.clusterIP])
  for (const n of new Set(portsOf(spec).map(nodePortOf))) if (n !== 0) out.push(['ServiceNodePort', String(n)])
  return out
}

const difference = (a: Array<[ReservationKind, string]>, b: Array<[ReservationKind, string]>) =>
  a.filter(([kind, name]) => !b.some(([k, n]) => k === kind && n === name))

export type ReservationKind = 'IPAddress' | 'ServiceNodePort'

/** The reservations of one write: taken one by one, taken back together. */
class Reservations {
  private readonly taken: Array<[ReservationKind, string]> = []
  private readonly parent: { namespace: string; name: string }

  constructor(
    private readonly host: AllocationHost,
    service: JsonObject,
  ) {
    this.parent = { namespace: String(metadataOf(service).namespace ?? ''), name: String(metadataOf(service).name ?? '') }
  }

  /** Reserves one address or port; false when someone holds it. A dry run only looks. */
  async take(kind: ReservationKind, name: string): Promise<boolean> {
    if (this.host.dryRun) return !(await this.host.get(kind, '', name))
    const manifest = kind === 'IPAddress' ? ipAddressFor(name, this.parent) : serviceNodePortFor(Number(name), this.parent)
    if (!(await this.host.create(manifest))) return false
    this.taken.push([kind, name])
    return true
  }

  /** Kubernetes' `allocateNextService`: a random start in each band in turn, skipping what the live view knows is taken. */
  async next(kind: ReservationKind, bands: Array<[number, number]>, name: (n: number) => string): Promise<string | undefined> {
    for (const [low, high] of bands) {
      const size = high - low + 1
      if (size <= 0) continue
      const start = Math.floor(Math.random() * size)
      for (let i = 0; i < size; i++) {
        const candidate = name(low + ((start + i) % size))
        if (this.host.cached(kind, '', candidate)) continue
        if (this.taken.some(([k, n]) => k === kind && n === candidate)) continue
        if (await this.take(kind, candidate)) return candidate
      }
    }
    return undefined
  }

  invalid(errors: FieldError[]): StatusError {
    return invalid('Service', '', this.parent.name, errors)
  }

  async rollback(): Promise<void> {
    await this.release(this.taken.splice(0))
  }

  /** Deletes reservations that still name this Service; failures are left to the repair in the garbage collector. */
  async release(reservations: Array<[ReservationKind, string]>): Promise<void> {
    await Promise.all(
      reservations.map(async ([kind, name]) => {
        try {
          const current = await this.host.get(kind, '', name)
          const ref = objectAt(objectAt(current, SPEC), 'parentRef')
          if (!current || ref?.namespace !== this.parent.namespace || ref?.name !== this.parent.name) return
          await this.host.delete(kind, '', name, String(metadataOf(current).uid))
        } catch {
          // Released later by the repair (a reservation whose Service does not hold it).
        }
      }),
    )
  }
}

function internal(message: string): StatusError {
  return new StatusError('InternalError', `Internal error occurred: ${message}`, { causes: [{ reason: '', message }] })
}

const metadataOf = (object: JsonObject): JsonObject => objectAt(object, 'metadata') ?? {}
