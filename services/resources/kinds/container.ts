import { fieldError, type FieldError } from '../field-errors.js'
import { arrayAt, defaultTo, isObject, objectAt, type JsonObject } from '../../json.js'
import { validateName, qualifiedName } from '../validation/names.js'
import { compareQuantities, parseQuantity, quantityString, validateQuantity } from '../validation/quantity.js'
import { validatePort, validatePortName, validatePortNumberOrName } from '../validation/common.js'
import { defaultPullPolicy } from './image-reference.js'
import { defaultZero } from './zero-value.js'

/**
 * Containers of a pod spec: Kubernetes' defaults (`SetDefaults_Container`, `_ContainerPort`,
 * `_Probe`, `_HTTPGetAction`) and the checks of `validateContainers` (kubernetes
 * `pkg/apis/core/validation/validation.go`), in the order upstream reports them.
 */

/** Supported values are listed sorted, as upstream's `sets.List` prints them. */
const PROTOCOLS = ['SCTP', 'TCP', 'UDP']
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never']
const MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError']
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const
/** `IsEnvVarName`: the rule for environment variable names, and Kubernetes' message when one breaks it. */
export const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/
export const ENV_NAME_ERROR =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"
const CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage']
/** Resource names that need no domain prefix (`helper.IsStandardResourceName`). */
const STANDARD_RESOURCES = new Set([
  ...CONTAINER_RESOURCES,
  ...CONTAINER_RESOURCES.flatMap((r) => [`requests.${r}`, `limits.${r}`]),
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
])

/** `SetDefaults_Container`: pull policy from the image tag, termination message, port protocols, probes. */
export function defaultContainer(container: JsonObject): void {
  defaultZero(container, 'imagePullPolicy', defaultPullPolicy(container.image))
  defaultZero(container, 'terminationMessagePath', '/dev/termination-log')
  defaultZero(container, 'terminationMessagePolicy', 'File')
  defaultTo(container, 'resources', {})
  for (const list of ['limits', 'requests']) {
    const quantities = objectAt(objectAt(container, 'resources'), list)
    if (quantities) for (const [name, value] of Object.entries(quantities)) quantities[name] = canonicalQuantity(value)
  }
  for (const port of arrayAt(container, 'ports')) if (isObject(port)) defaultZero(port, 'protocol', 'TCP')
  for (const probe of PROBES) {
    const value = objectAt(container, probe)
    if (!value) continue
    defaultZero(value, 'timeoutSeconds', 1)
    defaultZero(value, 'periodSeconds', 10)
    defaultZero(value, 'successThreshold', 1)
    defaultZero(value, 'failureThreshold', 3)
    const httpGet = objectAt(value, 'httpGet')
    if (httpGet) {
      defaultZero(httpGet, 'path', '/')
      defaultZero(httpGet, 'scheme', 'HTTP')
    }
  }
}

/**
 * `SetDefaults_ResourceList`: a quantity rounded up to thousandths and written the way Kubernetes
 * serialises it (`1.5` → `1500m`, `1024Mi` → `1Gi`). Values that do not parse are left for validation.
 */
function canonicalQuantity(value: unknown): unknown {
  const parsed = typeof value === 'string' || typeof value === 'number' ? parseQuantity(String(value).trim()) : undefined
  if (!parsed) return value
  const remainder = parsed.nanos % NANOS_PER_MILLI
  const nanos = remainder === 0n ? parsed.nanos : parsed.nanos - remainder + (parsed.nanos > 0n ? NANOS_PER_MILLI : 0n)
  return quantityString({ ...parsed, nanos })
}

const NANOS_PER_MILLI = 1_000_000n

/** The volume names of the pod spec, which volume mounts must refer to. */
export type VolumeNames = ReadonlySet<string>

/**
 * `validateContainers`: every container at `${path}[i]`; names unique within the list. An empty list
 * is `Required value` (upstream checks that for regular containers only, so init containers pass
 * `required: false`).
 */
