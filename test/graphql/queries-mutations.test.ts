import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backend } from '../support/store.js'
import { startTestServer, type TestServer } from '../support/graphql.js'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

const deployment = (name: string, image: string, replicas = 2) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: default, labels: {app: ${name}}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: app, image: ${image}}]}
`

async function ok(query: string, variables?: Record<string, unknown>) {
  const result = await t.gql(query, variables)
  expect(result.errors).toBeUndefined()
  return result.data!
}

async function failing(query: string, variables?: Record<string, unknown>) {
  const result = await t.gql(query, variables)
  expect(result.errors?.length).toBeGreaterThan(0)
  return result.errors![0]!
}

describe(`GraphQL queries and mutations over HTTP (${backend})`, () => {
  it('applies manifests and reads them back by kind name, resource name and short name', async () => {
    const applied = await ok(`mutation($m: String!) { apply(manifest: $m) { kind metadata { name namespace } revision } }`, {
      m:
        deployment('web', 'nginx:1.25') +
        '---\n' +
        'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n',
    })
    expect(applied.apply.map((o: any) => o.kind)).toEqual(['Deployment', 'Service'])
    for (const kind of ['Deployment', 'deployments', 'deploy', 'deployments.apps']) {
      const data = await ok(
        `query($k: String!) { object(kind: $k, namespace: "default", name: "web") { kind apiVersion metadata { name } revision raw } }`,
        { k: kind },
      )
      expect(data.object).toMatchObject({ kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'web' } })
      expect(data.object.raw.spec.replicas).toBe(2)
      expect(data.object.revision).toBe(data.object.raw.metadata.resourceVersion)
    }
    expect((await ok(`{ object(kind: "svc", namespace: "default", name: "nope") { kind } }`)).object).toBeNull()
  })

  it('serves typed fields and relations at one revision', async () => {
    await ok(`mutation { create(object: { apiVersion: "v1", kind: "Node", metadata: { name: "n1" } }) { kind } }`)
    for (const name of ['p1', 'p2']) {
      await ok(`mutation($o: JSON!) { create(object: $o) { kind } }`, {
        o: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: 'default', labels: { app: 'web' } },
          spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'nginx:1.25' }] },
        },
      })
    }
    const data = await ok(`{
      node(name: "n1") { unschedulable pods { metadata { name } phase images node { metadata { name } } } }
      service(namespace: "default", name: "web") { type pods { metadata { name } } }
      deployment(namespace: "default", name: "web") { replicas images strategy paused replicaSets { metadata { name } } }
      namespace(name: "default") { phase objects(kind: "pods") { metadata { name } } }
    }`)
    expect(data.node.pods.map((p: any) => p.metadata.name)).toEqual(['p1', 'p2'])
    expect(data.node.pods[0]).toMatchObject({ phase: 'Pending', images: ['nginx:1.25'], node: { metadata: { name: 'n1' } } })
    expect(data.service).toMatchObject({ type: 'ClusterIP', pods: [{ metadata: { name: 'p1' } }, { metadata: { name: 'p2' } }] })
    expect(data.deployment).toMatchObject({
      replicas: 2,
      images: ['nginx:1.25'],
      strategy: 'RollingUpdate',
      paused: false,
      replicaSets: [],
    })
    expect(data.namespace.objects.map((o: any) => o.metadata.name)).toEqual(['p1', 'p2'])
  })

  it("resolves a pod's and a ReplicaSet's owner: the controller among their ownerReferences", async () => {
    const owner = async (o: Record<string, unknown>) => (await ok(`mutation($o: JSON!) { create(object: $o) { raw } }`, { o })).create.raw
    const deploy = await owner({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'owning', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'owning' } },
        template: { metadata: { labels: { app: 'owning' } }, spec: { containers: [{ name: 'a', image: 'x' }] } },
      },
    })
    const ref = (o: any) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true })
    const rs = await owner({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'owning-1', namespace: 'default', ownerReferences: [ref(deploy)] },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'owning' } },
        template: { metadata: { labels: { app: 'owning' } }, spec: { containers: [{ name: 'a', image: 'x' }] } },
      },
    })
    await owner({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'owned', namespace: 'default', ownerReferences: [ref(rs)] },
      spec: { containers: [{ name: 'a', image: 'x' }] },
    })
    const data = await ok(`{
      pod(namespace: "default", name: "owned") { owner { kind metadata { name } ... on ReplicaSet { owner { kind metadata { name } } } } }
    }`)
    expect(data.pod.owner).toEqual({
      kind: 'ReplicaSet',
      metadata: { name: 'owning-1' },
      owner: { kind: 'Deployment', metadata: { name: 'owning' } },
    })
    for (const [kind, name] of [
      ['pods', 'owned'],
      ['replicasets', 'owning-1'],
      ['deployments', 'owning'],
    ])
      await ok(`mutation($k: String!, $n: String!) { delete(kind: $k, namespace: "default", name: $n, gracePeriodSeconds: 0) { kind } }`, {
        k: kind,
        n: name,
      })
  })

  it('resolves nested relations at the revision of the query, reading each kind once', async () => {
    const before = (await ok(`{ revision { revision } }`)).revision.revision
    await ok(`mutation($o: JSON!) { create(object: $o) { kind } }`, {
      o: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p-late', namespace: 'default', labels: { app: 'web' } },
        spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'x' }] },
      },
    })
    const lists: string[] = []
    const list = t.server.api.list.bind(t.server.api)
    t.server.api.list = (kind, options) => {
      lists.push(kind)
      return list(kind, options)
    }
    try {
      const data = await ok(
        `query($r: Revision!) {
        objects(kind: "pods", at: { revision: $r }) { edges { node { ... on Pod { metadata { name } node { metadata { name } pods { metadata { name } } } } } } }
      }`,
        { r: before },
      )
      const pods = data.objects.edges.map((e: any) => e.node)
      expect(pods.map((p: any) => p.metadata.name)).toEqual(['p1', 'p2'])
      for (const pod of pods) expect(pod.node.pods.map((p: any) => p.metadata.name)).toEqual(['p1', 'p2'])
      expect(lists).toEqual(['pods', 'Node', 'Pod'])
    } finally {
      t.server.api.list = list
      await ok(`mutation { delete(kind: "pods", namespace: "default", name: "p-late", gracePeriodSeconds: 0) { kind } }`)
    }
  })

  it('serves GraphiQL with example queries to browsers', async () => {
    const response = await fetch(t.url, { headers: { accept: 'text/html' } })
    const html = await response.text()
    expect(response.status).toBe(200)
    expect(html).toContain('<title>revkube</title>')
    expect(html).toContain('WhoChangedIt')
  })

  it("pages objects Relay-style, every page at the first page's revision", async () => {
    const first = await ok(
      `{ objects(kind: "pods", first: 1) { revision edges { cursor node { metadata { name } } } pageInfo { hasNextPage endCursor } } }`,
    )
    expect(first.objects.pageInfo.hasNextPage).toBe(true)
    await ok(`mutation($o: JSON!) { create(object: $o) { kind } }`, {
      o: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p0', namespace: 'default' },
        spec: { containers: [{ name: 'app', image: 'x' }] },
      },
    })
    const second = await ok(
      `query($after: String) { objects(kind: "pods", first: 5, after: $after) { revision edges { node { metadata { name } } } pageInfo { hasNextPage } } }`,
      {
        after: first.objects.pageInfo.endCursor,
      },
    )
    expect(second.objects.revision).toBe(first.objects.revision)
    expect(second.objects.edges.map((e: any) => e.node.metadata.name)).toEqual(['p2'])
    expect(second.objects.pageInfo.hasNextPage).toBe(false)
  })

  it('filters with label and field selectors', async () => {
    const data = await ok(
      `{ objects(kind: "pods", labelSelector: "app=web", fieldSelector: "spec.nodeName=n1,metadata.name!=p2") { edges { node { metadata { name } } } } }`,
    )
    expect(data.objects.edges.map((e: any) => e.node.metadata.name)).toEqual(['p1'])
  })

  it('patches, scales, replaces and deletes, recording the caller', async () => {
    const patched = await ok(
      `mutation { patch(kind: "deploy", namespace: "default", name: "web", patch: { spec: { template: { spec: { containers: [{ name: "app", image: "nginx:1.26" }] } } } }) { raw } }`,
    )
    expect(patched.patch.raw.spec.template.spec.containers[0].image).toBe('nginx:1.26')
    const scaled = await ok(
      `mutation { scale(kind: "deployments", namespace: "default", name: "web", replicas: 5) { ... on Deployment { replicas } } }`,
    )
    expect(scaled.scale.replicas).toBe(5)
    const merged = await ok(
      `mutation { patch(kind: "deploy", namespace: "default", name: "web", type: MERGE, patch: { metadata: { labels: { tier: "front" } } }) { metadata { labels } } }`,
    )
    expect(merged.patch.metadata.labels).toEqual({ app: 'web', tier: 'front' })
    const current = (await ok(`{ object(kind: "deploy", namespace: "default", name: "web") { raw } }`)).object.raw
    const replaced = await ok(`mutation($o: JSON!) { replace(object: $o) { raw } }`, {
      o: { ...current, spec: { ...current.spec, paused: true } },
    })
    expect(replaced.replace.raw.spec.paused).toBe(true)
    const deleted = await ok(`mutation { delete(kind: "pods", namespace: "default", name: "p0") { metadata { name } } }`)
    expect(deleted.delete.metadata.name).toBe('p0')
    const history = await ok(`{ history(kind: "deploy", namespace: "default", name: "web") { type actor event { verb } } }`)
    expect(history.history.map((v: any) => [v.type, v.actor, v.event.verb])).toEqual([
      ['Created', 'tester', 'apply'],
      ['Updated', 'tester', 'patch'],
      ['Updated', 'tester', 'update'],
      ['Updated', 'tester', 'patch'],
      ['Updated', 'tester', 'update'],
    ])
  })

  it('reports errors with codes and Kubernetes messages, and writes nothing', async () => {
    const head = (await ok(`{ revision { revision } }`)).revision.revision
    const notFound = await failing(`mutation { delete(kind: "pods", namespace: "default", name: "ghost") { kind } }`)
    expect([notFound.extensions!.code, notFound.message]).toEqual(['NOT_FOUND', 'pods "ghost" not found'])
    const exists = await failing(`mutation($o: JSON!) { create(object: $o) { kind } }`, {
      o: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
    })
    expect([exists.extensions!.code, exists.message]).toEqual(['ALREADY_EXISTS', 'nodes "n1" already exists'])
    const stale = await failing(
      `mutation { patch(kind: "deploy", namespace: "default", name: "web", type: MERGE, patch: { metadata: { resourceVersion: "1" } }) { kind } }`,
    )
    expect(stale.extensions!.code).toBe('CONFLICT')
    const invalid = await failing(
      `mutation { apply(manifest: "apiVersion: v1\\nkind: Service\\nmetadata: {name: 1web}\\nspec: {ports: [{port: 0}]}\\n") { kind } }`,
    )
    expect(invalid.extensions!.code).toBe('INVALID')
    expect(invalid.extensions!.failures[0].message).toMatch(
      /^Service "1web" is invalid: \[metadata.name: Invalid value: "1web": a DNS-1035 label/,
    )
    expect(invalid.extensions!.causes.map((c: any) => c.field)).toEqual(['metadata.name', 'spec.ports[0].port', 'spec.ports[0].targetPort'])
    const unknownKind = await failing(`{ objects(kind: "gizmos") { revision } }`)
    expect([unknownKind.extensions!.code, unknownKind.message]).toEqual(['NOT_FOUND', 'the server doesn\'t have a resource type "gizmos"'])
    expect((await ok(`{ revision { revision } }`)).revision.revision).toBe(head)
  })
})
