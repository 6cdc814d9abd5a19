import { describe, expect, it } from 'vitest'
import { createDeploymentController } from '../../services/controllers/deployment/deployment.controller.js'
import { computeHash } from '../../services/controllers/deployment/pod-template-hash.js'
import type { JsonObject } from '../../services/json.js'
import {
  asStored,
  controlledBy,
  created,
  deleted,
  patched,
  ReconcilerSpecification,
  recorded,
  secondsFromNow,
  statusWritten,
  uidOfGiven,
} from '../support/given.js'

const given = ReconcilerSpecification.for(createDeploymentController())
const now = secondsFromNow(0)

interface DeploymentOptions {
  image?: string
  replicas?: number
  spec?: JsonObject
  status?: JsonObject
  annotations?: Record<string, string>
  labels?: Record<string, string>
}

function deployment(o: DeploymentOptions = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', ...(o.annotations && { annotations: o.annotations }) },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: o.labels ?? { app: 'web' } },
        spec: { containers: [{ name: 'app', image: o.image ?? 'nginx:1.25' }] },
      },
      ...o.spec,
    },
    status: o.status ?? {},
  }
}

/** The pod-template-hash of the Deployment's template, as stored (defaults applied). */
const hashOf = (d: JsonObject, collisionCount?: number) => computeHash((asStored(d, 1).spec as JsonObject).template, collisionCount)

interface ReplicaSetOptions {
  replicas: number
  revision: number
  /** Its status: pods it has, of which ready (and available). */
  pods?: number
  available?: number
  /** Seconds before now it was created (older ReplicaSets first). */
  age?: number
  desired?: number
  max?: number
}

