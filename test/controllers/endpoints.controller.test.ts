import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getObject } from '../../projections/cluster-state.js'
import { createEndpointsController } from '../../services/controllers/endpoints.controller.js'
import { repackSubsets, truncateSubsets } from '../../services/controllers/endpoints-subsets.js'
import type { JsonObject } from '../../services/json.js'
import { backend } from '../support/store.js'
import { meta, pod, runPod, startCluster, user, type Cluster } from './cluster-harness.js'

let c: Cluster
beforeAll(async () => {
  c = await startCluster([createEndpointsController()])
})
afterAll(() => c.stop())

const endpoints = (name: string, namespace = 'default') => getObject(c.projection.state, 'Endpoints', namespace, name)
const ref = (name: string) => ({ kind: 'Pod', namespace: 'default', name, uid: String(meta(getObject(c.projection.state, 'Pod', 'default', name)!).uid) })

describe(`the Endpoints controller (${backend})`, () => {
  it('lists ready and not-ready pods with their named target ports resolved per pod', async () => {
    await c.api.create(user, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090 }] },
    })
    const labels = { app: 'web' }
    await c.api.create(user, pod('web-1', labels, { nodeName: 'node-1', ports: [{ name: 'http', containerPort: 8080 }] }))
    await c.api.create(user, pod('web-2', labels, { nodeName: 'node-2', ports: [{ name: 'http', containerPort: 8081 }] }))
    await c.api.create(user, pod('web-3', labels, { nodeName: 'node-1' }))
    await c.api.create(user, pod('pending', labels))
    await c.api.create(user, pod('other', { app: 'other' }, { nodeName: 'node-1' }))
    await runPod(c.api, 'default', 'web-1', '10.244.1.10', true)
    await runPod(c.api, 'default', 'web-2', '10.244.2.20', false)
    await runPod(c.api, 'default', 'web-3', '10.244.1.9', true)
    await runPod(c.api, 'default', 'other', '10.244.1.99', true)
    await c.runner.settled()

    const ep = endpoints('web')!
    expect(meta(ep).labels).toEqual({ tier: 'front', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' })
    const address = (ip: string, name: string, node: string) => ({ ip, nodeName: node, targetRef: ref(name) })
    // Compared in a fixed order; the controller orders subsets by their hash, as Kubernetes does.
    const byPort = (list: JsonObject[]) => [...list].sort((a, b) => Number((a.ports as JsonObject[])[0]!.port) - Number((b.ports as JsonObject[])[0]!.port))
    expect(byPort(ep.subsets as JsonObject[])).toEqual(
      byPort([
        { addresses: [address('10.244.1.10', 'web-1', 'node-1')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
        { notReadyAddresses: [address('10.244.2.20', 'web-2', 'node-2')], ports: [{ name: 'http', port: 8081, protocol: 'TCP' }] },
        {
          addresses: [address('10.244.1.10', 'web-1', 'node-1'), address('10.244.1.9', 'web-3', 'node-1')],
          notReadyAddresses: [address('10.244.2.20', 'web-2', 'node-2')],
          ports: [{ name: 'metrics', port: 9090, protocol: 'TCP' }],
        },
      ]),
    )
    expect(meta(ep).annotations).toHaveProperty(['endpoints.kubernetes.io/last-change-trigger-time'])
  })

  it('moves a pod to the ready addresses when it becomes Ready, and drops it when it finishes', async () => {
    await runPod(c.api, 'default', 'web-2', '10.244.2.20', true)
    await c.runner.settled()
    const all = (endpoints('web')!.subsets as JsonObject[]).flatMap((s) => [...((s.notReadyAddresses as JsonObject[]) ?? [])])
    expect(all).toEqual([])
    await c.api.patch(user, 'pod', 'default', 'web-3', { status: { phase: 'Succeeded' } }, 'merge', { subresource: 'status' })
    await c.runner.settled()
    const ips = (endpoints('web')!.subsets as JsonObject[]).flatMap((s) => ((s.addresses as JsonObject[]) ?? []).map((a) => a.ip))
    expect(ips).not.toContain('10.244.1.9')
  })

  it('puts everyone in addresses with publishNotReadyAddresses, and keeps terminating pods then', async () => {
    await c.api.create(user, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'peers', namespace: 'default' }, spec: { selector: { app: 'peer' }, ports: [{ port: 7000 }], publishNotReadyAddresses: true } })
    await c.api.create(user, pod('peer-0', { app: 'peer' }, { nodeName: 'node-1', hostname: 'peer-0', subdomain: 'peers' }))
    await runPod(c.api, 'default', 'peer-0', '10.244.3.1', false)
    await c.api.delete(user, 'pod', 'default', 'peer-0')
    await c.runner.settled()
    expect(endpoints('peers')!.subsets).toEqual([
      { addresses: [{ ip: '10.244.3.1', hostname: 'peer-0', nodeName: 'node-1', targetRef: ref('peer-0') }], ports: [{ port: 7000, protocol: 'TCP' }] },
    ])
  })

  it('lists a headless Service without ports by address only, with the headless label', async () => {
    await c.api.create(user, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { selector: { app: 'db' }, clusterIP: 'None' } })
    await c.api.create(user, pod('db-0', { app: 'db' }, { nodeName: 'node-1' }))
    await runPod(c.api, 'default', 'db-0', '10.244.4.1', true)
    await c.runner.settled()
    const ep = endpoints('db')!
    expect(meta(ep).labels).toMatchObject({ 'service.kubernetes.io/headless': '' })
    expect(ep.subsets).toEqual([{ addresses: [{ ip: '10.244.4.1', nodeName: 'node-1', targetRef: ref('db-0') }] }])
  })

  it('makes no Endpoints for Services without a selector or of type ExternalName, and an empty one when no pod matches', async () => {
    await c.api.create(user, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual', namespace: 'default' }, spec: { ports: [{ port: 80 }] } })
    await c.api.create(user, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com', selector: { app: 'web' } } })
    await c.api.create(user, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'lonely', namespace: 'default' }, spec: { selector: { app: 'none' }, ports: [{ port: 80 }] } })
    await c.runner.settled()
    expect(endpoints('manual')).toBeUndefined()
    expect(endpoints('ext')).toBeUndefined()
    expect(endpoints('lonely')).toMatchObject({ metadata: { name: 'lonely' } })
    expect(endpoints('lonely')!.subsets).toBeUndefined()
  })

  it('puts back what someone changes, and deletes the Endpoints with the Service', async () => {
    const ep = endpoints('web')!
    await c.api.update(user, { ...ep, subsets: [] })
    await c.runner.settled()
    expect((endpoints('web')!.subsets as JsonObject[]).length).toBeGreaterThan(0)
    await c.api.delete(user, 'svc', 'default', 'web')
    await c.runner.settled()
    expect(endpoints('web')).toBeUndefined()
  })
})

