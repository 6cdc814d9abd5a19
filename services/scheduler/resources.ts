import type { Container, Node, PodSpec } from 'kubernetes-types/core/v1.js'
import { isObject } from '../json.js'
import { milliValue, parseQuantity, quantityParseError, value } from '../resources/validation/quantity.js'
import { listOf, objectOr } from './stored.js'

/**
 * Resource amounts as the scheduler counts them (Kubernetes' `framework.Resource`): cpu in
 * millicores, memory and ephemeral storage in bytes, and the scalar resources (extended resources
 * such as `example.com/gpu`, `hugepages-*`, `attachable-volumes-*`) in whole units. Resource names
 * the scheduler does not count (`foo`, `kubernetes.io/x`) are ignored, as upstream ignores them.
 */
export interface Resources {
  milliCpu: number
  memory: number
  ephemeralStorage: number
  scalar: Map<string, number> | undefined
}

/** A pod's request, what NodeResourcesFit filters on, and the non-zero request scoring assumes. */
export interface PodRequests {
  requests: Resources
  /** cpu with 100m for each container that requests none (`schedutil.DefaultMilliCPURequest`) */
  nonZeroCpu: number
  /** memory with 200Mi for each container that requests none (`schedutil.DefaultMemoryRequest`) */
  nonZeroMemory: number
}

export const DEFAULT_MILLI_CPU_REQUEST = 100
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

export const emptyResources = (): Resources => ({ milliCpu: 0, memory: 0, ephemeralStorage: 0, scalar: undefined })

/** Whether a resource name is one of the scalar resources NodeResourcesFit counts. */
export function isScalarResource(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true
  // Extended resources: domain-qualified, outside kubernetes.io.
  return name.includes('/') && !name.includes('kubernetes.io/') && !name.startsWith('requests.')
}

/** Adds `r` times `sign` into `into`. */
export function addResources(into: Resources, r: Resources, sign = 1): void {
  into.milliCpu += sign * r.milliCpu
  into.memory += sign * r.memory
  into.ephemeralStorage += sign * r.ephemeralStorage
  if (!r.scalar) return
  into.scalar ??= new Map()
  for (const [name, amount] of r.scalar) into.scalar.set(name, (into.scalar.get(name) ?? 0) + sign * amount)
}

function maxResources(into: Resources, r: Resources): void {
  into.milliCpu = Math.max(into.milliCpu, r.milliCpu)
  into.memory = Math.max(into.memory, r.memory)
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage)
  if (!r.scalar) return
  into.scalar ??= new Map()
  for (const [name, amount] of r.scalar) into.scalar.set(name, Math.max(into.scalar.get(name) ?? 0, amount))
}

const copy = (r: Resources): Resources => ({ ...r, scalar: r.scalar && new Map(r.scalar) })

/** Parsed quantities by their text: pods repeat the same few strings ("100m", "128Mi") endlessly. */
const parsed = new Map<string, { milli: number; whole: number } | string>()

/** A quantity in millis and whole units, or Kubernetes' reason it is not one. */
function quantity(raw: unknown): { milli: number; whole: number } | string {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : undefined
  if (text === undefined) return `must be a quantity, not ${JSON.stringify(raw) ?? 'undefined'}`
  let known = parsed.get(text)
  if (known === undefined) {
    const q = parseQuantity(text)
    known = q ? { milli: milliValue(q), whole: value(q) } : (quantityParseError(text) ?? 'unable to parse quantity')
    if (parsed.size > 10_000) parsed.clear()
    parsed.set(text, known)
  }
  return known
}

/**
 * A resource list (`requests`, `allocatable`, `overhead`) as amounts. A malformed quantity is
 * left out and described in `problems` as `<path>[<name>]: Invalid value: …`.
 */
