import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../../services/json.js'
import { reasonHistogram } from '../../services/scheduler/failure-message.js'
import { decide, messageOf, node, pod } from './fixtures.js'

const pinned = (...names: string[]) => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: names.map((n) => ({ matchFields: [{ key: 'metadata.name', operator: 'In', values: [n] }] })),
    },
  },
})

describe('the FailedScheduling message', () => {
  it('counts nodes per reason and says preemption is not helpful when the pod asks more than any node has', () => {
    const nodes = [
      node('a', { cpu: '2' }),
      node('b', { cpu: '2' }),
      node('master', { taints: [{ key: 'key', value: 'value', effect: 'NoSchedule' }], cpu: '2' }),
    ]
    expect(messageOf(decide(nodes, pod('p', { cpu: '3' })))).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {key: value}, 2 Insufficient cpu. ' +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    )
  })

  it('finds no preemption victims on nodes that are only full', () => {
    const nodes = [
      node('a', { cpu: '2' }),
      node('b', { cpu: '2' }),
      node('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
    ]
    const busy = [pod('x', { cpu: '2', nodeName: 'a' }), pod('y', { cpu: '2', nodeName: 'b' })]
    expect(messageOf(decide([...nodes, ...busy], pod('p', { cpu: '1' })))).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. ' +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    )
  })

  it('sorts the entries as strings, count included, as Go’s sort.Strings does', () => {
    const nodes = [
      ...Array.from({ length: 10 }, (_, i) => node(`full-${i}`, { cpu: '1' })),
      node('c1', { unschedulable: true }),
      node('c2', { unschedulable: true }),
    ]
    expect(messageOf(decide(nodes, pod('p', { cpu: '2' })))).toBe(
      '0/12 nodes are available: 10 Insufficient cpu, 2 node(s) were unschedulable. ' +
        'preemption: 0/12 nodes are available: 12 Preemption is not helpful for scheduling.',
    )
    expect(
      reasonHistogram(
        new Map([
          ['b', 1],
          ['a', 2],
          ['c', 10],
        ]),
      ),
    ).toBe('1 b, 10 c, 2 a')
  })

  it('lists every reason a node gives', () => {
    expect(messageOf(decide([node('a', { cpu: '1', memory: '1Gi' })], pod('p', { cpu: '2', memory: '2Gi' })))).toBe(
      '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    )
  })

  it('says so when there are no nodes at all', () => {
    expect(decide([], pod('p'))).toMatchObject({ outcome: 'unschedulable', message: 'no nodes available to schedule pods' })
  })

  it('says a pod that may not preempt is not eligible', () => {
    expect(messageOf(decide([node('a', { cpu: '1' })], pod('p', { cpu: '2', preemptionPolicy: 'Never' })))).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    )
  })

  it('reports the nodes a pod pinned by name (a DaemonSet pod) did not name, as NodeAffinity PreFilter does', () => {
    const nodes = [node('a', { cpu: '1' }), node('b'), node('c'), node('d')]
    const busy = [pod('x', { cpu: '1', nodeName: 'a' })]
    expect(messageOf(decide([...nodes, ...busy], pod('ds', { cpu: '100m', affinity: pinned('a') })))).toBe(
      "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't satisfy plugin(s) [NodeAffinity]. " +
        'preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.',
    )
    expect(decide(nodes, pod('ds', { affinity: pinned('c') }))).toMatchObject({ outcome: 'scheduled', node: 'c' })
  })

  it('replaces the node reasons with a PreFilter’s rejection', () => {
    const conflicting = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchFields: [
                { key: 'metadata.name', operator: 'In', values: ['a'] },
                { key: 'metadata.name', operator: 'In', values: ['b'] },
              ],
            },
          ],
        },
      },
    } as JsonObject
    expect(messageOf(decide([node('a'), node('b')], pod('p', { affinity: conflicting })))).toBe(
      '0/2 nodes are available: pod affinity terms conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    )
  })

  it('reports a selector that matches no node like any other mismatch', () => {
    const nowhere = pod('p', { nodeSelector: { 'no-such-label': 'x' } })
    expect(messageOf(decide([node('a'), node('b')], nowhere))).toBe(
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    )
  })

  it('reports host ports in use as curable by preemption', () => {
    const withPort = (name: string, nodeName?: string) => ({
      ...pod(name),
      spec: { ...(nodeName && { nodeName }), containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 80 }] }] },
    })
    expect(messageOf(decide([node('a'), withPort('x', 'a')], withPort('p')))).toBe(
      "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    )
  })
})
