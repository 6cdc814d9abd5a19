import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Projection } from '../../projections/projection.js'
import { bootstrapNamespaces } from '../../services/api/namespaces.js'
import { ResourceApi } from '../../services/api/resource-api.js'
import { isStatusError } from '../../services/errors.js'
import type { JsonObject } from '../../services/json.js'
import { openStore } from '../../services/app/open-store.js'
import type { Store } from '../../services/store/store.js'
import { backend, openTestStore, type TestStore } from '../support/store.js'

const user = { actor: 'user' }
const spec = (o: JsonObject) => o.spec as JsonObject
const ports = (o: JsonObject) => spec(o).ports as JsonObject[]
const service = (name: string, more: JsonObject = {}, portList: JsonObject[] = [{ port: 80 }]): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { selector: { app: name }, ports: portList, ...more },
})
const inRange = (ip: string) => {
  const [a, b] = ip.split('.').map(Number)
  return a === 10 && b! >= 96 && b! <= 111
}
async function failure(promise: Promise<unknown>): Promise<{ reason: string; message: string }> {
  try {
    await promise
  } catch (error) {
    if (isStatusError(error)) return { reason: error.reason, message: error.message }
    throw error
  }
  throw new Error('expected the write to fail')
}

describe(`Service allocation (${backend})`, () => {
  let t: TestStore
  let api: ResourceApi
  let projection: Projection
  const reservation = (kind: 'IPAddress' | 'ServiceNodePort', name: string) => t.store.get({ kind, namespace: '', name })
  beforeAll(async () => {
    t = await openTestStore()
    projection = await Projection.start(t.store)
    api = new ResourceApi({ store: t.store, projection })
    await bootstrapNamespaces(api)
  })
  afterAll(async () => {
    projection.stop()
    await t.cleanup()
  })

  it('creates default/kubernetes at bootstrap with the first address of the range, reserved', async () => {
    const kubernetes = await api.get('svc', 'default', 'kubernetes')
    expect(spec(kubernetes)).toMatchObject({
      clusterIP: '10.96.0.1',
      clusterIPs: ['10.96.0.1'],
      ports: [{ name: 'https', port: 443, targetPort: 6443 }],
    })
    expect(await reservation('IPAddress', '10.96.0.1')).toMatchObject({
      apiVersion: 'networking.k8s.io/v1',
      spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'kubernetes' } },
    })
    await bootstrapNamespaces(api)
    expect((await api.list('ipaddresses')).items).toHaveLength(1)
  })

  it('gives a ClusterIP Service an address of the dynamic band and records it as an IPAddress', async () => {
    const web = await api.create(user, service('web'))
    const ip = String(spec(web).clusterIP)
    expect(inRange(ip) && ip.startsWith('10.96.0.')).toBe(false)
    expect(inRange(ip)).toBe(true)
    expect(spec(web)).toMatchObject({ clusterIPs: [ip], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' })
    const reserved = await reservation('IPAddress', ip)
    expect(reserved).toMatchObject({
      metadata: { labels: { 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' } },
      spec: { parentRef: { name: 'web' } },
    })
  })

  it('honours a requested address, and refuses one that is taken or out of range with Kubernetes messages', async () => {
    const a = await api.create(user, service('fixed', { clusterIP: '10.96.5.5' }))
    expect(spec(a).clusterIP).toBe('10.96.5.5')
    expect(await failure(api.create(user, service('clash', { clusterIP: '10.96.5.5' })))).toEqual({
      reason: 'Invalid',
      message:
        'Service "clash" is invalid: spec.clusterIPs: Invalid value: ["10.96.5.5"]: failed to allocate IP 10.96.5.5: provided IP is already allocated',
    })
    expect((await failure(api.create(user, service('far', { clusterIP: '10.0.0.5' })))).message).toBe(
      'Service "far" is invalid: spec.clusterIPs: Invalid value: ["10.0.0.5"]: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    )
    expect((await failure(api.create(user, service('bad', { clusterIP: '10.96.0.300' })))).message).toBe(
      'Service "bad" is invalid: spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    )
    expect(await t.store.get({ kind: 'Service', namespace: 'default', name: 'clash' })).toBeUndefined()
    // Creating it again is AlreadyExists, not a clash with its own address (apply updates then).
    expect((await failure(api.create(user, service('fixed', { clusterIP: '10.96.5.5' })))).reason).toBe('AlreadyExists')
    const applied = await api.apply(user, [service('fixed', { clusterIP: '10.96.5.5', sessionAffinity: 'ClientIP' })])
    expect(applied[0]).toMatchObject({ action: 'configured', object: { spec: { clusterIP: '10.96.5.5', sessionAffinity: 'ClientIP' } } })
  })

  it('allocates nothing for headless and ExternalName Services', async () => {
    const before = (await api.list('ipaddresses')).items.length
    const headless = await api.create(user, service('db', { clusterIP: 'None' }, []))
    expect(spec(headless)).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'] })
    const external = await api.create(user, { ...service('ext', { type: 'ExternalName', externalName: 'db.example.com' }, []) })
    expect(spec(external).clusterIP).toBeUndefined()
    expect((await api.list('ipaddresses')).items.length).toBe(before)
    expect((await failure(api.create(user, service('np', { type: 'NodePort', clusterIP: 'None' })))).message).toBe(
      `Service "np" is invalid: spec.clusterIP: Invalid value: "None": may not be set to 'None' for NodePort services`,
    )
  })

  it('gives NodePort ports node ports from the range, shares one between protocols of a port, and honours requests', async () => {
    const dns = await api.create(
      user,
      service('dns', { type: 'NodePort' }, [
        { name: 'tcp', port: 53, protocol: 'TCP' },
        { name: 'udp', port: 53, protocol: 'UDP' },
        { name: 'web', port: 80, nodePort: 30080 },
      ]),
    )
    const [tcp, udp, web] = ports(dns).map((p) => Number(p.nodePort))
    expect(tcp).toBe(udp)
    expect(tcp! >= 30000 + 86 && tcp! <= 32767).toBe(true)
    expect(web).toBe(30080)
    for (const port of [tcp!, web!])
      expect(await reservation('ServiceNodePort', String(port))).toMatchObject({ spec: { parentRef: { name: 'dns' } } })
    expect(await failure(api.create(user, service('np2', { type: 'NodePort' }, [{ port: 80, nodePort: 30080 }])))).toEqual({
      reason: 'Invalid',
      message: 'Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    })
    expect((await failure(api.create(user, service('np3', { type: 'NodePort' }, [{ port: 80, nodePort: 80 }])))).message).toBe(
      'Service "np3" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
    )
    // The failed create took back the address it had reserved first.
    expect((await api.list('ipaddresses')).items.filter((o) => (spec(o).parentRef as JsonObject).name === 'np2')).toEqual([])
  })

  it('keeps what was allocated when an update leaves it out, and changes nothing for a re-submitted manifest', async () => {
    const web = await api.get('svc', 'default', 'web')
    const same = await api.update(user, service('web'))
    expect(spec(same).clusterIP).toBe(spec(web).clusterIP)
    expect((same.metadata as JsonObject).resourceVersion).toBe((web.metadata as JsonObject).resourceVersion)
  })

  it('allocates node ports when a Service becomes NodePort and releases them when it stops being one', async () => {
    const up = await api.patch(user, 'svc', 'default', 'web', { spec: { type: 'NodePort' } }, 'merge')
    const nodePort = Number(ports(up)[0]!.nodePort)
    expect(await reservation('ServiceNodePort', String(nodePort))).toBeDefined()
    const down = await api.patch(
      user,
      'svc',
      'default',
      'web',
      { spec: { type: 'ClusterIP', ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] } },
      'merge',
    )
    expect(ports(down)[0]!.nodePort).toBeUndefined()
    expect(await reservation('ServiceNodePort', String(nodePort))).toBeUndefined()
    expect(await reservation('IPAddress', String(spec(down).clusterIP))).toBeDefined()
  })

  it('releases the address and node ports when the Service is deleted, so they can be requested again', async () => {
    const dns = await api.get('svc', 'default', 'dns')
    const ip = String(spec(dns).clusterIP)
    await api.delete(user, 'svc', 'default', 'dns')
    expect(await reservation('IPAddress', ip)).toBeUndefined()
    expect(await reservation('ServiceNodePort', '30080')).toBeUndefined()
    const again = await api.create(user, service('dns2', { type: 'NodePort', clusterIP: ip }, [{ port: 80, nodePort: 30080 }]))
    expect(spec(again).clusterIP).toBe(ip)
  })

  it('validates IPAddress objects as Kubernetes does', async () => {
    const ip = (name: string, spec: JsonObject) =>
      api.create(user, { apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress', metadata: { name }, spec })
    const parentRef = { group: '', resource: 'services', namespace: 'default', name: 'x' }
    expect((await failure(ip('10.96.01.1', { parentRef }))).message).toBe(
      'IPAddress.networking.k8s.io "10.96.01.1" is invalid: metadata.name: Invalid value: "10.96.01.1": ParseAddr("10.96.01.1"): IPv4 field has octet with leading zero',
    )
    expect((await failure(ip('FD00::1', { parentRef }))).message).toBe(
      'IPAddress.networking.k8s.io "FD00::1" is invalid: metadata.name: Invalid value: "FD00::1": must be a canonical format IP address',
    )
    expect((await failure(ip('10.96.9.9', { parentRef: { group: '', namespace: 'default' } }))).message).toBe(
      'IPAddress.networking.k8s.io "10.96.9.9" is invalid: [spec.parentRef.resource: Required value, spec.parentRef.name: Required value]',
    )
  })

  it('only looks on a dry run', async () => {
    const dry = await api.create({ ...user, dryRun: true }, service('dry', { type: 'NodePort' }))
    expect(inRange(String(spec(dry).clusterIP))).toBe(true)
    expect(await reservation('IPAddress', String(spec(dry).clusterIP))).toBeUndefined()
    expect(await reservation('ServiceNodePort', String(ports(dry)[0]!.nodePort))).toBeUndefined()
  })
})

describe(`Service allocation under concurrency (${backend})`, () => {
  let t: TestStore
  let second: Store | undefined
  let apis: ResourceApi[]
  let projections: Projection[]
  const saved = process.env.REVKUBE_SERVICE_CIDR
  beforeAll(async () => {
    // A /28: 14 usable addresses, the first for default/kubernetes.
    process.env.REVKUBE_SERVICE_CIDR = '10.100.0.0/28'
    t = await openTestStore()
    // On PostgreSQL, a second process's store on the same database; PGlite in memory has one.
    second = t.config.backend === 'postgres' ? await openStore({ database: t.config, pollIntervalMs: 200 }) : undefined
    projections = [await Projection.start(t.store), await Projection.start(second ?? t.store)]
    apis = projections.map((projection) => new ResourceApi({ store: projection.store, projection }))
    await bootstrapNamespaces(apis[0]!)
  })
  afterAll(async () => {
    process.env.REVKUBE_SERVICE_CIDR = saved
    if (saved === undefined) delete process.env.REVKUBE_SERVICE_CIDR
    for (const p of projections) p.stop()
    await second?.close()
    await t.cleanup()
  })

  it('hands out every address once when two API instances create Services at the same time, then reports the range full', async () => {
    const created = await Promise.all(Array.from({ length: 13 }, (_, i) => apis[i % 2]!.create(user, service(`s${i}`))))
    const ips = created.map((s) => String(spec(s).clusterIP))
    expect(new Set(ips).size).toBe(13)
    expect(ips.every((ip) => /^10\.100\.0\.(\d+)$/.test(ip) && Number(ip.split('.')[3]) >= 2 && Number(ip.split('.')[3]) <= 14)).toBe(true)
    expect(await failure(apis[0]!.create(user, service('one-too-many')))).toEqual({
      reason: 'InternalError',
      message: 'Internal error occurred: failed to allocate a serviceIP: range is full',
    })
  })
})
