import { describe, expect, it } from 'vitest'
import { emptyState } from '../../projections/cluster-state.js'
import { reconcileNewReplicaSet, reconcileOldReplicaSets } from '../../services/controllers/deployment/rolling.js'
import {
  maxSurge,
  maxUnavailable,
  newReplicaSetReplicas,
  replicaSetFraction,
  resolveFenceposts,
  scaledValue,
} from '../../services/controllers/deployment/rolling-math.js'
import { newSync, type ReplicaSetView } from '../../services/controllers/deployment/sync.js'
import type { Deployment } from 'kubernetes-types/apps/v1.js'

const rolling = (replicas: number, maxSurge: number | string, maxUnavailable: number | string): Deployment => ({
  metadata: { name: 'web', namespace: 'default', uid: 'd1' },
  spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } }, selector: {}, template: {} },
})

const recreate = (replicas: number): Deployment => ({ spec: { replicas, strategy: { type: 'Recreate' }, selector: {}, template: {} } })

const view = (name: string, replicas: number, available = replicas, created = '2026-11-26T11:00:00Z'): ReplicaSetView => ({
  object: {
    metadata: { name, creationTimestamp: created },
    spec: { replicas, selector: {} },
    status: { replicas, availableReplicas: available },
  },
  name,
  uid: name,
  replicas,
  annotations: {},
  pods: replicas,
  available,
  created: false,
})

describe('rolling update maths (kubernetes `pkg/controller/deployment/util/deployment_util.go`)', () => {
  it.each([
    // replicas, maxSurge, maxUnavailable → surge, unavailable
    [10, '25%', '25%', 3, 2],
    [4, '25%', '25%', 1, 1],
    [3, '25%', '25%', 1, 0],
    [1, '25%', '25%', 1, 0],
    [1, '0%', '25%', 0, 1],
    [10, 0, 0, 0, 1],
    [10, '0%', '0%', 0, 1],
    [5, 2, '50%', 2, 2],
    [0, '25%', '25%', 0, 1],
  ])(
    '%i replicas with maxSurge %s and maxUnavailable %s resolve to %i and %i',
    (replicas, surge, unavailable, wantSurge, wantUnavailable) => {
      expect(resolveFenceposts(surge, unavailable, replicas)).toEqual({ surge: wantSurge, unavailable: wantUnavailable })
    },
  )

  it('rounds percentages of maxSurge up and of maxUnavailable down', () => {
    expect(scaledValue('33%', 10, true)).toBe(4)
    expect(scaledValue('33%', 10, false)).toBe(3)
    expect(scaledValue(7, 10, true)).toBe(7)
  })

  it('caps maxUnavailable at replicas, and makes both 0 for Recreate and maxUnavailable 0 for no replicas', () => {
    expect(maxUnavailable(rolling(2, 0, 5))).toBe(2)
    expect(maxUnavailable(rolling(0, '25%', '25%'))).toBe(0)
    expect([maxSurge(recreate(3)), maxUnavailable(recreate(3))]).toEqual([0, 0])
  })

  it.each([
    // NewRSNewReplicas: deployment replicas, maxSurge, old replicas, new replicas → new replicas
    [10, 0, 10, 0, 0],
    [10, 2, 10, 0, 2],
    [10, 2, 5, 0, 7],
    [10, 2, 10, 2, 2],
    [10, 3, 0, 8, 10],
  ])('grows the new ReplicaSet of a Deployment of %i with maxSurge %i (old %i, new %i) to %i', (replicas, surge, old, current, want) => {
    const d = rolling(replicas, surge, 0)
    expect(newReplicaSetReplicas(d, [{ replicas: old }, { replicas: current }], { replicas: current })).toBe(want)
  })

  it('counts pods an old ReplicaSet has not removed yet against maxSurge', () => {
    const d = rolling(3, 1, 0)
    expect(
      newReplicaSetReplicas(
        d,
        [
          { replicas: 2, pods: 3 },
          { replicas: 1, pods: 1 },
        ],
        { replicas: 1, pods: 1 },
      ),
    ).toBe(1)
    expect(
      newReplicaSetReplicas(
        d,
        [
          { replicas: 2, pods: 2 },
          { replicas: 1, pods: 1 },
        ],
        { replicas: 1, pods: 1 },
      ),
    ).toBe(2)
  })

  it('takes Recreate straight to replicas', () => {
    expect(newReplicaSetReplicas(recreate(5), [{ replicas: 5 }], { replicas: 0 })).toBe(5)
  })

  it("shares a resize in proportion to each ReplicaSet's size at its max-replicas annotation", () => {
    // 10 → 15 replicas with maxSurge 3: a ReplicaSet of 5 sized at max-replicas 13 grows to round(5 × 18 / 13) = 7.
    expect(replicaSetFraction(5, rolling(15, 3, 0), 13, 0)).toBe(2)
    // Scaling to 0 takes everything.
    expect(replicaSetFraction(4, rolling(0, 3, 0), 13, 0)).toBe(-4)
    // Without the annotation the Deployment's status.replicas stands in.
    expect(replicaSetFraction(5, rolling(20, 0, 1), undefined, 10)).toBe(5)
  })
})