export function validateContainers(containers: unknown[], path: string, volumes: VolumeNames, required: boolean): FieldError[] {
  if (containers.length === 0) return required ? [fieldError.required(path)] : []
  const errors: FieldError[] = []
  const names = new Set<string>()
  containers.forEach((container, i) => {
    const at = `${path}[${i}]`
    if (!isObject(container)) return errors.push(fieldError.invalid(at, container, 'must be an object'))
    const name = typeof container.name === 'string' ? container.name : ''
    if (name === '') errors.push(fieldError.required(`${at}.name`))
    else errors.push(...validateName('dns1123-label', name, `${at}.name`))
    if (names.has(name)) errors.push(fieldError.duplicate(`${at}.name`, name))
    names.add(name)
    if (typeof container.image !== 'string' || container.image === '') errors.push(fieldError.required(`${at}.image`))
    errors.push(...validateContainer(container, at, volumes))
  })
  return errors
}

function validateContainer(container: JsonObject, at: string, volumes: VolumeNames): FieldError[] {
  const errors: FieldError[] = []
  for (const probe of PROBES) errors.push(...validateProbe(objectAt(container, probe), `${at}.${probe}`))
  for (const probe of ['livenessProbe', 'startupProbe'] as const) {
    const threshold = objectAt(container, probe)?.successThreshold
    if (threshold !== undefined && threshold !== 1)
      errors.push(fieldError.invalid(`${at}.${probe}.successThreshold`, threshold, 'must be 1'))
  }
  const policy = container.terminationMessagePolicy
  if (policy === undefined || policy === '') {
    errors.push(fieldError.required(`${at}.terminationMessagePolicy`, "must be 'File' or 'FallbackToLogsOnError'"))
  } else if (!MESSAGE_POLICIES.includes(policy as string)) {
    errors.push(fieldError.invalid(`${at}.terminationMessagePolicy`, policy, "must be 'File' or 'FallbackToLogsOnError'"))
  }
  errors.push(...validateContainerPorts(arrayAt(container, 'ports'), `${at}.ports`))
  errors.push(...validateEnv(arrayAt(container, 'env'), `${at}.env`))
  errors.push(...validateVolumeMounts(arrayAt(container, 'volumeMounts'), `${at}.volumeMounts`, volumes))
  const pull = container.imagePullPolicy
  if (pull === undefined || pull === '') errors.push(fieldError.required(`${at}.imagePullPolicy`))
  else if (!PULL_POLICIES.includes(pull as string)) errors.push(fieldError.notSupported(`${at}.imagePullPolicy`, pull, PULL_POLICIES))
  errors.push(...validateResources(container.resources, `${at}.resources`))
  return errors
}

function validateProbe(probe: JsonObject | undefined, path: string): FieldError[] {
  if (!probe) return []
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((handler) => isObject(probe[handler]))
  const errors: FieldError[] = handlers
    .slice(1)
    .map((handler) => fieldError.forbidden(`${path}.${handler}`, 'may not specify more than 1 handler type'))
  if (handlers.length === 0) errors.push(fieldError.required(path, 'must specify a handler type'))
  const port = (handler: string) => objectAt(probe, handler)?.port
  if (isObject(probe.httpGet)) errors.push(...validatePortNumberOrName(port('httpGet'), `${path}.httpGet.port`))
  if (isObject(probe.tcpSocket)) errors.push(...validatePortNumberOrName(port('tcpSocket'), `${path}.tcpSocket.port`))
  for (const field of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    const value = probe[field]
    if (typeof value === 'number' && value < 0)
      errors.push(fieldError.invalid(`${path}.${field}`, value, 'must be greater than or equal to 0'))
  }
  return errors
}

/**
 * `validateContainerPorts`: port names (IANA service names) unique within the container, container
 * ports required and 1–65535, host ports 1–65535 when set, a supported protocol.
 */
function validateContainerPorts(ports: unknown[], path: string): FieldError[] {
  const errors: FieldError[] = []
  const names = new Set<string>()
  ports.forEach((port, i) => {
    const at = `${path}[${i}]`
    if (!isObject(port)) return errors.push(fieldError.invalid(at, port, 'must be an object'))
    if (typeof port.name === 'string' && port.name !== '') {
      const nameErrors = validatePortName(port.name, `${at}.name`)
      if (nameErrors.length > 0) errors.push(...nameErrors)
      else if (names.has(port.name)) errors.push(fieldError.duplicate(`${at}.name`, port.name))
      else names.add(port.name)
    }
    if (port.containerPort === undefined || port.containerPort === null || port.containerPort === 0) {
      errors.push(fieldError.required(`${at}.containerPort`))
    } else errors.push(...validatePort(port.containerPort, `${at}.containerPort`))
    if (port.hostPort !== undefined && port.hostPort !== null && port.hostPort !== 0)
      errors.push(...validatePort(port.hostPort, `${at}.hostPort`))
    if (port.protocol === undefined || port.protocol === '') errors.push(fieldError.required(`${at}.protocol`))
    else if (!PROTOCOLS.includes(port.protocol as string)) errors.push(fieldError.notSupported(`${at}.protocol`, port.protocol, PROTOCOLS))
  })
  return errors
}

