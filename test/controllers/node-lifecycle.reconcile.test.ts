import { describe, expect, it } from 'vitest'
import { createNodeLifecycleController } from '../../services/controllers/node-lifecycle.controller.js'
import { HeartbeatTable } from '../../services/runtime/heartbeat-table.js'
import type { JsonObject } from '../../services/json.js'
import { deleted, NOW, ReconcilerSpecification, recorded, secondsFromNow, statusWritten, uidOfGiven, updated } from '../support/given.js'

const now = secondsFromNow(0)

/** The controller, with n1's kubelet last heard from `silentFor` seconds before NOW. */
function nodeLifecycle(silentFor: number) {
  const heartbeats = new HeartbeatTable()
  heartbeats.renew('n1', new Date(NOW.getTime() - silentFor * 1000))
  return ReconcilerSpecification.for(createNodeLifecycleController({ heartbeats }))
}

const HEALTHY: Array<[string, string, string]> = [
  ['Ready', 'True', 'KubeletReady'],
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
]

function node(ready: 'True' | 'False' | 'Unknown' = 'True', taints: JsonObject[] = []): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1' },
    spec: { ...(taints.length > 0 && { taints }) },
    status: {
      // Unknown as this controller leaves them: every condition.
      conditions: HEALTHY.map(([type, status, reason]) =>
        ready === 'Unknown'
          ? {
              type,
              status: 'Unknown',
              reason: 'NodeStatusUnknown',
              message: 'Kubelet stopped posting node status.',
              lastTransitionTime: secondsFromNow(-3000),
            }
          : { type, status: type === 'Ready' ? ready : status, reason, lastTransitionTime: secondsFromNow(-3000) },
      ),
    },
  }
}

const unreachable = (since: number) => [
  { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: secondsFromNow(-since) },
  { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: secondsFromNow(-since) },
]

function pod(name: string, tolerations?: JsonObject[], nodeName = 'n1'): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName, containers: [{ name: 'app', image: 'nginx' }], ...(tolerations && { tolerations }) },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: secondsFromNow(-3000) }] },
  }
}

/** The pod as the controller leaves it on a node that is not ready. */
const notReady = (p: JsonObject, since = 299) => ({
  ...p,
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: secondsFromNow(-since) }] },
})

const tolerating = (seconds?: number) => [
  {
    key: 'node.kubernetes.io/unreachable',
    operator: 'Exists',
    effect: 'NoExecute',
    ...(seconds !== undefined && { tolerationSeconds: seconds }),
  },
]

