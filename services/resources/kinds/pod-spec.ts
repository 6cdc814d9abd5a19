import { fieldError, type FieldError } from '../field-errors.js'
import { arrayAt, child, defaultTo, isObject, objectAt, type JsonObject } from '../../json.js'
import { trimGoSpace } from '../validation/go-space.js'
import { labelValue, validateLabels } from '../validation/labels.js'
import { inclusiveRangeError } from '../validation/messages.js'
import { qualifiedName, validateName } from '../validation/names.js'
import { compareQuantities, parseQuantity } from '../validation/quantity.js'
import { defaultContainer, validateContainers } from './container.js'
import { defaultZero } from './zero-value.js'

/**
 * Pod spec defaults and validation, shared by Pods and every pod template (Deployments, Jobs, …)
 * (kubernetes `pkg/apis/core/v1/defaults.go`, `pkg/apis/core/validation/validation.go`).
 */

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never']
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']
const TOLERATION_OPERATORS = ['Equal', 'Exists']
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute']
const CONTAINER_LISTS = ['initContainers', 'containers'] as const
const VOLUME_SOURCES_WITH_MODE = ['secret', 'configMap', 'downwardAPI', 'projected']
const MAX_INT32 = 2147483647

/**
 * `SetDefaults_PodSpec` and what the generated defaulters apply to every pod spec, pod templates
 * included: policies, grace period, scheduler, containers, volumes. Pod-only defaults are in
 * {@link defaultPodOnly}.
 */
export function defaultPodSpec(spec: JsonObject): void {
  defaultZero(spec, 'dnsPolicy', 'ClusterFirst')
  defaultZero(spec, 'restartPolicy', 'Always')
  defaultTo(spec, 'securityContext', {})
  defaultTo(spec, 'terminationGracePeriodSeconds', 30)
  defaultZero(spec, 'schedulerName', 'default-scheduler')
  // v1 conversion: the deprecated `serviceAccount` mirrors `serviceAccountName`, and fills it when only it is set.
  defaultZero(spec, 'serviceAccountName', spec.serviceAccount)
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '') spec.serviceAccount = spec.serviceAccountName
  else delete spec.serviceAccountName
  for (const list of CONTAINER_LISTS) {
    for (const container of arrayAt(spec, list)) if (isObject(container)) defaultContainer(container)
  }
  for (const volume of arrayAt(spec, 'volumes')) {
    if (!isObject(volume)) continue
    if (Object.keys(volume).every((key) => key === 'name')) volume.emptyDir = {}
    for (const source of VOLUME_SOURCES_WITH_MODE) {
      const value = objectAt(volume, source)
      if (value) defaultTo(value, 'defaultMode', 420)
    }
  }
}

/**
 * What only a Pod gets, not a pod template: `SetDefaults_Pod` (requests from limits, service links,
 * host ports on the host network) and the admission plugins every cluster runs (ServiceAccount:
 * `default`; DefaultTolerationSeconds: 300 s for not-ready and unreachable nodes).
 */
export function defaultPodOnly(spec: JsonObject): void {
  for (const list of CONTAINER_LISTS) {
    for (const container of arrayAt(spec, list)) {
      if (!isObject(container)) continue
      const resources = objectAt(container, 'resources')
      const limits = objectAt(resources, 'limits')
      if (resources && limits) resources.requests = { ...limits, ...objectAt(resources, 'requests') }
      if (spec.hostNetwork === true) {
        for (const port of arrayAt(container, 'ports')) if (isObject(port)) defaultZero(port, 'hostPort', port.containerPort)
      }
    }
  }
  defaultTo(spec, 'enableServiceLinks', true)
  defaultZero(spec, 'serviceAccountName', 'default')
  spec.serviceAccount = spec.serviceAccountName
  defaultTolerationSeconds(spec)
}

/** Every pod tolerates not-ready and unreachable nodes for 300 s unless it says otherwise. */
function defaultTolerationSeconds(spec: JsonObject): void {
  const tolerations = arrayAt(spec, 'tolerations').filter(isObject)
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const tolerated = tolerations.some(
      (t) => (t.key === key || ((t.key ?? '') === '' && t.operator === 'Exists')) && ((t.effect ?? '') === '' || t.effect === 'NoExecute'),
    )
    if (!tolerated) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 })
  }
  spec.tolerations = tolerations
}

/**
 * `ValidatePodSpec` at `path` (`spec`, `spec.template.spec`, …): volumes, containers, init
 * containers, policies, node selector, names and tolerations, in upstream's order.
 */