describe('Endpoints subsets in canonical form', () => {
  const address = (ip: string, uid = ip) => ({ ip, targetRef: { kind: 'Pod', namespace: 'default', name: `p-${ip}`, uid } })
  const http = { name: 'http', port: 8080, protocol: 'TCP' }
  const metrics = { name: 'metrics', port: 9090, protocol: 'TCP' }

  it('groups ports served by the same addresses, and lets not-ready win over ready for one address and port', () => {
    const subsets = repackSubsets([
      { address: address('10.0.0.2'), ready: true, port: http },
      { address: address('10.0.0.1'), ready: true, port: http },
      { address: address('10.0.0.1'), ready: true, port: metrics },
      { address: address('10.0.0.2'), ready: true, port: metrics },
      { address: address('10.0.0.2'), ready: false, port: metrics },
    ])
    const byFirstPort = [...subsets].sort((a, b) => a.ports![0]!.port - b.ports![0]!.port)
    expect(byFirstPort).toEqual([
      { addresses: [address('10.0.0.1'), address('10.0.0.2')], ports: [http] },
      { addresses: [address('10.0.0.1')], notReadyAddresses: [address('10.0.0.2')], ports: [metrics] },
    ])
  })

  it('sorts addresses by IP as bytes, then by pod uid', () => {
    const [subset] = repackSubsets(['10.0.0.9', '10.0.0.10', '10.0.0.1'].map((ip) => ({ address: address(ip), ready: true, port: http })))
    expect(subset!.addresses!.map((a) => a.ip)).toEqual(['10.0.0.1', '10.0.0.10', '10.0.0.9'])
  })

  it('truncates past 1000 addresses, keeping ready ones first', () => {
    const entries = (count: number, ready: boolean, from: number) =>
      Array.from({ length: count }, (_, i) => ({ address: address(`10.1.${Math.floor((from + i) / 250)}.${(from + i) % 250}`), ready, port: http }))
    const subsets = repackSubsets([...entries(900, true, 0), ...entries(300, false, 900)])
    expect(truncateSubsets(subsets)).toBe(true)
    expect(subsets[0]!.addresses).toHaveLength(900)
    expect(subsets[0]!.notReadyAddresses).toHaveLength(100)
    const small = repackSubsets(entries(10, true, 0))
    expect(truncateSubsets(small)).toBe(false)
  })
})
