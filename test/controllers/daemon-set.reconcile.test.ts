import { describe, expect, it } from 'vitest'
import { computeHash } from '../../services/controllers/controller-revision.js'
import { createDaemonSetController } from '../../services/controllers/daemon-set.controller.js'
import type { JsonObject } from '../../services/json.js'
import {
  asStored,
  controlledBy,
  created,
  deleted,
  ReconcilerSpecification,
  recorded,
  secondsFromNow,
  statusWritten,
} from '../support/given.js'

const given = ReconcilerSpecification.for(createDaemonSetController())

const node = (name: string, taints: JsonObject[] = []) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: { taints },
  status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
})

function daemonSet(image = 'agent:1', spec: JsonObject = {}, generation = 1): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default', generation },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image }] } },
      ...spec,
    },
  }
}

/** The controller-revision-hash of the DaemonSet's template as stored. */
const hashOf = (ds: JsonObject) => computeHash((asStored(ds, 1).spec as JsonObject).template)

/** The ControllerRevision the DaemonSet `ds` made for the template of `of`. */
function revisionFor(ds: JsonObject, of: JsonObject, revision: number): JsonObject {
  const template = (asStored(of, 1).spec as JsonObject).template as JsonObject
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `agent-${hashOf(of)}`,
      namespace: 'default',
      labels: { app: 'agent', 'controller-revision-hash': hashOf(of) },
      ownerReferences: [controlledBy(ds)],
    },
    data: { spec: { template: { ...template, $patch: 'replace' } } },
    revision,
  }
}

interface PodOptions {
  /** The template it was made from (the DaemonSet's own by default). */
  of?: JsonObject
  ready?: boolean
  phase?: string
  age?: number
}

function daemonPod(ds: JsonObject, nodeName: string, o: PodOptions = {}): JsonObject {
  const of = o.of ?? ds
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `agent-${nodeName}-${hashOf(of)}`,
      namespace: 'default',
      creationTimestamp: secondsFromNow(-(o.age ?? 600)),
      labels: {
        app: 'agent',
        'controller-revision-hash': hashOf(of),
        'pod-template-generation': String((of.metadata as JsonObject).generation),
      },
      ownerReferences: [controlledBy(ds)],
    },
    spec: { nodeName, containers: [{ name: 'agent', image: 'x' }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: secondsFromNow(-600) }],
    },
  }
}

const settled = (ds: JsonObject, nodes: number, extra: JsonObject = {}) => ({
  currentNumberScheduled: nodes,
  desiredNumberScheduled: nodes,
  numberMisscheduled: 0,
  numberReady: nodes,
  observedGeneration: (ds.metadata as JsonObject).generation,
  updatedNumberScheduled: nodes,
  numberAvailable: nodes,
  ...extra,
})

