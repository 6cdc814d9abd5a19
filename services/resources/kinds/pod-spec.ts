import { fieldError, type FieldError } from '../field-errors.js'
import { arrayAt, defaultTo, isObject, objectAt, type JsonObject } from '../json.js'
import { validateLabels } from '../validation/labels.js'
import { validateName } from '../validation/names.js'
import { compareQuantities, parseQuantity, validateQuantity } from '../validation/quantity.js'
import { validateImage, validatePort, validatePortName } from '../validation/common.js'

/** Pod spec defaults and validation, shared by Pods and every pod template (Deployments, Jobs, …). */

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never']
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never']
const PROTOCOLS = ['TCP', 'UDP', 'SCTP']
const TOLERATION_OPERATORS = ['Exists', 'Equal']
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute']
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/
const CONTAINER_LISTS = ['initContainers', 'containers'] as const

/** Kubernetes' defaults for a pod spec (SetDefaults_PodSpec, _Container, DefaultTolerationSeconds). */
export function defaultPodSpec(spec: JsonObject): void {
  defaultTo(spec, 'restartPolicy', 'Always')
  defaultTo(spec, 'dnsPolicy', 'ClusterFirst')
  defaultTo(spec, 'terminationGracePeriodSeconds', 30)
  defaultTo(spec, 'securityContext', {})
  defaultTo(spec, 'schedulerName', 'default-scheduler')
  defaultTo(spec, 'enableServiceLinks', true)
  defaultTo(spec, 'serviceAccountName', typeof spec.serviceAccount === 'string' ? spec.serviceAccount : 'default')
  defaultTo(spec, 'serviceAccount', spec.serviceAccountName)
  for (const list of CONTAINER_LISTS) {
    for (const container of arrayAt(spec, list)) if (isObject(container)) defaultContainer(container)
  }
  defaultTolerationSeconds(spec)
}

function defaultContainer(container: JsonObject): void {
  const image = typeof container.image === 'string' ? container.image : ''
  const tag = image.includes('@') ? 'digest' : (image.split('/').pop() ?? '').split(':')[1]
  defaultTo(container, 'imagePullPolicy', tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent')
  defaultTo(container, 'terminationMessagePath', '/dev/termination-log')
  defaultTo(container, 'terminationMessagePolicy', 'File')
  defaultTo(container, 'resources', {})
  for (const port of arrayAt(container, 'ports')) if (isObject(port)) defaultTo(port, 'protocol', 'TCP')
}

/** Every pod tolerates not-ready and unreachable nodes for 300 s unless it says otherwise. */
function defaultTolerationSeconds(spec: JsonObject): void {
  const tolerations = arrayAt(spec, 'tolerations').filter(isObject)
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const tolerated = tolerations.some(
      (t) => (t.key === key || (t.key === undefined && t.operator === 'Exists')) && (t.effect === undefined || t.effect === 'NoExecute'),
    )
    if (!tolerated) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 })
  }
  spec.tolerations = tolerations
}

