import { describe, expect, it } from 'vitest'
import { freePodCIDR, freePodIP, inCIDR, internalIPFor, podCIDRFor, podCIDRsOf, rangeIndexOf } from '../../services/kubelet/addresses.js'
import { HeartbeatTable } from '../../services/runtime/heartbeat-table.js'
import { postedNodeStatus, registeredNode } from '../../services/kubelet/node-status.js'
import { Reservations } from '../../services/kubelet/reservations.js'
import { podUsage } from '../../services/kubelet/sim-knobs.js'
import type { JsonObject } from '../../services/json.js'

const node = (name: string, extra: JsonObject = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, uid: `uid-${name}` },
  spec: {},
  ...extra,
})

describe('simulated node addresses', () => {
  it('gives each node its own /24 of 10.244.0.0/16 and onwards, and an InternalIP', () => {
    expect([0, 1, 255, 256].map(podCIDRFor)).toEqual(['10.244.0.0/24', '10.244.1.0/24', '10.244.255.0/24', '10.245.0.0/24'])
    expect([0, 1, 256].map((n) => rangeIndexOf(podCIDRFor(n)))).toEqual([0, 1, 256])
    expect(rangeIndexOf('192.168.0.0/16')).toBeUndefined()
    expect(
      freePodCIDR(podCIDRsOf([node('a', { spec: { podCIDR: '10.244.0.0/24' } }), node('b', { spec: { podCIDR: '10.244.2.0/24' } })])),
    ).toBe('10.244.1.0/24')
    expect(internalIPFor(0)).toBe('172.18.0.2')
    expect(internalIPFor(300)).toBe('172.18.1.46')
  })

  it('hands out pod addresses from .2, skipping the ones in use, until the range is full', () => {
    expect(freePodIP('10.244.3.0/24', new Set())).toBe('10.244.3.2')
    expect(freePodIP('10.244.3.0/24', new Set(['10.244.3.2', '10.244.3.3']))).toBe('10.244.3.4')
    const all = new Set(Array.from({ length: 253 }, (_, i) => `10.244.3.${i + 2}`))
    expect(freePodIP('10.244.3.0/24', all)).toBeUndefined()
    expect(inCIDR('10.244.3.77', '10.244.3.0/24')).toBe(true)
    expect(inCIDR('10.244.4.1', '10.244.3.0/24')).toBe(false)
  })
})

describe('addresses handed out before the state shows them', () => {
  it('never gives one address to two owners, and gives an owner the same one until released', () => {
    const r = new Reservations()
    const pick = (taken: ReadonlySet<string>) => freePodIP('10.244.0.0/24', taken)
    const inState = new Set(['10.244.0.2'])
    expect(r.take('node:a', 'default/p1', inState, pick)).toBe('10.244.0.3')
    expect(r.take('node:a', 'default/p2', inState, pick)).toBe('10.244.0.4')
    expect(r.take('node:a', 'default/p1', inState, pick)).toBe('10.244.0.3')
    expect(r.take('node:b', 'default/p3', new Set(), (t) => freePodIP('10.244.1.0/24', t))).toBe('10.244.1.2')
    r.release('default/p1')
    expect(r.take('node:a', 'default/p4', inState, pick)).toBe('10.244.0.3')
    for (const owner of ['default/p2', 'default/p3', 'default/p4', 'unknown']) r.release(owner)
    expect(r.size).toBe(0)
  })

  it('gives nodes registering at once different pod ranges', () => {
    const r = new Reservations()
    const ranges = ['n1', 'n2', 'n3'].map((n) => r.take('podCIDR', `node:${n}`, new Set(['10.244.0.0/24']), freePodCIDR))
    expect(ranges).toEqual(['10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24'])
  })
})

describe('node registration and status', () => {
  it('adds the well-known labels and a free pod range once', () => {
    const registered = registeredNode(node('n2', { metadata: { name: 'n2', labels: { zone: 'a' } } }), () => '10.244.1.0/24')!
    expect(registered.metadata).toMatchObject({
      labels: { zone: 'a', 'kubernetes.io/hostname': 'n2', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
    })
    expect(registered.spec).toEqual({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] })
    expect(registeredNode(registered, () => '10.244.9.0/24')).toBeUndefined()
  })

  it('posts healthy conditions and defaults once, then nothing while nothing changes', () => {
    const now = new Date('2026-11-26T12:00:00Z')
    const n = node('n1', { spec: { podCIDR: '10.244.0.0/24' }, status: { capacity: { cpu: '8' }, allocatable: { cpu: '8' } } })
    const status = postedNodeStatus(n, now)! as any
    expect(status.conditions.map((c: any) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
    ])
    expect(status.capacity).toMatchObject({ cpu: '8', memory: '16Gi', pods: '110' })
    expect(status.allocatable).toMatchObject({ cpu: '8', memory: '16Gi', pods: '110' })
    expect(status.addresses).toEqual([
      { type: 'InternalIP', address: '172.18.0.2' },
      { type: 'Hostname', address: 'n1' },
    ])
    expect(status.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } })
    expect(status.nodeInfo).toMatchObject({ kubeletVersion: 'v1.31.0', operatingSystem: 'linux', architecture: 'amd64' })
    expect(postedNodeStatus({ ...n, status }, new Date('2026-11-26T12:05:00Z'))).toBeUndefined()

    const unknown = status.conditions.map((c: any) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown' } : c))
    const recovered = postedNodeStatus({ ...n, status: { ...status, conditions: unknown } }, new Date('2026-11-26T12:05:00Z')) as any
    expect(recovered.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      lastTransitionTime: '2026-11-26T12:05:00Z',
    })
    expect(recovered.conditions.find((c: any) => c.type === 'MemoryPressure').lastHeartbeatTime).toBe('2026-11-26T12:00:00Z')
  })
})

describe('heartbeats and usage', () => {
  it('knows when a node was last alive, giving a node never heard from a grace period from when it was first asked about', () => {
    const table = new HeartbeatTable()
    const t = (s: number) => new Date(Date.parse('2026-11-26T12:00:00Z') + s * 1000)
    expect(table.lastSeen('n1', t(5))).toEqual(t(5))
    expect(table.lastSeen('n1', t(50))).toEqual(t(5))
    table.renew('n1', t(60))
    expect(table.lastSeen('n1', t(70))).toEqual(t(60))
    table.forget('n1')
    expect(table.lastRenewed('n1')).toBeUndefined()
  })

  it('reports the knobs as usage, or a tenth of the requests', () => {
    const pod = (annotations: Record<string, string>, resources: JsonObject = {}) => ({
      metadata: { annotations },
      spec: { containers: [{ name: 'a', resources }] },
    })
    expect(podUsage(pod({ 'sim.revkube.io/cpu-millis': '250', 'sim.revkube.io/memory': '64Mi' }))).toEqual({
      cpuMillis: 250,
      memoryBytes: 64 * 1024 * 1024,
    })
    expect(podUsage(pod({}, { requests: { cpu: '500m', memory: '1Gi' } }))).toEqual({
      cpuMillis: 50,
      memoryBytes: Math.ceil(1024 ** 3 / 10),
    })
  })
})
