import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../../services/json.js'
import {
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
  nodeUnschedulable,
  taintToleration,
  type FilterPlugin,
} from '../../services/scheduler/filters.js'
import { tolerates, type Taint, type Toleration } from '../../services/scheduler/taints.js'
import { filterOn, node, pod } from './fixtures.js'

const fits = (plugin: FilterPlugin, target: JsonObject, candidate: JsonObject, others: JsonObject[] = []) =>
  filterOn(plugin, target, candidate, others) === undefined

describe('taints and tolerations', () => {
  const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }
  const cases: Array<[string, Partial<Toleration>, boolean]> = [
    ['the same key, value and effect', { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, true],
    ['an empty operator, meaning Equal', { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, true],
    ['another value', { key: 'dedicated', operator: 'Equal', value: 'cpu', effect: 'NoSchedule' }, false],
    ['Exists on the key, any value', { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }, true],
    ['an empty effect, any effect', { key: 'dedicated', operator: 'Exists' }, true],
    ['another effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
    ['an empty key with Exists, every taint', { operator: 'Exists' }, true],
    ['another key', { key: 'other', operator: 'Exists' }, false],
    ['an unknown operator', { key: 'dedicated', operator: 'Matches', value: 'gpu' }, false],
  ]
  for (const [what, toleration, expected] of cases) {
    it(`${expected ? 'tolerates' : 'does not tolerate'} a taint with ${what}`, () => {
      expect(tolerates({ key: '', operator: '', value: '', effect: '', ...toleration }, taint)).toBe(expected)
    })
  }

  it('rejects a node with a NoSchedule or NoExecute taint the pod does not tolerate, naming the first', () => {
    const tainted = node('n1', {
      taints: [
        { key: 'soft', value: 'x', effect: 'PreferNoSchedule' },
        { key: 'a', value: '1', effect: 'NoExecute' },
        { key: 'b', effect: 'NoSchedule' },
      ],
    })
    expect(filterOn(taintToleration, tainted, pod('p'))).toEqual({ reasons: ['node(s) had untolerated taint {a: 1}'], unresolvable: true })
    const toleratesA = pod('p', { tolerations: [{ key: 'a', operator: 'Exists' }] })
    expect(filterOn(taintToleration, tainted, toleratesA)?.reasons).toEqual(['node(s) had untolerated taint {b: }'])
    expect(fits(taintToleration, tainted, pod('p', { tolerations: [{ operator: 'Exists' }] }))).toBe(true)
  })

  it('lets PreferNoSchedule taints through the filter', () => {
    expect(fits(taintToleration, node('n1', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }), pod('p'))).toBe(true)
  })

  it('keeps pods off a NotReady or unreachable node through its taint, even before the lifecycle controller adds it', () => {
    expect(filterOn(taintToleration, node('n1', { ready: 'False' }), pod('p'))?.reasons).toEqual([
      'node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
    ])
    expect(filterOn(taintToleration, node('n1', { ready: 'Unknown' }), pod('p'))?.reasons).toEqual([
      'node(s) had untolerated taint {node.kubernetes.io/unreachable: }',
    ])
    const tainted = node('n1', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] })
    expect(filterOn(taintToleration, tainted, pod('p'))?.reasons).toEqual([
      'node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
    ])
    const tolerant = pod('p', { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] })
    expect(fits(taintToleration, node('n1', { ready: 'False' }), tolerant)).toBe(true)
  })
})

describe('unschedulable nodes', () => {
  it('rejects a cordoned node unless the pod tolerates its unschedulable taint', () => {
    const cordoned = node('n1', { unschedulable: true })
    expect(filterOn(nodeUnschedulable, cordoned, pod('p'))).toEqual({ reasons: ['node(s) were unschedulable'], unresolvable: true })
    expect(
      fits(
        nodeUnschedulable,
        cordoned,
        pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }),
      ),
    ).toBe(true)
    expect(fits(nodeUnschedulable, node('n1'), pod('p'))).toBe(true)
  })

  it('rejects a node carrying the unschedulable taint through TaintToleration', () => {
    const tainted = node('n1', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] })
    expect(filterOn(taintToleration, tainted, pod('p'))?.reasons).toEqual([
      'node(s) had untolerated taint {node.kubernetes.io/unschedulable: }',
    ])
  })
})