/** Validates a pod spec at `path` (`spec`, `spec.template.spec`, …). */
export function validatePodSpec(spec: unknown, path: string, options: { restartPolicies?: string[] } = {}): FieldError[] {
  if (!isObject(spec)) return [fieldError.required(path)]
  const errors: FieldError[] = []
  const volumes = new Set<string>()
  arrayAt(spec, 'volumes').forEach((volume, i) => {
    const at = `${path}.volumes[${i}]`
    const name = isObject(volume) ? volume.name : undefined
    if (typeof name !== 'string' || name === '') return errors.push(fieldError.required(`${at}.name`))
    errors.push(...validateName('dns1123-label', name, `${at}.name`))
    if (volumes.has(name)) errors.push(fieldError.duplicate(`${at}.name`, name))
    volumes.add(name)
  })

  if (arrayAt(spec, 'containers').length === 0) errors.push(fieldError.required(`${path}.containers`))
  const containerNames = new Set<string>()
  const portNames = new Set<string>()
  for (const list of CONTAINER_LISTS) {
    arrayAt(spec, list).forEach((container, i) => {
      errors.push(...validateContainer(container, `${path}.${list}[${i}]`, containerNames, portNames, volumes))
    })
  }

  const allowed = options.restartPolicies ?? RESTART_POLICIES
  if (spec.restartPolicy !== undefined && !allowed.includes(spec.restartPolicy as string)) {
    errors.push(fieldError.notSupported(`${path}.restartPolicy`, spec.restartPolicy, allowed))
  }
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(spec.dnsPolicy as string)) {
    errors.push(fieldError.notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES))
  }
  const grace = spec.terminationGracePeriodSeconds
  if (grace !== undefined && (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0)) {
    errors.push(fieldError.invalid(`${path}.terminationGracePeriodSeconds`, grace, 'must be greater than or equal to 0'))
  }
  if (spec.nodeSelector !== undefined) errors.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`))
  arrayAt(spec, 'tolerations').forEach((t, i) => errors.push(...validateToleration(t, `${path}.tolerations[${i}]`)))
  return errors
}

function validateContainer(
  container: unknown,
  path: string,
  names: Set<string>,
  portNames: Set<string>,
  volumes: Set<string>,
): FieldError[] {
  if (!isObject(container)) return [fieldError.invalid(path, container, 'must be an object')]
  const errors: FieldError[] = []
  const name = container.name
  if (typeof name !== 'string' || name === '') {
    errors.push(fieldError.required(`${path}.name`))
  } else {
    errors.push(...validateName('dns1123-label', name, `${path}.name`))
    if (names.has(name)) errors.push(fieldError.duplicate(`${path}.name`, name))
    names.add(name)
  }
  errors.push(...validateImage(container.image, `${path}.image`))
  if (container.imagePullPolicy !== undefined && !PULL_POLICIES.includes(container.imagePullPolicy as string)) {
    errors.push(fieldError.notSupported(`${path}.imagePullPolicy`, container.imagePullPolicy, PULL_POLICIES))
  }
  arrayAt(container, 'ports').forEach((port, i) => {
    const at = `${path}.ports[${i}]`
    if (!isObject(port)) return errors.push(fieldError.invalid(at, port, 'must be an object'))
    errors.push(...validatePort(port.containerPort, `${at}.containerPort`))
    if (port.protocol !== undefined && !PROTOCOLS.includes(port.protocol as string)) {
      errors.push(fieldError.notSupported(`${at}.protocol`, port.protocol, PROTOCOLS))
    }
    if (port.name !== undefined) {
      errors.push(...validatePortName(port.name, `${at}.name`))
      if (typeof port.name === 'string' && portNames.has(port.name)) errors.push(fieldError.duplicate(`${at}.name`, port.name))
      if (typeof port.name === 'string') portNames.add(port.name)
    }
  })
  arrayAt(container, 'env').forEach((env, i) => {
    const at = `${path}.env[${i}]`
    const envName = isObject(env) ? env.name : undefined
    if (typeof envName !== 'string' || envName === '') return errors.push(fieldError.required(`${at}.name`))
    if (!ENV_NAME.test(envName)) {
      errors.push(
        fieldError.invalid(
          `${at}.name`,
          envName,
          "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
        ),
      )
    }
  })
  arrayAt(container, 'volumeMounts').forEach((mount, i) => {
    const at = `${path}.volumeMounts[${i}]`
    const mountName = isObject(mount) ? mount.name : undefined
    if (typeof mountName !== 'string' || mountName === '') errors.push(fieldError.required(`${at}.name`))
    else if (!volumes.has(mountName)) errors.push(fieldError.notFound(`${at}.name`, mountName))
    if (!isObject(mount) || typeof mount.mountPath !== 'string' || mount.mountPath === '') errors.push(fieldError.required(`${at}.mountPath`))
  })
  errors.push(...validateResources(container.resources, `${path}.resources`))
  return errors
}

/** Requests and limits: valid non-negative quantities, and no request above its limit. */
export function validateResources(resources: unknown, path: string): FieldError[] {
  if (resources === undefined) return []
  if (!isObject(resources)) return [fieldError.invalid(path, resources, 'must be an object')]
  const errors: FieldError[] = []
  for (const kind of ['requests', 'limits'] as const) {
    const list = objectAt(resources, kind)
    for (const [name, value] of Object.entries(list ?? {})) {
      errors.push(...validateQuantity(value, `${path}.${kind}[${name}]`, { nonNegative: true }))
    }
  }
  const requests = objectAt(resources, 'requests') ?? {}
  const limits = objectAt(resources, 'limits') ?? {}
  for (const [name, request] of Object.entries(requests)) {
    const limit = limits[name]
    const r = parseQuantity(String(request))
    const l = limit === undefined ? undefined : parseQuantity(String(limit))
    if (r && l && compareQuantities(r, l) > 0) {
      errors.push(fieldError.invalid(`${path}.requests`, String(request), `must be less than or equal to ${name} limit of ${String(limit)}`))
    }
  }
  return errors
}

function validateToleration(toleration: unknown, path: string): FieldError[] {
  if (!isObject(toleration)) return [fieldError.invalid(path, toleration, 'must be an object')]
  const errors: FieldError[] = []
  const operator = toleration.operator ?? 'Equal'
  if (!TOLERATION_OPERATORS.includes(operator as string)) {
    errors.push(fieldError.notSupported(`${path}.operator`, operator, TOLERATION_OPERATORS))
  }
  if (operator === 'Exists' && toleration.value !== undefined && toleration.value !== '') {
    errors.push(fieldError.invalid(`${path}.operator`, toleration.value, 'value must be empty when `operator` is \'Exists\''))
  }
  if (toleration.effect !== undefined && toleration.effect !== '' && !TAINT_EFFECTS.includes(toleration.effect as string)) {
    errors.push(fieldError.notSupported(`${path}.effect`, toleration.effect, TAINT_EFFECTS))
  }
  if (toleration.tolerationSeconds !== undefined && toleration.effect !== 'NoExecute') {
    errors.push(fieldError.invalid(`${path}.effect`, toleration.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'))
  }
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