describe('the node lifecycle controller decides', () => {
  it('to leave a node alone whose kubelet was heard from within the 40 s grace period, looking again in 5 s', () => {
    nodeLifecycle(40)(node(), pod('web')).when('n1').thenRequeuesAfter(5_000).thenNothing()
  })

  it('to mark every condition of a node silent for longer Unknown, saying the node is not ready', () => {
    const when = nodeLifecycle(41)(node()).when('n1')
    when
      .thenRequeuesAfter(5_000)
      .then(statusWritten('Node', 'n1', {}), recorded('Normal', 'NodeNotReady', 'Node n1 status is now: NodeNotReady'))
    expect((when.status!.conditions as JsonObject[]).map((c) => [c.type, c.status, c.reason, c.message, c.lastTransitionTime])).toEqual(
      ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => [
        type,
        'Unknown',
        'NodeStatusUnknown',
        'Kubelet stopped posting node status.',
        now,
      ]),
    )
  })

  it('to taint a node unreachable when its Ready condition is Unknown, not-ready when False, and neither when True', () => {
    const taint = (key: string) => [
      { key, effect: 'NoSchedule', timeAdded: now },
      { key, effect: 'NoExecute', timeAdded: now },
    ]
    nodeLifecycle(60)(node('Unknown'))
      .when('n1')
      .then(updated('Node', 'n1', { spec: { taints: taint('node.kubernetes.io/unreachable') } }))
    nodeLifecycle(0)(node('False'))
      .when('n1')
      .then(updated('Node', 'n1', { spec: { taints: taint('node.kubernetes.io/not-ready') } }))
    const back = nodeLifecycle(0)(node('True', [...unreachable(60), { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }])).when('n1')
    back.then(updated('Node', 'n1', { spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } }))
  })

  it('to mark the pods of a node that is not ready not ready, and to evict at once those that do not tolerate its NoExecute taint', () => {
    const patient = pod('patient')
    const impatient = pod('impatient', tolerating(0))
    const when = nodeLifecycle(60)(node('Unknown', unreachable(60)), patient, impatient, pod('elsewhere', undefined, 'n2')).when('n1')
    when.then(
      statusWritten('Pod', 'default/patient', { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: now }] }),
      statusWritten('Pod', 'default/impatient', {
        conditions: [
          { type: 'Ready', status: 'False', lastTransitionTime: now },
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'DeletionByTaintManager',
            message: 'Taint manager: deleting due to NoExecute taint',
            lastTransitionTime: now,
          },
        ],
      }),
      recorded('Warning', 'NodeNotReady', 'Node is not ready'),
      recorded('Warning', 'NodeNotReady', 'Node is not ready'),
      recorded('Normal', 'TaintManagerEviction', 'Marking for deletion Pod default/impatient'),
      deleted('Pod', 'default/impatient', { options: { preconditions: { uid: uidOfGiven(impatient) } }, reason: 'NoExecute taint' }),
    )
  })

  it('to evict a pod that tolerates the taint for a while once its tolerationSeconds have run out, and never one that tolerates it forever', () => {
    const bounded = pod('bounded', tolerating(300))
    const steadfast = pod('steadfast', tolerating())
    // The deadline is a second away: the node is looked at again then.
    nodeLifecycle(299)(node('Unknown', unreachable(299)), notReady(bounded), notReady(steadfast))
      .when('n1')
      .thenRequeuesAfter(1_000)
      .thenNothing()
    nodeLifecycle(300)(node('Unknown', unreachable(300)), notReady(bounded), notReady(steadfast))
      .when('n1')
      .thenIncludes(
        recorded('Normal', 'TaintManagerEviction', 'Marking for deletion Pod default/bounded'),
        deleted('Pod', 'default/bounded'),
      )
      .thenExcludes(deleted('Pod', 'default/steadfast'))
  })

  it('to look again when the earliest toleration runs out, not up to a monitor period later, and every 5 s at most', () => {
    // Tainted unreachable 297 s ago: `quick` tolerates it for 299 s, `slow` for 600 s.
    const quick = notReady(pod('quick', tolerating(299)), 297)
    const slow = notReady(pod('slow', tolerating(600)), 297)
    nodeLifecycle(297)(node('Unknown', unreachable(297)), quick, slow)
      .when('n1')
      .thenRequeuesAfter(2_000)
      .thenNothing()
    // Two seconds on, `quick` goes on the dot; `slow` has 301 s left, so the monitor period (--node-monitor-period) comes first.
    nodeLifecycle(299)(node('Unknown', unreachable(299)), quick, slow)
      .when('n1')
      .thenRequeuesAfter(5_000)
      .thenIncludes(deleted('Pod', 'default/quick', { options: { preconditions: { uid: uidOfGiven(quick) } }, reason: 'NoExecute taint' }))
      .thenExcludes(deleted('Pod', 'default/slow'))
  })

  it('to force-delete, as the pod garbage collector, the pods of a node that no longer exists', () => {
    const stranded = pod('stranded')
    nodeLifecycle(0)(stranded)
      .when('n1')
      .then(
        statusWritten('Pod', 'default/stranded', {
          phase: 'Failed',
          conditions: [
            { type: 'Ready' },
            { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' },
          ],
        }),
        deleted('Pod', 'default/stranded', {
          options: { gracePeriodSeconds: 0, preconditions: { uid: uidOfGiven(stranded) } },
          actor: 'system:controller:pod-garbage-collector',
        }),
      )
  })
})