describe('node affinity and node selector', () => {
  const labelled = node('n1', { labels: { zone: 'a', disk: 'ssd', cores: '16' } })
  const withTerms = (...terms: JsonObject[]) =>
    pod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } })
  const expr = (key: string, operator: string, values?: string[]) => ({ matchExpressions: [{ key, operator, ...(values && { values }) }] })

  const cases: Array<[string, JsonObject, boolean]> = [
    ['In with the value', expr('zone', 'In', ['a', 'b']), true],
    ['In without the value', expr('zone', 'In', ['b']), false],
    ['NotIn with the value', expr('zone', 'NotIn', ['a']), false],
    ['NotIn on a missing label', expr('gpu', 'NotIn', ['x']), true],
    ['Exists', expr('disk', 'Exists'), true],
    ['Exists on a missing label', expr('gpu', 'Exists'), false],
    ['DoesNotExist', expr('gpu', 'DoesNotExist'), true],
    ['Gt below the value', expr('cores', 'Gt', ['8']), true],
    ['Gt above the value', expr('cores', 'Gt', ['16']), false],
    ['Lt above the value', expr('cores', 'Lt', ['32']), true],
    ['Gt with a value that is not an integer', expr('cores', 'Gt', ['many']), false],
    ['Gt on a label that is not an integer', expr('zone', 'Gt', ['1']), false],
    ['an unknown operator', expr('zone', 'Like', ['a']), false],
    ['In with no values', expr('zone', 'In', []), false],
    ['an empty term', {}, false],
    ['matchFields metadata.name In', { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }, true],
    ['matchFields metadata.name NotIn', { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] }, false],
    ['matchFields on another field', { matchFields: [{ key: 'metadata.uid', operator: 'In', values: ['n1'] }] }, false],
    [
      'expressions and fields, ANDed',
      { ...expr('zone', 'In', ['a']), matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] },
      false,
    ],
  ]
  for (const [what, term, expected] of cases) {
    it(`${expected ? 'accepts' : 'rejects'} a node for a term with ${what}`, () => {
      const result = filterOn(nodeAffinity, labelled, withTerms(term))
      expect(result).toEqual(expected ? undefined : { reasons: ["node(s) didn't match Pod's node affinity/selector"], unresolvable: true })
    })
  }

  it('ORs the terms and ANDs them with the node selector', () => {
    expect(fits(nodeAffinity, labelled, withTerms(expr('zone', 'In', ['b']), expr('disk', 'Exists')))).toBe(true)
    const both = pod('p', {
      nodeSelector: { zone: 'b' },
      affinity: (withTerms(expr('disk', 'Exists')).spec as JsonObject).affinity as JsonObject,
    })
    const notMatched = { reasons: ["node(s) didn't match Pod's node affinity/selector"], unresolvable: true }
    expect(filterOn(nodeAffinity, labelled, both)).toEqual(notMatched)
    expect(fits(nodeAffinity, labelled, pod('p', { nodeSelector: { zone: 'a', disk: 'ssd' } }))).toBe(true)
    expect(filterOn(nodeAffinity, labelled, pod('p', { nodeSelector: { zone: 'a', disk: 'hdd' } }))).toEqual(notMatched)
  })
})