export function resourceList(list: unknown, path: string, problems: string[]): Resources {
  const out = emptyResources()
  if (!isObject(list)) return out
  for (const name of Object.keys(list)) {
    const scalar = isScalarResource(name)
    if (name !== 'cpu' && name !== 'memory' && name !== 'ephemeral-storage' && !scalar) continue
    const q = quantity(list[name])
    if (typeof q === 'string') {
      problems.push(`${path}[${name}]: Invalid value: ${JSON.stringify(list[name]) ?? 'null'}: ${q}`)
      continue
    }
    if (name === 'cpu') out.milliCpu = q.milli
    else if (name === 'memory') out.memory = q.whole
    else if (name === 'ephemeral-storage') out.ephemeralStorage = q.whole
    else (out.scalar ??= new Map()).set(name, q.whole)
  }
  return out
}

/**
 * What a pod requests (resourcehelper `PodRequests`): the sum over its containers, raised to the
 * largest init container (a restartable, "sidecar" init container keeps running, so it adds to
 * the sum and to every init container started after it), plus the pod overhead.
 */
export function podRequests(spec: PodSpec, problems: string[] = []): PodRequests {
  const requests = emptyResources()
  let nonZeroCpu = 0
  let nonZeroMemory = 0
  const containerRequests = (c: Container, path: string) => {
    const list = objectOr(objectOr(c)?.resources?.requests)
    const r = resourceList(list, `${path}.resources.requests`, problems)
    const cpu = list && 'cpu' in list ? r.milliCpu : DEFAULT_MILLI_CPU_REQUEST
    const memory = list && 'memory' in list ? r.memory : DEFAULT_MEMORY_REQUEST
    return { r, cpu, memory }
  }
  listOf(spec.containers).forEach((c, i) => {
    const { r, cpu, memory } = containerRequests(c, `spec.containers[${i}]`)
    addResources(requests, r)
    nonZeroCpu += cpu
    nonZeroMemory += memory
  })
  const sidecars = emptyResources()
  const initMax = emptyResources()
  let sidecarCpu = 0
  let sidecarMemory = 0
  let initCpu = 0
  let initMemory = 0
  listOf(spec.initContainers).forEach((c, i) => {
    const { r, cpu, memory } = containerRequests(c, `spec.initContainers[${i}]`)
    if (isObject(c) && c.restartPolicy === 'Always') {
      addResources(requests, r)
      addResources(sidecars, r)
      nonZeroCpu += cpu
      nonZeroMemory += memory
      sidecarCpu += cpu
      sidecarMemory += memory
      maxResources(initMax, sidecars)
      initCpu = Math.max(initCpu, sidecarCpu)
      initMemory = Math.max(initMemory, sidecarMemory)
      return
    }
    const running = copy(r)
    addResources(running, sidecars)
    maxResources(initMax, running)
    initCpu = Math.max(initCpu, cpu + sidecarCpu)
    initMemory = Math.max(initMemory, memory + sidecarMemory)
  })
  maxResources(requests, initMax)
  nonZeroCpu = Math.max(nonZeroCpu, initCpu)
  nonZeroMemory = Math.max(nonZeroMemory, initMemory)
  const overhead = resourceList(spec.overhead, 'spec.overhead', problems)
  addResources(requests, overhead)
  return { requests, nonZeroCpu: nonZeroCpu + overhead.milliCpu, nonZeroMemory: nonZeroMemory + overhead.memory }
}

/** A node's allocatable resources and pod slots; a malformed or missing amount counts as none. */
export function nodeAllocatable(node: Node): { allocatable: Resources; allowedPods: number } {
  const list = node.status?.allocatable
  const allocatable = resourceList(list, 'status.allocatable', [])
  const pods = list?.pods === undefined ? undefined : quantity(list.pods)
  return { allocatable, allowedPods: pods === undefined || typeof pods === 'string' ? 0 : pods.whole }
}

/** Whether a pod requests nothing NodeResourcesFit checks beyond a pod slot. */
export function requestsNothing(r: Resources): boolean {
  return r.milliCpu === 0 && r.memory === 0 && r.ephemeralStorage === 0 && (r.scalar === undefined || r.scalar.size === 0)
}