function validateEnv(env: unknown[], path: string): FieldError[] {
  const errors: FieldError[] = []
  env.forEach((variable, i) => {
    const at = `${path}[${i}].name`
    const name = isObject(variable) ? variable.name : undefined
    if (typeof name !== 'string' || name === '') errors.push(fieldError.required(at))
    else if (!ENV_NAME.test(name)) errors.push(fieldError.invalid(at, name, ENV_NAME_ERROR))
  })
  return errors
}

/** `ValidateVolumeMounts`: a mount names a volume of the pod (`Not found` otherwise) and a unique path. */
function validateVolumeMounts(mounts: unknown[], path: string, volumes: VolumeNames): FieldError[] {
  const errors: FieldError[] = []
  const paths = new Set<string>()
  mounts.forEach((mount, i) => {
    const at = `${path}[${i}]`
    const fields = isObject(mount) ? mount : {}
    const name = typeof fields.name === 'string' ? fields.name : ''
    const mountPath = typeof fields.mountPath === 'string' ? fields.mountPath : ''
    if (name === '') errors.push(fieldError.required(`${at}.name`))
    if (!volumes.has(name)) errors.push(fieldError.notFound(`${at}.name`, name))
    if (mountPath === '') errors.push(fieldError.required(`${at}.mountPath`))
    if (paths.has(mountPath)) errors.push(fieldError.invalid(`${at}.mountPath`, mountPath, 'must be unique'))
    paths.add(mountPath)
  })
  return errors
}

/**
 * `ValidateResourceRequirements`: resource names a container may ask for, non-negative quantities,
 * and no request above its limit (`must be less than or equal to cpu limit of 1`, both quantities
 * in canonical form).
 */
export function validateResources(resources: unknown, path: string): FieldError[] {
  if (resources === undefined || resources === null) return []
  if (!isObject(resources)) return [fieldError.invalid(path, resources, 'must be an object')]
  const errors: FieldError[] = []
  const limits = objectAt(resources, 'limits') ?? {}
  const requests = objectAt(resources, 'requests') ?? {}
  for (const [name, value] of Object.entries(limits)) {
    errors.push(...resourceNameErrors(name, `${path}.limits[${name}]`))
    errors.push(...validateQuantity(value, `${path}.limits[${name}]`, { nonNegative: true }))
  }
  for (const [name, value] of Object.entries(requests)) {
    errors.push(...resourceNameErrors(name, `${path}.requests[${name}]`))
    errors.push(...validateQuantity(value, `${path}.requests[${name}]`, { nonNegative: true }))
    const request = parseQuantity(String(value))
    const limit = limits[name] === undefined ? undefined : parseQuantity(String(limits[name]))
    if (request && limit && compareQuantities(request, limit) > 0) {
      errors.push(
        fieldError.invalid(
          `${path}.requests`,
          quantityString(request),
          `must be less than or equal to ${name} limit of ${quantityString(limit)}`,
        ),
      )
    }
  }
  return errors
}

/** `validateContainerResourceName`: a qualified name, and without a domain one of the standard resources. */
function resourceNameErrors(name: string, path: string): FieldError[] {
  const invalid = qualifiedName(name).map((message) => fieldError.invalid(path, name, message))
  if (invalid.length > 0 || name.includes('/')) return invalid
  const errors: FieldError[] = []
  const hugePages = name.startsWith('hugepages-')
  if (!STANDARD_RESOURCES.has(name) && !hugePages)
    errors.push(fieldError.invalid(path, name, 'must be a standard resource type or fully qualified'))
  if (!CONTAINER_RESOURCES.includes(name) && !hugePages)
    errors.push(fieldError.invalid(path, name, 'must be a standard resource for containers'))
  return errors
}