/** A ReplicaSet the Deployment `owner` made for the template of `of`, and its pods. */
function replicaSetFor(owner: JsonObject, of: JsonObject, o: ReplicaSetOptions): JsonObject[] {
  const hash = hashOf(of)
  const template = (asStored(of, 1).spec as JsonObject).template as JsonObject
  const labels = { app: 'web', 'pod-template-hash': hash }
  const pods = o.pods ?? o.replicas
  const available = o.available ?? pods
  const rs: JsonObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      namespace: 'default',
      labels,
      creationTimestamp: secondsFromNow(-(o.age ?? 3600)),
      annotations: {
        'deployment.kubernetes.io/revision': String(o.revision),
        'deployment.kubernetes.io/desired-replicas': String(o.desired ?? (owner.spec as JsonObject).replicas),
        'deployment.kubernetes.io/max-replicas': String(o.max ?? Number((owner.spec as JsonObject).replicas) + 1),
      },
      ownerReferences: [controlledBy(owner)],
    },
    spec: { replicas: o.replicas, selector: { matchLabels: labels }, template: { ...template, metadata: { labels } } },
    status: {
      replicas: pods,
      ...(pods > 0 && { fullyLabeledReplicas: pods }),
      ...(available > 0 && { readyReplicas: available, availableReplicas: available }),
      observedGeneration: 1,
    },
  }
  const podObjects = Array.from({ length: pods }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${hash}-${i}`, namespace: 'default', labels, ownerReferences: [controlledBy(rs)] },
    spec: { containers: [{ name: 'app', image: 'x' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: i < available ? 'True' : 'False', lastTransitionTime: secondsFromNow(-600) }],
    },
  }))
  return [rs, ...podObjects]
}

const progressing = (reason: string, message: string, at = now, since = at) => ({
  type: 'Progressing',
  status: 'True',
  lastUpdateTime: at,
  lastTransitionTime: since,
  reason,
  message,
})
const available = (ok: boolean, at = now) =>
  ok
    ? {
        type: 'Available',
        status: 'True',
        lastUpdateTime: at,
        lastTransitionTime: at,
        reason: 'MinimumReplicasAvailable',
        message: 'Deployment has minimum availability.',
      }
    : {
        type: 'Available',
        status: 'False',
        lastUpdateTime: at,
        lastTransitionTime: at,
        reason: 'MinimumReplicasUnavailable',
        message: 'Deployment does not have minimum availability.',
      }

describe('the Deployment controller decides', () => {
  it('to create <name>-<hash> with the revision, desired and max annotations, then to record and report it', () => {
    const d = deployment()
    const hash = hashOf(d)
    given(d)
      .when('default/web')
      .thenRequeuesAfter(601_000)
      .then(
        created('ReplicaSet', {
          metadata: {
            name: `web-${hash}`,
            labels: { app: 'web', 'pod-template-hash': hash },
            annotations: {
              'deployment.kubernetes.io/revision': '1',
              'deployment.kubernetes.io/desired-replicas': '3',
              'deployment.kubernetes.io/max-replicas': '4',
            },
            ownerReferences: [controlledBy(d)],
          },
          spec: {
            replicas: 3,
            selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } },
            template: { metadata: { labels: { app: 'web', 'pod-template-hash': hash } } },
          },
        }),
        recorded('Normal', 'ScalingReplicaSet', `Scaled up replica set web-${hash} from 0 to 3`),
        patched('Deployment', 'default/web', { metadata: { annotations: { 'deployment.kubernetes.io/revision': '1' } } }),
        statusWritten('Deployment', 'default/web', {
          observedGeneration: 1,
          unavailableReplicas: 3,
          conditions: [progressing('NewReplicaSetCreated', `Created new replica set "web-${hash}"`), available(false)],
        }),
      )
  })

  it('to start a rolling update with one surge pod in a new ReplicaSet, the old one left whole (3 replicas at 25%/25%)', () => {
    const old = deployment({ image: 'nginx:1.25' })
    const d = deployment({ image: 'nginx:1.26' })
    const hash = hashOf(d)
    given(d, replicaSetFor(d, old, { replicas: 3, revision: 1 }))
      .when('default/web')
      .thenIncludes(
        created('ReplicaSet', {
          metadata: { name: `web-${hash}`, annotations: { 'deployment.kubernetes.io/revision': '2' } },
          spec: { replicas: 1 },
        }),
        recorded('Normal', 'ScalingReplicaSet', `Scaled up replica set web-${hash} from 0 to 1`),
        patched('Deployment', 'default/web', { metadata: { annotations: { 'deployment.kubernetes.io/revision': '2' } } }),
      )
      .thenExcludes(patched('ReplicaSet', `default/web-${hashOf(old)}`, { spec: {} }))
  })

  it('to scale the old ReplicaSet down once the new pod is available, keeping replicas − maxUnavailable available', () => {
    const old = deployment({ image: 'nginx:1.25' })
    const d = deployment({ image: 'nginx:1.26' })
    given(d, replicaSetFor(d, old, { replicas: 3, revision: 1 }), replicaSetFor(d, d, { replicas: 1, revision: 2, age: 60 }))
      .when('default/web')
      .thenIncludes(
        patched('ReplicaSet', `default/web-${hashOf(old)}`, { spec: { replicas: 2 } }),
        recorded('Normal', 'ScalingReplicaSet', `Scaled down replica set web-${hashOf(old)} from 3 to 2`),
      )
  })

  it('to wait, scaling nothing down, while the new pod is not available yet', () => {
    const old = deployment({ image: 'nginx:1.25' })
    const d = deployment({ image: 'nginx:1.26' })
    given(d, replicaSetFor(d, old, { replicas: 3, revision: 1 }), replicaSetFor(d, d, { replicas: 1, revision: 2, age: 60, available: 0 }))
      .when('default/web')
      .thenExcludes(
        patched('ReplicaSet', `default/web-${hashOf(old)}`, { spec: {} }),
        patched('ReplicaSet', `default/web-${hashOf(d)}`, { spec: {} }),
      )
  })

  it('to scale every old ReplicaSet to 0 first under Recreate, creating nothing while old pods run', () => {
    const recreate = { strategy: { type: 'Recreate' } }
    const old = deployment({ image: 'job:1', spec: recreate })
    const d = deployment({ image: 'job:2', spec: recreate })
    given(d, replicaSetFor(d, old, { replicas: 3, revision: 1 }))
      .when('default/web')
      .thenIncludes(
        patched('ReplicaSet', `default/web-${hashOf(old)}`, { spec: { replicas: 0 } }),
        recorded('Normal', 'ScalingReplicaSet', `Scaled down replica set web-${hashOf(old)} from 3 to 0`),
      )
      .thenExcludes(created('ReplicaSet'))
    // Scaled to 0 but its pods still running: still nothing new.
    given(d, replicaSetFor(d, old, { replicas: 0, revision: 1, pods: 3 }))
      .when('default/web')
      .thenExcludes(created('ReplicaSet'))
  })

  it('to create the new ReplicaSet with every replica under Recreate once the old pods are gone', () => {
    const recreate = { strategy: { type: 'Recreate' } }
    const old = deployment({ image: 'job:1', spec: recreate })
    const d = deployment({ image: 'job:2', spec: recreate })
    given(d, replicaSetFor(d, old, { replicas: 0, revision: 1, pods: 0 }))
      .when('default/web')
      .thenIncludes(
        created('ReplicaSet', { metadata: { name: `web-${hashOf(d)}` }, spec: { replicas: 3 } }),
        recorded('Normal', 'ScalingReplicaSet', `Scaled up replica set web-${hashOf(d)} from 0 to 3`),
      )
  })

  it('to report a complete rollout as NewReplicaSetAvailable and Available, with every counter', () => {
    const d = deployment({
      status: {
        observedGeneration: 1,
        replicas: 3,
        updatedReplicas: 3,
        availableReplicas: 2,
        conditions: [progressing('ReplicaSetUpdated', 'x', secondsFromNow(-10))],
      },
    })
    given(d, replicaSetFor(d, d, { replicas: 3, revision: 1 }))
      .when('default/web')
      .thenRequeuesAfter(undefined)
      .then(
        patched('Deployment', 'default/web', { metadata: { annotations: { 'deployment.kubernetes.io/revision': '1' } } }),
        statusWritten('Deployment', 'default/web', {
          observedGeneration: 1,
          replicas: 3,
          updatedReplicas: 3,
          readyReplicas: 3,
          availableReplicas: 3,
          // SetDeploymentCondition puts a replaced condition last.
          conditions: [
            available(true),
            progressing('NewReplicaSetAvailable', `ReplicaSet "web-${hashOf(d)}" has successfully progressed.`, now, secondsFromNow(-10)),
          ],
        }),
      )
  })

  it('to report ProgressDeadlineExceeded once progressDeadlineSeconds pass without progress, and to look again just after the deadline before', () => {
    const stuck = (since: number) =>
      deployment({
        replicas: 2,
        annotations: { 'deployment.kubernetes.io/revision': '1' },
        spec: { progressDeadlineSeconds: 60 },
        status: {
          observedGeneration: 1,
          replicas: 2,
          updatedReplicas: 2,
          unavailableReplicas: 2,
          conditions: [progressing('ReplicaSetUpdated', 'x', secondsFromNow(-since)), available(false, secondsFromNow(-since))],
        },
      })
    const before = stuck(59)
    given(before, replicaSetFor(before, before, { replicas: 2, revision: 1, available: 0 }))
      .when('default/web')
      .thenRequeuesAfter(2_000)
      .thenNothing()
    const after = stuck(61)
    const when = given(after, replicaSetFor(after, after, { replicas: 2, revision: 1, available: 0 })).when('default/web')
    when.thenRequeuesAfter(undefined).then(statusWritten('Deployment', 'default/web', {}))
    expect((when.status!.conditions as JsonObject[])[1]).toEqual({
      type: 'Progressing',
      status: 'False',
      lastUpdateTime: now,
      lastTransitionTime: now,
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "web-${hashOf(after)}" has timed out progressing.`,
    })
  })

  it('to count pods available only after minReadySeconds, and to pass minReadySeconds to the ReplicaSet', () => {
    const d = deployment({ replicas: 2, spec: { minReadySeconds: 10 } })
    const [rs, ...pods] = replicaSetFor(d, d, { replicas: 2, revision: 1 })
    given(d, rs!, pods)
      .when('default/web')
      .then(
        patched('ReplicaSet', `default/web-${hashOf(d)}`, { spec: { minReadySeconds: 10 } }),
        statusWritten('Deployment', 'default/web', {}),
      )
  })

  it('to delete the oldest revisions beyond revisionHistoryLimit once the rollout is complete', () => {
    const d = deployment({
      image: 'app:4',
      replicas: 1,
      spec: { revisionHistoryLimit: 1 },
      status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
    })
    const old = (image: string, revision: number) =>
      replicaSetFor(d, deployment({ image }), { replicas: 0, revision, age: 3600 - revision })
    const [rs1, rs2, rs3] = [old('app:1', 1), old('app:2', 2), old('app:3', 3)].map(([rs]) => rs!)
    given(d, rs1!, rs2!, rs3!, replicaSetFor(d, d, { replicas: 1, revision: 4, age: 10 }))
      .when('default/web')
      .thenIncludes(
        deleted('ReplicaSet', `default/${String((rs1!.metadata as JsonObject).name)}`, {
          options: { preconditions: { uid: uidOfGiven(rs1!) } },
        }),
        deleted('ReplicaSet', `default/${String((rs2!.metadata as JsonObject).name)}`),
      )
      .thenExcludes(deleted('ReplicaSet', `default/${String((rs3!.metadata as JsonObject).name)}`))
  })

  it("to share a resize mid-rollout in proportion to the ReplicaSets' sizes (10 → 15 replicas, 8 old and 5 new)", () => {
    const strategy = { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }
    const old = deployment({ image: 'app:1', replicas: 10, spec: strategy })
    const d = deployment({ image: 'app:2', replicas: 15, spec: strategy })
    given(
      d,
      replicaSetFor(d, old, { replicas: 8, revision: 1, desired: 10, max: 13 }),
      replicaSetFor(d, d, { replicas: 5, revision: 2, available: 0, desired: 10, max: 13, age: 60 }),
    )
      .when('default/web')
      .thenIncludes(
        patched('ReplicaSet', `default/web-${hashOf(old)}`, {
          spec: { replicas: 11 },
          metadata: { annotations: { 'deployment.kubernetes.io/desired-replicas': '15', 'deployment.kubernetes.io/max-replicas': '18' } },
        }),
        recorded('Normal', 'ScalingReplicaSet', `Scaled up replica set web-${hashOf(old)} from 8 to 11`),
        patched('ReplicaSet', `default/web-${hashOf(d)}`, { spec: { replicas: 7 } }),
        recorded('Normal', 'ScalingReplicaSet', `Scaled up replica set web-${hashOf(d)} from 5 to 7`),
      )
  })

  it('to bump collisionCount, creating nothing, when the hash names a ReplicaSet that is not its own', () => {
    const d = deployment({ replicas: 1 })
    const squatter = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `web-${hashOf(d)}`, namespace: 'default' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'squatter' } },
        template: { metadata: { labels: { app: 'squatter' } }, spec: { containers: [{ name: 'x', image: 'x' }] } },
      },
    }
    given(d, squatter)
      .when('default/web')
      .then(statusWritten('Deployment', 'default/web', { collisionCount: 1 }))
    // With the count, the next hash is free.
    const bumped = deployment({ replicas: 1, status: { collisionCount: 1 } })
    given(bumped, squatter)
      .when('default/web')
      .thenIncludes(created('ReplicaSet', { metadata: { name: `web-${hashOf(d, 1)}` } }))
  })

  it('to adopt an orphan ReplicaSet its selector matches, and to release one of its own whose labels stop matching', () => {
    const d = deployment({ replicas: 2 })
    const [orphan] = replicaSetFor(d, d, { replicas: 1, revision: 0 })
    ;(orphan!.metadata as JsonObject).ownerReferences = undefined
    given(d, orphan!)
      .when('default/web')
      .thenIncludes(
        patched(
          'ReplicaSet',
          `default/web-${hashOf(d)}`,
          { metadata: { ownerReferences: [controlledBy(d)], uid: uidOfGiven(orphan!) } },
          { reason: 'adopted by Deployment web' },
        ),
      )
    const [moved] = replicaSetFor(d, d, { replicas: 2, revision: 1 })
    ;(moved!.metadata as JsonObject).labels = { app: 'gone' }
    given(d, moved!)
      .when('default/web')
      .thenIncludes(
        patched('ReplicaSet', `default/web-${hashOf(d)}`, { metadata: { ownerReferences: [{ $patch: 'delete', uid: uidOfGiven(d) }] } }),
      )
  })

  it('to count a pod that went unready as unavailable, staying Available within maxUnavailable', () => {
    const strategy = { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } }
    const d = deployment({
      replicas: 4,
      spec: strategy,
      status: { observedGeneration: 1, replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4 },
    })
    const when = given(d, replicaSetFor(d, d, { replicas: 4, revision: 1, available: 3 })).when('default/web')
    expect(when.status).toMatchObject({ readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 })
    expect((when.status!.conditions as JsonObject[]).find((c) => c.type === 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    })
  })

  it('to report a template the API would refuse as ReplicaSetCreateError once, without creating', () => {
    const d = deployment({ labels: { app: 'other' } })
    const when = given(d).when('default/web')
    when.then(
      recorded(
        'Warning',
        'ReplicaSetCreateError',
        /^Failed to create new replica set "web-[4-9bcdf]+": ReplicaSet.apps "web-[4-9bcdf]+" is invalid: spec.template.metadata.labels: Invalid value/,
      ),
      statusWritten('Deployment', 'default/web', {
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ReplicaSetCreateError' }],
      }),
    )
    // Reported once: the same failure again records no second event.
    given(deployment({ labels: { app: 'other' }, status: when.status! }))
      .when('default/web')
      .thenNothing()
  })

  it('to warn about a selector that selects everything and only record the generation', () => {
    given(deployment({ spec: { selector: {} } }))
      .when('default/web')
      .then(
        recorded('Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.'),
        statusWritten('Deployment', 'default/web', { observedGeneration: 1 }),
      )
  })

  it('to do nothing for a Deployment without a selector, or one that is gone', () => {
    given(deployment({ spec: { selector: undefined } }))
      .when('default/web')
      .thenNothing()
    given().when('default/web').thenNothing()
  })

  it('to add the paused condition and create no ReplicaSet while paused', () => {
    const when = given(deployment({ spec: { paused: true } })).when('default/web')
    when.thenExcludes(created('ReplicaSet'))
    expect((when.status!.conditions as JsonObject[]).find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'Unknown',
      reason: 'DeploymentPaused',
      message: 'Deployment is paused',
    })
  })
})
