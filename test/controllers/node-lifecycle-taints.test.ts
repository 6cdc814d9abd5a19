import { describe, expect, it } from 'vitest'
import { evictionDeadline, readinessTaints, toleratesTaint } from '../../services/controllers/node-lifecycle-taints.js'
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js'

const T = '2026-11-26T12:00:00Z'
const node = (ready: string | undefined, taints: Taint[] = []): Node => ({
  metadata: { name: 'n1' },
  spec: { taints },
  status: { conditions: ready ? [{ type: 'Ready', status: ready }] : [] },
})

describe('node readiness taints', () => {
  it('taints an Unknown node unreachable and a False one not-ready, NoSchedule and NoExecute', () => {
    expect(readinessTaints(node('Unknown'), T)).toEqual([
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: T },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: T },
    ])
    const swapped = readinessTaints(
      node('False', [
        { key: 'gpu', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: T },
      ]),
      '2026-11-26T12:01:00Z',
    )
    expect(swapped).toEqual([
      { key: 'gpu', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule', timeAdded: '2026-11-26T12:01:00Z' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: '2026-11-26T12:01:00Z' },
    ])
  })

  it('changes nothing when the taints are right, and removes them when the node is Ready again', () => {
    const tainted = node('Unknown', readinessTaints(node('Unknown'), T) ?? [])
    expect(readinessTaints(tainted, '2026-11-26T12:09:00Z')).toBeUndefined()
    expect(readinessTaints({ ...tainted, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, T)).toEqual([])
    expect(readinessTaints(node('True'), T)).toBeUndefined()
  })
})

describe('taint eviction', () => {
  const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: T }
  const pod = (tolerations: Toleration[]): Pod => ({ spec: { containers: [], tolerations } })

  it('matches tolerations as Kubernetes does', () => {
    expect(toleratesTaint({ operator: 'Exists' }, unreachable)).toBe(true)
    expect(toleratesTaint({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }, unreachable)).toBe(false)
    expect(toleratesTaint({ key: 'gpu', value: 'a' }, { key: 'gpu', value: 'a', effect: 'NoSchedule' })).toBe(true)
    expect(toleratesTaint({ key: 'gpu', operator: 'Equal', value: 'b' }, { key: 'gpu', value: 'a', effect: 'NoSchedule' })).toBe(false)
    expect(toleratesTaint({ key: 'gpu', operator: 'Lt', value: 'a' }, { key: 'gpu', value: 'a', effect: 'NoSchedule' })).toBe(false)
  })

  it('evicts at once without a toleration, after tolerationSeconds with one, never without a limit', () => {
    expect(evictionDeadline(pod([]), [unreachable])).toBe(-Infinity)
    expect(
      evictionDeadline(pod([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]), [
        unreachable,
      ]),
    ).toBe(Date.parse(T) + 300_000)
    expect(evictionDeadline(pod([{ operator: 'Exists' }]), [unreachable])).toBe(Infinity)
    expect(
      evictionDeadline(pod([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: -5 }]), [unreachable]),
    ).toBe(Date.parse(T))
  })
})
