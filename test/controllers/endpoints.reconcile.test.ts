import { describe, expect, it } from 'vitest'
import { createEndpointsController } from '../../services/controllers/endpoints.controller.js'
import { repackSubsets, truncateSubsets } from '../../services/controllers/endpoints-subsets.js'
import type { JsonObject } from '../../services/json.js'
import { created, deleted, ReconcilerSpecification, secondsFromNow, uidOfGiven, updated } from '../support/given.js'

const given = ReconcilerSpecification.for(createEndpointsController())

function service(name: string, spec: JsonObject, labels?: Record<string, string>): JsonObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', ...(labels && { labels }) }, spec }
}

interface PodOptions {
  ip?: string
  ready?: boolean
  node?: string
  ports?: JsonObject[]
  phase?: string
  deleting?: boolean
  hostname?: string
  subdomain?: string
}

function pod(name: string, labels: Record<string, string>, o: PodOptions = {}): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels,
      ...(o.deleting && { deletionTimestamp: secondsFromNow(30), finalizers: ['example.com/hold'] }),
    },
    spec: {
      nodeName: o.node ?? 'node-1',
      containers: [{ name: 'app', image: 'nginx', ...(o.ports && { ports: o.ports }) }],
      ...(o.hostname && { hostname: o.hostname }),
      ...(o.subdomain && { subdomain: o.subdomain }),
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip !== undefined && { podIP: o.ip, podIPs: [{ ip: o.ip }] }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: secondsFromNow(-60) }],
    },
  }
}

const ref = (p: JsonObject) => ({ kind: 'Pod', namespace: 'default', name: (p.metadata as JsonObject).name, uid: uidOfGiven(p) })
const address = (p: JsonObject, extra: JsonObject = {}) => ({
  ip: (p.status as JsonObject).podIP,
  ...extra,
  nodeName: (p.spec as JsonObject).nodeName,
  targetRef: ref(p),
})
const byFirstPort = (list: JsonObject[]) =>
  [...list].sort((a, b) => Number((a.ports as JsonObject[])[0]!.port) - Number((b.ports as JsonObject[])[0]!.port))

