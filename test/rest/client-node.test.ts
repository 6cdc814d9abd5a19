import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backend } from '../support/store.js'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'

/**
 * `@kubernetes/client-node`, the Kubernetes client for JavaScript, as a second real client of the
 * REST API: through the kubeconfig the server writes, over TLS, with the admin token.
 */
describe(`@kubernetes/client-node (${backend})`, () => {
  let s: SecureServer
  let kc: KubeConfig

  beforeAll(async () => {
    s = await startSecureServer({}, { securePort: 'any', controllers: true, simNodes: 1 })
    kc = new KubeConfig()
    kc.loadFromFile(s.server.kubeconfigFile!)
  })
  afterAll(async () => {
    await s?.close()
  })

  it('creates, lists, patches (merge and strategic) and deletes through the typed clients', async () => {
    const core = kc.makeApiClient(CoreV1Api)
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'cn-a', labels: { app: 'cn' } }, data: { k: 'v' } },
    })
    expect(created.metadata?.uid).toBeTruthy()
    const listed = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app=cn' })
    expect(listed.items.map((c) => c.metadata?.name)).toEqual(['cn-a'])

    const merged = await core.patchNamespacedConfigMap(
      { name: 'cn-a', namespace: 'default', body: { data: { m: '1' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    expect(merged.data).toEqual({ k: 'v', m: '1' })

    const apps = kc.makeApiClient(AppsV1Api)
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'cn-web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'cn-web' } },
          template: {
            metadata: { labels: { app: 'cn-web' } },
            spec: {
              containers: [
                { name: 'app', image: 'nginx:1.25' },
                { name: 'side', image: 'busybox' },
              ],
            },
          },
        },
      },
    })
    // A strategic merge patch merges the containers list by name: the sidecar stays.
    const patched = await apps.patchNamespacedDeployment(
      {
        name: 'cn-web',
        namespace: 'default',
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.26' }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    )
    expect(patched.spec?.template.spec?.containers.map((c) => [c.name, c.image])).toEqual([
      ['app', 'nginx:1.26'],
      ['side', 'busybox'],
    ])
    const scale = await apps.readNamespacedDeploymentScale({ name: 'cn-web', namespace: 'default' })
    expect(scale.spec?.replicas).toBe(1)

    await core.deleteNamespacedConfigMap({ name: 'cn-a', namespace: 'default' })
    await expect(core.readNamespacedConfigMap({ name: 'cn-a', namespace: 'default' })).rejects.toMatchObject({ code: 404 })
  })

  it('watches, and resumes a watch from a resourceVersion with exactly the events after it', async () => {
    const core = kc.makeApiClient(CoreV1Api)
    const first = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cn-w', labels: { w: '1' } } } })
    const from = first.metadata!.resourceVersion!
    await core.patchNamespacedConfigMap(
      { name: 'cn-w', namespace: 'default', body: { data: { v: '2' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    const seen: Array<[string, string | undefined]> = []
    const done = new Promise<void>((resolve) => {
      void new Watch(kc)
        .watch(
          '/api/v1/namespaces/default/configmaps',
          { resourceVersion: from, labelSelector: 'w=1', timeoutSeconds: 3 },
          (type, object) => {
            seen.push([type, object.data?.v])
          },
          () => resolve(),
        )
        .then(() => setTimeout(() => void core.deleteNamespacedConfigMap({ name: 'cn-w', namespace: 'default' }), 200))
    })
    await done
    expect(seen).toEqual([
      ['MODIFIED', '2'],
      ['DELETED', '2'],
    ])
  })

  it('is told plainly that server-side apply is not served yet', async () => {
    const core = kc.makeApiClient(CoreV1Api)
    await expect(
      core.patchNamespacedConfigMap(
        {
          name: 'cn-ssa',
          namespace: 'default',
          body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cn-ssa' } },
          fieldManager: 'test',
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    ).rejects.toMatchObject({ code: 415, body: expect.stringContaining('server-side apply') })
  })
})