export function validatePodSpec(spec: unknown, path: string): FieldError[] {
  const pod = isObject(spec) ? spec : {}
  const errors: FieldError[] = []
  const volumes = new Set<string>()
  arrayAt(pod, 'volumes').forEach((volume, i) => {
    const at = `${path}.volumes[${i}].name`
    const name = isObject(volume) && typeof volume.name === 'string' ? volume.name : ''
    if (name === '') errors.push(fieldError.required(at))
    else errors.push(...validateName('dns1123-label', name, at))
    if (volumes.has(name)) errors.push(fieldError.duplicate(at, name))
    else volumes.add(name)
  })
  const containers = arrayAt(pod, 'containers')
  const initContainers = arrayAt(pod, 'initContainers')
  errors.push(...validateContainers(containers, `${path}.containers`, volumes, true))
  errors.push(...validateContainers(initContainers, `${path}.initContainers`, volumes, false))
  const names = new Set(containers.map((c) => (isObject(c) ? c.name : undefined)))
  initContainers.forEach((c, i) => {
    const name = isObject(c) && typeof c.name === 'string' ? c.name : ''
    if (names.has(name)) errors.push(fieldError.duplicate(`${path}.initContainers[${i}].name`, name))
    if (name !== '') names.add(name)
  })
  errors.push(...oneOf(pod.restartPolicy, `${path}.restartPolicy`, RESTART_POLICIES))
  errors.push(...oneOf(pod.dnsPolicy, `${path}.dnsPolicy`, DNS_POLICIES))
  if (pod.nodeSelector !== undefined) errors.push(...validateLabels(pod.nodeSelector, `${path}.nodeSelector`))
  for (const field of ['serviceAccountName', 'nodeName'] as const) {
    const value = pod[field]
    if (typeof value === 'string' && value !== '') errors.push(...validateName('dns1123-subdomain', value, `${path}.${field}`))
  }
  const deadline = pod.activeDeadlineSeconds
  if (deadline !== undefined && deadline !== null && (typeof deadline !== 'number' || deadline < 1 || deadline > MAX_INT32)) {
    errors.push(fieldError.invalid(`${path}.activeDeadlineSeconds`, deadline, inclusiveRangeError(1, MAX_INT32)))
  }
  for (const field of ['hostname', 'subdomain'] as const) {
    const value = pod[field]
    if (typeof value === 'string' && value !== '') errors.push(...validateName('dns1123-label', value, `${path}.${field}`))
  }
  arrayAt(pod, 'tolerations').forEach((t, i) => errors.push(...validateToleration(t, `${path}.tolerations[${i}]`)))
  const grace = pod.terminationGracePeriodSeconds
  if (grace !== undefined && (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0)) {
    errors.push(fieldError.invalid(`${path}.terminationGracePeriodSeconds`, grace, 'must be greater than or equal to 0'))
  }
  return errors
}

/** What only a Pod is checked for (`validateContainersOnlyForPod`): images without surrounding whitespace. */
export function validatePodOnly(spec: unknown, path: string): FieldError[] {
  const errors: FieldError[] = []
  for (const list of ['containers', 'initContainers'] as const) {
    arrayAt(spec, list).forEach((container, i) => {
      const image = isObject(container) ? container.image : undefined
      if (typeof image === 'string' && trimGoSpace(image) !== image) {
        errors.push(fieldError.invalid(`${path}.${list}[${i}].image`, image, 'must not have leading or trailing whitespace'))
      }
    })
  }
  return errors
}

/** A required enum field: `Required value` when empty, `Unsupported value` when unknown. */
export function oneOf(value: unknown, path: string, supported: string[]): FieldError[] {
  if (value === undefined || value === null || value === '') return [fieldError.required(path)]
  return supported.includes(value as string) ? [] : [fieldError.notSupported(path, value, supported)]
}

/** `ValidateTolerations` for one toleration. */
function validateToleration(toleration: unknown, path: string): FieldError[] {
  if (!isObject(toleration)) return [fieldError.invalid(path, toleration, 'must be an object')]
  const errors: FieldError[] = []
  const key = typeof toleration.key === 'string' ? toleration.key : ''
  const operator = toleration.operator ?? ''
  const effect = toleration.effect ?? ''
  const value = typeof toleration.value === 'string' ? toleration.value : ''
  if (key !== '') errors.push(...qualifiedName(key).map((message) => fieldError.invalid(`${path}.key`, key, message)))
  if (key === '' && operator !== 'Exists') {
    errors.push(
      fieldError.invalid(
        `${path}.operator`,
        operator,
        'operator must be Exists when `key` is empty, which means "match all values and all keys"',
      ),
    )
  }
  if (toleration.tolerationSeconds !== undefined && toleration.tolerationSeconds !== null && effect !== 'NoExecute') {
    errors.push(fieldError.invalid(`${path}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
  }
  if (operator === 'Equal' || operator === '') {
    const problems = labelValue(value)
    if (problems.length > 0) errors.push(fieldError.invalid(`${path}.operator`, value, problems.join(';')))
  } else if (operator === 'Exists') {
    if (value !== '') errors.push(fieldError.invalid(`${path}.operator`, toleration, "value must be empty when `operator` is 'Exists'"))
  } else errors.push(fieldError.notSupported(`${path}.operator`, operator, TOLERATION_OPERATORS))
  if (effect !== '' && !TAINT_EFFECTS.includes(effect as string))
    errors.push(fieldError.notSupported(`${path}.effect`, effect, TAINT_EFFECTS))
  return errors
}

/** Kubernetes' QoS class of a pod spec: Guaranteed, Burstable or BestEffort. */
export function qosClass(spec: JsonObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...arrayAt(spec, 'initContainers'), ...arrayAt(spec, 'containers')].filter(isObject)
  let any = false
  let guaranteed = true
  for (const c of containers) {
    const requests = objectAt(objectAt(c, 'resources'), 'requests') ?? {}
    const limits = objectAt(objectAt(c, 'resources'), 'limits') ?? {}
    for (const resource of ['cpu', 'memory']) {
      const request = requests[resource] ?? limits[resource]
      const limit = limits[resource]
      if (request !== undefined || limit !== undefined) any = true
      const r = request === undefined ? undefined : parseQuantity(String(request))
      const l = limit === undefined ? undefined : parseQuantity(String(limit))
      if (!r || !l || compareQuantities(r, l) !== 0) guaranteed = false
    }
  }
  if (!any) return 'BestEffort'
  return guaranteed ? 'Guaranteed' : 'Burstable'
}

/** The pod spec of a template, created if missing, so that defaults apply to what validation sees. */
export function templatePodSpec(spec: JsonObject): JsonObject {
  return child(child(spec, 'template'), 'spec')
}