describe('the Endpoints controller decides', () => {
  it("to list ready and not-ready pods, with named target ports resolved per pod, under the Service's labels", () => {
    const web = service(
      'web',
      {
        selector: { app: 'web' },
        ports: [
          { name: 'http', port: 80, targetPort: 'http' },
          { name: 'metrics', port: 9090 },
        ],
      },
      { tier: 'front' },
    )
    const web1 = pod('web-1', { app: 'web' }, { ip: '10.244.1.10', ports: [{ name: 'http', containerPort: 8080 }] })
    const web2 = pod(
      'web-2',
      { app: 'web' },
      { ip: '10.244.2.20', node: 'node-2', ready: false, ports: [{ name: 'http', containerPort: 8081 }] },
    )
    const web3 = pod('web-3', { app: 'web' }, { ip: '10.244.1.9' })
    const when = given(web, web1, web2, web3, pod('pending', { app: 'web' }), pod('other', { app: 'other' }, { ip: '10.244.1.99' })).when(
      'default/web',
    )
    when.then(
      created('Endpoints', {
        metadata: {
          name: 'web',
          namespace: 'default',
          labels: { tier: 'front', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' },
          annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': secondsFromNow(-60) },
        },
      }),
    )
    // Compared in a fixed order; the controller orders subsets by their hash, as Kubernetes does.
    expect(byFirstPort(when.created('Endpoints')[0]!.subsets as JsonObject[])).toEqual(
      byFirstPort([
        { addresses: [address(web1)], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
        { notReadyAddresses: [address(web2)], ports: [{ name: 'http', port: 8081, protocol: 'TCP' }] },
        {
          addresses: [address(web1), address(web3)],
          notReadyAddresses: [address(web2)],
          ports: [{ name: 'metrics', port: 9090, protocol: 'TCP' }],
        },
      ]),
    )
  })

  it('to leave out pods that finished, and terminating pods unless publishNotReadyAddresses, which also lists everyone as ready', () => {
    const web = service('web', { selector: { app: 'web' }, ports: [{ port: 80 }] })
    given(
      web,
      pod('done', { app: 'web' }, { ip: '10.0.0.1', phase: 'Succeeded' }),
      pod('going', { app: 'web' }, { ip: '10.0.0.2', deleting: true }),
    )
      .when('default/web')
      .then(created('Endpoints', { subsets: undefined }))
    const peers = service('peers', { selector: { app: 'peer' }, ports: [{ port: 7000 }], publishNotReadyAddresses: true })
    const peer = pod('peer-0', { app: 'peer' }, { ip: '10.244.3.1', ready: false, deleting: true, hostname: 'peer-0', subdomain: 'peers' })
    const when = given(peers, peer).when('default/peers')
    when.then(created('Endpoints'))
    expect(when.created('Endpoints')[0]!.subsets).toEqual([
      { addresses: [address(peer, { hostname: 'peer-0' })], ports: [{ port: 7000, protocol: 'TCP' }] },
    ])
  })

  it('to list a headless Service without ports by address only, with the headless label', () => {
    const db = service('db', { selector: { app: 'db' }, clusterIP: 'None' })
    const db0 = pod('db-0', { app: 'db' }, { ip: '10.244.4.1' })
    const when = given(db, db0).when('default/db')
    when.then(created('Endpoints', { metadata: { labels: { 'service.kubernetes.io/headless': '' } } }))
    expect(when.created('Endpoints')[0]!.subsets).toEqual([{ addresses: [address(db0)] }])
  })

  it('to make no Endpoints for a Service without a selector or of type ExternalName, and an empty one when no pod matches', () => {
    given(service('manual', { ports: [{ port: 80 }] }))
      .when('default/manual')
      .thenNothing()
    given(service('ext', { type: 'ExternalName', externalName: 'example.com', selector: { app: 'web' } }))
      .when('default/ext')
      .thenNothing()
    const when = given(service('lonely', { selector: { app: 'none' }, ports: [{ port: 80 }] })).when('default/lonely')
    when.then(created('Endpoints', { metadata: { name: 'lonely' } }))
    expect(when.created('Endpoints')[0]!.subsets).toBeUndefined()
  })

  it('to put back subsets someone changed, and to write nothing when they are right', () => {
    const web = service('web', { selector: { app: 'web' }, ports: [{ port: 80 }] })
    const web1 = pod('web-1', { app: 'web' }, { ip: '10.0.0.1' })
    const right = given(web, web1).when('default/web').created('Endpoints')[0]!
    const tampered = { ...right, subsets: [] }
    given(web, web1, tampered)
      .when('default/web')
      .then(updated('Endpoints', 'default/web', { subsets: right.subsets as JsonObject[] }))
    given(web, web1, right).when('default/web').thenNothing()
  })

  it('to delete the Endpoints of a Service that is gone, on the condition that it is the one it saw', () => {
    const orphan = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' } }
    given(orphan)
      .when('default/web')
      .then(deleted('Endpoints', 'default/web', { options: { preconditions: { uid: uidOfGiven(orphan) } } }))
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
      Array.from({ length: count }, (_, i) => ({
        address: address(`10.1.${Math.floor((from + i) / 250)}.${(from + i) % 250}`),
        ready,
        port: http,
      }))
    const subsets = repackSubsets([...entries(900, true, 0), ...entries(300, false, 900)])
    expect(truncateSubsets(subsets)).toBe(true)
    expect(subsets[0]!.addresses).toHaveLength(900)
    expect(subsets[0]!.notReadyAddresses).toHaveLength(100)
    const small = repackSubsets(entries(10, true, 0))
    expect(truncateSubsets(small)).toBe(false)
  })
})
