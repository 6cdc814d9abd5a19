import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getObject } from '../../projections/cluster-state.js'
import { timestamp } from '../../services/api/context.js'
import { createNamespaceController } from '../../services/controllers/namespace.controller.js'
import type { JsonObject } from '../../services/json.js'
import { backend } from '../support/store.js'
import { pod, startCluster, user, type Cluster } from './cluster-harness.js'

let c: Cluster
beforeAll(async () => {
  c = await startCluster([createNamespaceController()])
})
afterAll(() => c.stop())

const namespace = (name: string) => getObject(c.projection.state, 'Namespace', '', name)
const content = (ns: string) => {
  const out: string[] = []
  for (const [kind, byNamespace] of c.projection.state.objects)
    for (const name of byNamespace.get(ns)?.keys() ?? []) out.push(`${kind}/${name}`)
  return out.sort()
}

async function fill(ns: string): Promise<void> {
  await c.api.create(user, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
  await c.api.create(user, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns }, data: { a: '1' } })
  await c.api.create(user, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: ns }, stringData: { p: 'x' } })
  await c.api.create(user, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: ns },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  })
  await c.api.create(user, pod('web', { app: 'web' }, { namespace: ns }))
  await c.api.create(user, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: ns },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    },
  })
  await c.api.create(user, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'reader', namespace: ns },
    rules: [],
  })
}

// The controller's decisions are specified in namespace.reconcile.test.ts; these cases run it to
// the end: the content goes through the API (a Service's address with it), content changes bring
// the namespace back to it, and the namespace goes once its finalizer is removed.
describe(`the namespace controller, run (${backend})`, () => {
  it('deletes exactly the content of a terminating namespace, then the namespace', async () => {
    await fill('team-a')
    await fill('team-b')
    const clusterIP = String(((await c.api.get('svc', 'team-a', 'web')).spec as JsonObject).clusterIP)
    // The projection holds every write above before team-b's content is taken as the reference.
    await c.projection.waitFor((await c.t.store.head()).revision)
    const others = content('team-b')
    await c.api.delete(user, 'namespace', undefined, 'team-a')
    await c.runner.settled()
    expect(namespace('team-a')).toBeUndefined()
    expect(content('team-a')).toEqual([])
    expect(content('team-b')).toEqual(others)
    expect(namespace('team-b')).toMatchObject({ status: { phase: 'Active' } })
    // The Service's address went back with it.
    expect(getObject(c.projection.state, 'IPAddress', '', clusterIP)).toBeUndefined()
    const history = await c.t.store.history({ kind: 'Namespace', namespace: '', name: 'team-a' })
    expect(history[1]!.type).toBe('DeletionRequested')
    expect(history.at(-1)!.type).toBe('Deleted')
    // Its last state: every condition as when all is well, the content gone.
    const last = (history.at(-1)!.object.status as JsonObject).conditions as JsonObject[]
    expect(last.map((x) => [x.type, x.status, x.reason])).toEqual([
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted'],
      ['NamespaceContentRemaining', 'False', 'ContentRemoved'],
      ['NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers'],
    ])
  })

  it('waits for content with finalizers, saying what remains in its conditions', async () => {
    await c.api.create(user, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-c' } })
    await c.api.create(user, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'held', namespace: 'team-c', finalizers: ['example.com/hold'] },
    })
    await c.api.create(user, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'free', namespace: 'team-c' } })
    await c.api.delete(user, 'namespace', undefined, 'team-c')
    await c.runner.settled()
    const terminating = namespace('team-c')!
    expect(terminating.status).toMatchObject({ phase: 'Terminating' })
    const conditions = (terminating.status as JsonObject).conditions as JsonObject[]
    expect(conditions.map((x) => [x.type, x.status, x.reason, x.message])).toEqual([
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
      ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain', 'Some resources are remaining: configmaps has 1 resource instances'],
      [
        'NamespaceFinalizersRemaining',
        'True',
        'SomeFinalizersRemain',
        'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
      ],
    ])
    expect(content('team-c')).toEqual(['ConfigMap/held'])
    expect(getObject(c.projection.state, 'ConfigMap', 'team-c', 'held')?.metadata).toMatchObject({
      deletionTimestamp: timestamp(c.clock.now()),
      finalizers: ['example.com/hold'],
    })

    await c.api.patch(user, 'cm', 'team-c', 'held', { metadata: { finalizers: [] } }, 'merge')
    await c.runner.settled()
    expect(namespace('team-c')).toBeUndefined()
  })
})
