import { describe, expect, it } from 'vitest'
import { createEndpointSliceController } from '../../services/controllers/endpoint-slice.controller.js'
import type { JsonObject } from '../../services/json.js'
import { controlledBy, created, ReconcilerSpecification, secondsFromNow, uidOfGiven, updated } from '../support/given.js'

// Three endpoints a slice, so that a handful of pods needs several slices.
const given = ReconcilerSpecification.for(createEndpointSliceController({ maxEndpointsPerSlice: 3 }))

const web = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', labels: { tier: 'front' } },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
}

function pod(i: number, o: { ready?: boolean; deleting?: boolean; node?: string } = {}): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-${i}`,
      namespace: 'default',
      labels: { app: 'web' },
      ...(o.deleting && { deletionTimestamp: secondsFromNow(30), finalizers: ['example.com/hold'] }),
    },
    spec: { nodeName: o.node ?? 'node-1', containers: [{ name: 'app', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: {
      phase: 'Running',
      podIP: `10.244.0.${i}`,
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: secondsFromNow(-60) }],
    },
  }
}

const endpoint = (p: JsonObject, conditions = { ready: true, serving: true, terminating: false }) => ({
  addresses: [(p.status as JsonObject).podIP],
  conditions,
  targetRef: { kind: 'Pod', namespace: 'default', name: (p.metadata as JsonObject).name, uid: uidOfGiven(p) },
  nodeName: (p.spec as JsonObject).nodeName,
})

const labels = {
  tier: 'front',
  'kubernetes.io/service-name': 'web',
  'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
}
const ports = [{ name: 'http', port: 8080, protocol: 'TCP' }]

/** A slice the controller made earlier, holding these pods' endpoints. */
function slice(name: string, pods: JsonObject[]): JsonObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: 'default',
      labels,
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': secondsFromNow(-60) },
      ownerReferences: [controlledBy(web)],
    },
    addressType: 'IPv4',
    endpoints: pods.map((p) => endpoint(p)),
    ports,
  }
}

describe('the EndpointSlice controller decides', () => {
  it('to spread the pods of a Service over labelled slices it owns, at most the configured number each', () => {
    const pods = [1, 2, 3, 4, 5, 6, 7].map((i) => pod(i))
    const sliceOf = (members: JsonObject[]) =>
      created('EndpointSlice', {
        metadata: { generateName: 'web-', labels, ownerReferences: [controlledBy(web)] },
        addressType: 'IPv4',
        endpoints: members.map((p) => endpoint(p)),
        ports,
      })
    given(web, pods)
      .when('default/web')
      .then(sliceOf(pods.slice(0, 3)), sliceOf(pods.slice(3, 6)), sliceOf(pods.slice(6)))
  })

  it('to report not-ready and terminating pods through their conditions', () => {
    const notReady = pod(2, { ready: false })
    const terminating = pod(3, { deleting: true })
    given(web, notReady, terminating)
      .when('default/web')
      .then(
        created('EndpointSlice', {
          endpoints: [
            endpoint(notReady, { ready: false, serving: false, terminating: false }),
            endpoint(terminating, { ready: false, serving: true, terminating: true }),
          ],
        }),
      )
  })

  it('to fill the room a removed pod leaves before it makes a new slice, and to write nothing when nothing differs', () => {
    const [p1, p2, p3, p4, p5, p6, p8] = [1, 2, 3, 4, 5, 6, 8].map((i) => pod(i))
    const first = slice('web-abcde', [p1!, p2!, p3!])
    const second = slice('web-fghjk', [p4!, p5!, p6!])
    given(web, [p2!, p3!, p4!, p5!, p6!, p8!], first, second)
      .when('default/web')
      .then(updated('EndpointSlice', 'default/web-abcde', { endpoints: [endpoint(p2!), endpoint(p3!), endpoint(p8!)] }))
    given(web, [p1!, p2!, p3!, p4!, p5!, p6!], first, second).when('default/web').thenNothing()
  })

  it('to keep one empty placeholder slice for a Service nothing backs', () => {
    const lonely = {
      ...web,
      metadata: { name: 'lonely', namespace: 'default' },
      spec: { selector: { app: 'none' }, ports: [{ port: 80 }] },
    }
    given(lonely)
      .when('default/lonely')
      .then(created('EndpointSlice', { metadata: { generateName: 'lonely-' }, endpoints: [], ports: [] }))
  })

  it('to give an endpoint the zone of its node', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'eu-1a' } } }
    const when = given(web, node, pod(1)).when('default/web')
    expect((when.created('EndpointSlice')[0]!.endpoints as JsonObject[])[0]).toMatchObject({ nodeName: 'node-1', zone: 'eu-1a' })
  })

  it('to leave Services without a selector alone, and the slices of a Service that is gone to the garbage collector', () => {
    given({ ...web, spec: { ports: [{ port: 80 }] } })
      .when('default/web')
      .thenNothing()
    given(slice('web-abcde', [pod(1)]))
      .when('default/web')
      .thenNothing()
  })
})