describe('reconcileNewReplicaSet (rolling_test.go)', () => {
  it.each([
    // replicas, maxSurge, old, new → scaled, expected new replicas
    [10, 0, 10, 0, false, 0],
    [10, 2, 10, 0, true, 2],
    [10, 2, 5, 0, true, 7],
    [10, 2, 10, 2, false, 2],
    [2, 2, 2, 4, true, 2],
  ])('Deployment of %i, maxSurge %i, old %i, new %i: scales %s to %i', (replicas, surge, old, current, scaled, want) => {
    const sync = newSync(rolling(replicas, surge, 0), emptyState(), new Date('2026-11-26T12:00:00Z'))
    const oldRS = view('web-old', old)
    const newRS = view('web-new', current)
    expect(reconcileNewReplicaSet(sync, [oldRS, newRS], newRS)).toBe(scaled)
    expect(newRS.replicas).toBe(want)
  })
})

describe('reconcileOldReplicaSets (rolling_test.go)', () => {
  it.each([
    // replicas, maxUnavailable, old, new, old available, new available → scaled, expected old replicas
    [10, 0, 10, 0, 10, 0, false, 10],
    [10, 2, 10, 0, 10, 0, true, 8],
    [10, 2, 10, 0, 8, 0, true, 8],
    [10, 2, 10, 0, 9, 0, true, 8],
    [10, 2, 8, 2, 8, 0, false, 8],
  ])(
    'Deployment of %i, maxUnavailable %i, old %i, new %i, available %i/%i: scales %s to %i',
    (replicas, unavailable, old, current, oldAvailable, newAvailable, scaled, want) => {
      // As rolling_test.go's newDeployment, maxSurge 1.
      const sync = newSync(rolling(replicas, 1, unavailable), emptyState(), new Date('2026-11-26T12:00:00Z'))
      const oldRS = view('web-old', old, oldAvailable)
      const newRS = view('web-new', current, newAvailable)
      expect(reconcileOldReplicaSets(sync, [oldRS, newRS], [oldRS], newRS)).toBe(scaled)
      expect(oldRS.replicas).toBe(want)
    },
  )

  it('scales the oldest ReplicaSet down first and says so as Kubernetes does', () => {
    const sync = newSync(rolling(4, 0, 2), emptyState(), new Date('2026-11-26T12:00:00Z'))
    const older = view('web-a', 2, 2, '2026-11-26T10:00:00Z')
    const old = view('web-b', 2, 2, '2026-11-26T11:00:00Z')
    const newRS = view('web-c', 0, 0, '2026-11-26T11:30:00Z')
    reconcileOldReplicaSets(sync, [older, old, newRS], [older, old], newRS)
    expect([older.replicas, old.replicas]).toEqual([0, 2])
    const events = sync.steps.flatMap((s) => (Array.isArray(s) ? s : [s])).flatMap((a) => (a.type === 'create' ? [a.object.message] : []))
    expect(events).toEqual(['Scaled down replica set web-a from 2 to 0'])
  })
})
