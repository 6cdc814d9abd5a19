import { describe, expect, it } from 'vitest'
import { createNamespaceController } from '../../services/controllers/namespace.controller.js'
import type { JsonObject } from '../../services/json.js'
import { deleted, patched, ReconcilerSpecification, secondsFromNow, uidOfGiven } from '../support/given.js'

const given = ReconcilerSpecification.for(createNamespaceController())
const now = secondsFromNow(0)

const terminating = (name: string, conditions?: JsonObject[]) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, deletionTimestamp: secondsFromNow(-10) },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Terminating', ...(conditions && { conditions }) },
})

const configMap = (namespace: string, name: string, metadata: JsonObject = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, ...metadata },
})
const pod = (namespace: string, name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  spec: { containers: [{ name: 'app', image: 'nginx' }] },
})

/** The conditions as the controller words them: all False unless named here as True with their message. */
function conditions(remaining?: string, finalizers?: string): JsonObject[] {
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastTransitionTime: now,
    reason,
    message,
  })
  return [
    condition('NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'),
    condition('NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
    condition(
      'NamespaceDeletionContentFailure',
      'False',
      'ContentDeleted',
      'All content successfully deleted, may be waiting on finalization',
    ),
    remaining
      ? condition('NamespaceContentRemaining', 'True', 'SomeResourcesRemain', `Some resources are remaining: ${remaining}`)
      : condition('NamespaceContentRemaining', 'False', 'ContentRemoved', 'All content successfully removed'),
    finalizers
      ? condition(
          'NamespaceFinalizersRemaining',
          'True',
          'SomeFinalizersRemain',
          `Some content in the namespace has finalizers remaining: ${finalizers}`,
        )
      : condition('NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
  ]
}

const statusPatch = (name: string, list: JsonObject[]) =>
  patched('Namespace', name, { status: { conditions: list } }, { subresource: 'status', patchType: 'merge' })

describe('the namespace controller decides', () => {
  it('to delete every object in a terminating namespace, in the background, and to say what remains', () => {
    const settings = configMap('team-a', 'settings')
    const web = pod('team-a', 'web')
    given(terminating('team-a'), settings, configMap('team-a', 'other'), web, configMap('team-b', 'untouched'))
      .when('team-a')
      .then(
        statusPatch('team-a', conditions('configmaps has 2 resource instances, pods has 1 resource instances')),
        // All at once, in one step.
        deleted('Pod', 'team-a/web', { options: { propagationPolicy: 'Background', preconditions: { uid: uidOfGiven(web) } } }),
        deleted('ConfigMap', 'team-a/other'),
        deleted('ConfigMap', 'team-a/settings', {
          options: { propagationPolicy: 'Background', preconditions: { uid: uidOfGiven(settings) } },
        }),
      )
  })

  it('to wait for content held by finalizers, naming them', () => {
    const held = configMap('team-c', 'held', { deletionTimestamp: secondsFromNow(-5), finalizers: ['example.com/hold'] })
    given(terminating('team-c'), held)
      .when('team-c')
      .then(statusPatch('team-c', conditions('configmaps has 1 resource instances', 'example.com/hold in 1 resource instances')))
    given(terminating('team-c', conditions('configmaps has 1 resource instances', 'example.com/hold in 1 resource instances')), held)
      .when('team-c')
      .thenNothing()
  })

  it('to remove its finalizer once nothing is left, every condition as when all is well', () => {
    const when = given(terminating('team-a', conditions('configmaps has 1 resource instances'))).when('team-a')
    when.then(
      statusPatch('team-a', conditions()),
      patched('Namespace', 'team-a', { spec: { finalizers: [] } }, { reason: 'all content removed' }),
    )
    expect(when.actions[0]).toMatchObject({ patch: { status: { conditions: conditions() } } })
  })

  it('to leave a namespace that is not being deleted alone', () => {
    given({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }, configMap('team-a', 'settings'))
      .when('team-a')
      .thenNothing()
  })
})