describe('the DaemonSet controller decides', () => {
  it('to put one pod on each node whose taints it tolerates, pinned there by node affinity, recording its template as revision 1', () => {
    const ds = daemonSet()
    const hash = hashOf(ds)
    const onNode = (name: string) =>
      created('Pod', {
        metadata: {
          generateName: undefined,
          labels: { app: 'agent', 'controller-revision-hash': hash, 'pod-template-generation': '1' },
          ownerReferences: [controlledBy(ds)],
        },
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [name] }] }],
              },
            },
          },
        },
      })
    const when = given(ds, node('n1'), node('n2'), node('n3', [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }])).when(
      'default/agent',
    )
    when.then(
      created('ControllerRevision', {
        metadata: {
          name: `agent-${hash}`,
          labels: { app: 'agent', 'controller-revision-hash': hash },
          ownerReferences: [controlledBy(ds)],
        },
        revision: 1,
      }),
      onNode('n1'),
      onNode('n2'),
      statusWritten('DaemonSet', 'default/agent', {
        desiredNumberScheduled: 2,
        currentNumberScheduled: 0,
        numberMisscheduled: 0,
        numberReady: 0,
        observedGeneration: 1,
        numberUnavailable: 2,
      }),
      recorded('Normal', 'SuccessfulCreate', /^Created pod: agent-/),
      recorded('Normal', 'SuccessfulCreate', /^Created pod: agent-/),
    )
    const tolerations = (when.created('Pod')[0]!.spec as JsonObject).tolerations as JsonObject[]
    expect(tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ])
  })

  it('to count ready and available pods in its status, writing nothing else', () => {
    const ds = daemonSet()
    given(ds, revisionFor(ds, ds, 1), node('n1'), node('n2'), daemonPod(ds, 'n1'), daemonPod(ds, 'n2', { ready: false }))
      .when('default/agent')
      .then(statusWritten('DaemonSet', 'default/agent', settled(ds, 2, { numberReady: 1, numberAvailable: 1, numberUnavailable: 1 })))
  })

  it('to write nothing when every node has its ready, current pod and the status says so', () => {
    const ds = { ...daemonSet(), status: settled(daemonSet(), 1) }
    given(ds, revisionFor(ds, ds, 1), node('n1'), daemonPod(ds, 'n1'))
      .when('default/agent')
      .thenNothing()
  })

  it('to follow nodes: a new node gets a pod, one with a NoExecute taint it does not tolerate loses it', () => {
    const ds = { ...daemonSet(), status: settled(daemonSet(), 1) }
    given(ds, revisionFor(ds, ds, 1), node('n1'), daemonPod(ds, 'n1'), node('n4'))
      .when('default/agent')
      .thenIncludes(
        created('Pod', {
          spec: {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ values: ['n4'] }] }] },
              },
            },
          },
        }),
      )
    given(ds, revisionFor(ds, ds, 1), node('n1', [{ key: 'maintenance', effect: 'NoExecute' }]), daemonPod(ds, 'n1'))
      .when('default/agent')
      .then(
        deleted('Pod', `default/agent-n1-${hashOf(ds)}`),
        statusWritten('DaemonSet', 'default/agent', {
          desiredNumberScheduled: 0,
          currentNumberScheduled: 0,
          numberMisscheduled: 1,
          numberReady: 0,
        }),
        recorded('Normal', 'SuccessfulDelete', `Deleted pod: agent-n1-${hashOf(ds)}`),
      )
  })

  it('to keep its pod on a node tainted NoSchedule after the pod came', () => {
    const ds = {
      ...daemonSet(),
      status: settled(daemonSet(), 0, {
        numberMisscheduled: 1,
        currentNumberScheduled: 0,
        desiredNumberScheduled: 0,
        numberReady: 0,
        updatedNumberScheduled: undefined,
        numberAvailable: undefined,
      }),
    }
    given(ds, revisionFor(ds, ds, 1), node('n1', [{ key: 'dedicated', effect: 'NoSchedule' }]), daemonPod(ds, 'n1'))
      .when('default/agent')
      .thenExcludes(deleted('Pod', `default/agent-n1-${hashOf(ds)}`))
  })

  it('to kill a failed daemon pod, saying so, and replace it later', () => {
    const ds = daemonSet()
    given(ds, revisionFor(ds, ds, 1), node('n1'), daemonPod(ds, 'n1', { phase: 'Failed', ready: false }))
      .when('default/agent')
      .thenIncludes(
        deleted('Pod', `default/agent-n1-${hashOf(ds)}`),
        recorded('Warning', 'FailedDaemonPod', `Found failed daemon pod default/agent-n1-${hashOf(ds)} on node n1, will try to kill it`),
        recorded('Normal', 'SuccessfulDelete'),
      )
  })

  it('to roll a new template out one node at a time (maxUnavailable 1): an old pod goes, a new one comes, no other old pod goes until it is ready', () => {
    const v1 = daemonSet('agent:1')
    const v2 = daemonSet('agent:2', {}, 2)
    const nodes = [node('n1'), node('n2')]
    const revisions = [revisionFor(v2, v1, 1), revisionFor(v2, v2, 2)]
    given(v2, revisions, nodes, daemonPod(v2, 'n1', { of: v1 }), daemonPod(v2, 'n2', { of: v1 }))
      .when('default/agent')
      .thenIncludes(deleted('Pod', `default/agent-n1-${hashOf(v1)}`))
      .thenExcludes(deleted('Pod', `default/agent-n2-${hashOf(v1)}`), created('Pod'))
    // The old pod gone from n1: a new one there.
    given(v2, revisions, nodes, daemonPod(v2, 'n2', { of: v1 }))
      .when('default/agent')
      .thenIncludes(created('Pod', { metadata: { labels: { 'controller-revision-hash': hashOf(v2), 'pod-template-generation': '2' } } }))
      .thenExcludes(deleted('Pod', `default/agent-n2-${hashOf(v1)}`))
    // The new pod not ready yet: n2 waits.
    given(v2, revisions, nodes, daemonPod(v2, 'n1', { ready: false }), daemonPod(v2, 'n2', { of: v1 }))
      .when('default/agent')
      .thenExcludes(deleted('Pod'), created('Pod'))
    // Ready: n2's turn.
    given(v2, revisions, nodes, daemonPod(v2, 'n1'), daemonPod(v2, 'n2', { of: v1 }))
      .when('default/agent')
      .thenIncludes(deleted('Pod', `default/agent-n2-${hashOf(v1)}`))
  })

  it('to surge a new pod next to the old one with maxSurge, deleting the old one once the new is available', () => {
    const surge = { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }
    const v1 = daemonSet('agent:1', surge)
    const v2 = daemonSet('agent:2', surge, 2)
    const revisions = [revisionFor(v2, v1, 1), revisionFor(v2, v2, 2)]
    given(v2, revisions, node('n1'), daemonPod(v2, 'n1', { of: v1 }))
      .when('default/agent')
      .thenIncludes(created('Pod', { metadata: { labels: { 'controller-revision-hash': hashOf(v2) } } }))
      .thenExcludes(deleted('Pod'))
    given(v2, revisions, node('n1'), daemonPod(v2, 'n1', { of: v1, age: 600 }), daemonPod(v2, 'n1', { age: 60 }))
      .when('default/agent')
      .thenIncludes(deleted('Pod', `default/agent-n1-${hashOf(v1)}`))
  })

  it('to record a new template as a new revision, and to drop revisions beyond revisionHistoryLimit that no pod uses', () => {
    const v1 = daemonSet('agent:1', { revisionHistoryLimit: 0 })
    const v2 = daemonSet('agent:2', { revisionHistoryLimit: 0 }, 2)
    given(v2, revisionFor(v2, v1, 1), node('n1'), daemonPod(v2, 'n1'))
      .when('default/agent')
      .thenIncludes(
        created('ControllerRevision', { metadata: { name: `agent-${hashOf(v2)}` }, revision: 2 }),
        deleted('ControllerRevision', `default/agent-${hashOf(v1)}`),
      )
  })

  it('to warn about a selector that selects every pod, and do nothing else', () => {
    given(daemonSet('agent:1', { selector: {} }), node('n1'))
      .when('default/agent')
      .then(recorded('Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.'))
  })

  it('to do nothing for a DaemonSet that is gone', () => {
    given(node('n1')).when('default/agent').thenNothing()
  })
})
