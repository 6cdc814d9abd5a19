import { describe, expect, it } from 'vitest'
import { emptyState, type ClusterState } from '../../projections/cluster-state.js'
import { load } from '../../projections/evolve.js'
import { createDeploymentController } from '../../services/controllers/deployment/deployment.controller.js'
import { computeHash } from '../../services/controllers/deployment/pod-template-hash.js'
import type { Action } from '../../services/controllers/runtime/controller.js'
import type { JsonObject } from '../../services/resources/json.js'

const now = new Date('2026-11-26T12:00:00Z')
const controller = createDeploymentController()

function stored(overrides: { selector?: unknown; labels?: Record<string, string>; status?: JsonObject } = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 1, resourceVersion: '7', creationTimestamp: '2026-11-26T11:00:00Z' },
    spec: {
      replicas: 3,
      selector: 'selector' in overrides ? overrides.selector : { matchLabels: { app: 'web' } },
      template: { metadata: { labels: overrides.labels ?? { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }], restartPolicy: 'Always' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: overrides.status ?? {},
  }
}

function stateWith(...objects: JsonObject[]): ClusterState {
  const state = emptyState()
  for (const o of objects) {
    const m = o.metadata as JsonObject
    load(state, String(o.kind), String(m.namespace ?? ''), String(m.name), o)
  }
  return state
}

const flat = (actions: Array<Action | Action[]>) => actions.flatMap((a) => (Array.isArray(a) ? a : [a]))
const reconcile = (state: ClusterState) => flat(controller.reconcile('default/web', state, now).actions)
const statusOf = (actions: Action[]) => ((actions.find((a) => a.type === 'updateStatus') as { object: JsonObject } | undefined)?.object.status ?? undefined) as JsonObject | undefined
const events = (actions: Action[]) => actions.flatMap((a) => (a.type === 'create' && a.object.kind === 'Event' ? [a.object] : []))

describe('the Deployment controller, reconciling a state', () => {
  it('creates <name>-<hash> with the revision, desired and max annotations, then records and reports it', () => {
    const d = stored()
    const actions = reconcile(stateWith(d))
    const hash = computeHash((d.spec as JsonObject).template)
    const rs = actions.find((a) => a.type === 'create' && a.object.kind === 'ReplicaSet') as { object: JsonObject }
    expect(rs.object).toMatchObject({
      metadata: {
        name: `web-${hash}`,
        labels: { app: 'web', 'pod-template-hash': hash },
        annotations: { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': hash } } } },
    })
    expect(events(actions)).toMatchObject([{ type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled up replica set web-${hash} from 0 to 3`, source: { component: 'deployment-controller' } }])
    expect(actions).toContainEqual(expect.objectContaining({ type: 'patch', kind: 'Deployment', patch: { metadata: { annotations: { 'deployment.kubernetes.io/revision': '1' } } } }))
    expect(statusOf(actions)).toEqual({
      observedGeneration: 1,
      unavailableReplicas: 3,
      conditions: [
        { type: 'Progressing', status: 'True', lastUpdateTime: '2026-11-26T12:00:00Z', lastTransitionTime: '2026-11-26T12:00:00Z', reason: 'NewReplicaSetCreated', message: `Created new replica set "web-${hash}"` },
        { type: 'Available', status: 'False', lastUpdateTime: '2026-11-26T12:00:00Z', lastTransitionTime: '2026-11-26T12:00:00Z', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
      ],
    })
  })

  it('reports a template the API would refuse as ReplicaSetCreateError, without crashing or creating', () => {
    const actions = reconcile(stateWith(stored({ labels: { app: 'other' } })))
    expect(actions.filter((a) => a.type === 'create' && a.object.kind === 'ReplicaSet')).toEqual([])
    const [warning] = events(actions)
    expect(warning).toMatchObject({ type: 'Warning', reason: 'ReplicaSetCreateError' })
    expect(String(warning!.message)).toMatch(/^Failed to create new replica set "web-[4-9bcdf]+": ReplicaSet.apps "web-[4-9bcdf]+" is invalid: spec.template.metadata.labels: Invalid value/)
    const progressing = ((statusOf(actions)?.conditions ?? []) as JsonObject[]).find((c) => c.type === 'Progressing')
    expect(progressing).toMatchObject({ status: 'False', reason: 'ReplicaSetCreateError', message: warning!.message })
    // Reported once: the same failure again records no second event.
    const again = reconcile(stateWith(stored({ labels: { app: 'other' }, status: statusOf(actions)! })))
    expect(events(again)).toEqual([])
  })

  it('warns about a selector that selects everything and only records the generation', () => {
    const actions = reconcile(stateWith(stored({ selector: {} })))
    expect(events(actions)).toMatchObject([{ type: 'Warning', reason: 'SelectingAll', message: 'This deployment is selecting all pods. A non-empty selector is required.' }])
    expect(statusOf(actions)).toEqual({ observedGeneration: 1 })
    expect(actions.filter((a) => a.type === 'create' && a.object.kind === 'ReplicaSet')).toEqual([])
  })

  it('does nothing for a Deployment without a selector, or one that is gone', () => {
    expect(reconcile(stateWith(stored({ selector: undefined })))).toEqual([])
    expect(reconcile(emptyState())).toEqual([])
  })

  it('adds the paused condition and creates no ReplicaSet while paused', () => {
    const d = stored()
    ;(d.spec as JsonObject).paused = true
    const actions = reconcile(stateWith(d))
    expect(actions.filter((a) => a.type === 'create' && a.object.kind === 'ReplicaSet')).toEqual([])
    expect(((statusOf(actions)?.conditions ?? []) as JsonObject[]).find((c) => c.type === 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' })
  })
})