describe('resource fit', () => {
  const small = node('n1', { cpu: '2', memory: '4Gi', pods: '3' })

  it('fits requests within what is allocatable minus what bound pods request', () => {
    const bound = [pod('a', { cpu: '1500m', memory: '1Gi', nodeName: 'n1' })]
    expect(fits(nodeResourcesFit, small, pod('p', { cpu: '500m' }), bound)).toBe(true)
    expect(filterOn(nodeResourcesFit, small, pod('p', { cpu: '501m', memory: '4Gi' }), bound)).toEqual({
      reasons: ['Insufficient cpu', 'Insufficient memory'],
      unresolvable: false,
    })
  })

  it('does not count finished pods, and counts pods being deleted', () => {
    const finished = [pod('a', { cpu: '2', nodeName: 'n1', phase: 'Succeeded' })]
    expect(fits(nodeResourcesFit, small, pod('p', { cpu: '1' }), finished)).toBe(true)
    const deleting = pod('a', { cpu: '2', nodeName: 'n1' })
    ;(deleting.metadata as JsonObject).deletionTimestamp = '2026-11-26T12:00:00Z'
    expect(filterOn(nodeResourcesFit, small, pod('p', { cpu: '1' }), [deleting])).toEqual({
      reasons: ['Insufficient cpu'],
      unresolvable: false,
    })
  })

  it('calls a request larger than the whole node unresolvable', () => {
    expect(filterOn(nodeResourcesFit, small, pod('p', { cpu: '3' }))).toEqual({ reasons: ['Insufficient cpu'], unresolvable: true })
  })

  it('counts pods against allocatable pods, requests or not', () => {
    const bound = ['a', 'b', 'c'].map((n) => pod(n, { nodeName: 'n1' }))
    expect(filterOn(nodeResourcesFit, small, pod('p'), bound)).toEqual({ reasons: ['Too many pods'], unresolvable: false })
    expect(filterOn(nodeResourcesFit, small, pod('p', { cpu: '3' }), bound)).toEqual({
      reasons: ['Too many pods', 'Insufficient cpu'],
      unresolvable: true,
    })
  })

  it('takes the largest init container when it exceeds the containers, plus the overhead', () => {
    const init = (cpu: string) => ({ name: `init-${cpu}`, image: 'busybox', resources: { requests: { cpu } } })
    expect(fits(nodeResourcesFit, small, pod('p', { cpu: '500m', initContainers: [init('2')] }))).toBe(true)
    // More than the node's 2 cpus at all: unresolvable.
    expect(filterOn(nodeResourcesFit, small, pod('p', { cpu: '500m', initContainers: [init('2'), init('2100m')] }))).toEqual({
      reasons: ['Insufficient cpu'],
      unresolvable: true,
    })
    expect(fits(nodeResourcesFit, small, pod('p', { cpu: '1900m', overhead: { cpu: '100m' } }))).toBe(true)
    expect(filterOn(nodeResourcesFit, small, pod('p', { cpu: '1900m', overhead: { cpu: '101m' } }))).toEqual({
      reasons: ['Insufficient cpu'],
      unresolvable: true,
    })
  })

  it('checks extended resources by name', () => {
    const gpuNode = node('n1', { extra: { 'example.com/gpu': '1' } })
    const wantsGpu = (n: string) => ({
      ...pod('p'),
      spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { 'example.com/gpu': n } } }] },
    })
    expect(fits(nodeResourcesFit, gpuNode, wantsGpu('1'))).toBe(true)
    expect(filterOn(nodeResourcesFit, gpuNode, wantsGpu('2'))).toEqual({ reasons: ['Insufficient example.com/gpu'], unresolvable: true })
    expect(filterOn(nodeResourcesFit, node('n1'), wantsGpu('1'))).toEqual({ reasons: ['Insufficient example.com/gpu'], unresolvable: true })
  })
})

describe('host ports', () => {
  const port = (hostPort: number, hostIP?: string, protocol = 'TCP') => ({
    ...pod(`p-${hostPort}-${hostIP ?? 'any'}-${protocol}`),
    spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort, protocol, ...(hostIP && { hostIP }) }] }] },
  })
  const bound = (p: JsonObject) => ({
    ...p,
    metadata: { ...(p.metadata as JsonObject), name: 'bound' },
    spec: { ...(p.spec as JsonObject), nodeName: 'n1' },
  })

  it('rejects a node where the host port is taken on the same or any IP, for the same protocol', () => {
    const reasons = ["node(s) didn't have free ports for the requested pod ports"]
    expect(filterOn(nodePorts, node('n1'), port(8080), [bound(port(8080))])).toEqual({ reasons, unresolvable: false })
    expect(filterOn(nodePorts, node('n1'), port(8080, '10.0.0.1'), [bound(port(8080))])).toEqual({ reasons, unresolvable: false })
    expect(filterOn(nodePorts, node('n1'), port(8080), [bound(port(8080, '10.0.0.1'))])).toEqual({ reasons, unresolvable: false })
    expect(fits(nodePorts, node('n1'), port(8080, '10.0.0.2'), [bound(port(8080, '10.0.0.1'))])).toBe(true)
    expect(fits(nodePorts, node('n1'), port(8080, undefined, 'UDP'), [bound(port(8080))])).toBe(true)
    expect(fits(nodePorts, node('n1'), port(8081), [bound(port(8080))])).toBe(true)
  })
})
