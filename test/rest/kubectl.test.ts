import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { get, request } from 'node:https'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { kubeconfig } from '../../services/auth/kubeconfig.js'
import { revkube } from '../support/cli.js'
import { backend } from '../support/store.js'
import { startSecureServer, type SecureServer } from '../support/secure-server.js'

/**
 * The real kubectl against a real revkube server, over TLS, through the kubeconfig the server
 * writes (the admin's token) and kubeconfigs for a token user and a client-certificate user.
 */

const kubectlPath = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim()
  } catch {
    return ''
  }
})()
if (!kubectlPath && process.env.CI) throw new Error('kubectl is not installed: CI must have it (these tests run the real kubectl)')
if (!kubectlPath) console.warn('kubectl is not installed: skipping the kubectl tests')

interface Run {
  code: number
  stdout: string
  stderr: string
}

function kubectl(config: string, args: string[], input?: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      kubectlPath,
      args,
      { env: { ...process.env, KUBECONFIG: config, HOME: join(config, '..'), ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
    // Always closed: kubectl asks for a user name on a terminal when it has no credentials.
    child.stdin!.end(input ?? '')
  })
}

const deployment = (name: string, image: string, replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: app
        image: ${image}
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector: {app: ${name}}
  ports: [{port: 80}]
`

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    }).on('error', reject)
  })
}

function httpsPost(
  url: string,
  ca: string,
  body: string,
  client: { cert: string; key: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, ...client, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const configMap = (name: string, value: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: value } })

describe.skipIf(!kubectlPath)(`kubectl (${backend})`, () => {
  let s: SecureServer
  let admin: string
  const configs: Record<string, string> = {}

  beforeAll(async () => {
    s = await startSecureServer({ bob: ['dev'] }, { securePort: 'any', controllers: true, simNodes: 2 })
    admin = s.server.kubeconfigFile!
    const write = (user: string, credentials: Parameters<typeof kubeconfig>[0]['credentials']) => {
      const path = join(s.dataDir, `kubeconfig-${user}`)
      writeFileSync(path, kubeconfig({ server: s.server.secureUrl!, ca: s.server.certificateAuthority!, user, credentials }), {
        mode: 0o600,
      })
      configs[user] = path
    }
    write('bob', { token: s.tokens.bob! })
    // Alice's comes from the CLI, as a user would make it: a client certificate signed by the cluster CA.
    const made = await revkube(undefined, ['kubeconfig', '--user', 'alice', '--groups', 'qa', '--data-dir', s.dataDir])
    expect(made).toMatchObject({ code: 0, stderr: '' })
    configs.alice = join(s.dataDir, 'kubeconfig-alice')
    writeFileSync(configs.alice, made.stdout, { mode: 0o600 })
    expect((await revkube(undefined, ['kubeconfig', '--data-dir', s.dataDir])).stdout).toBe(readFileSync(admin, 'utf8'))
  })
  afterAll(async () => {
    await s?.close()
  })

  it('finds the server through the kubeconfig the server wrote, and lists what it serves', async () => {
    const version = await kubectl(admin, ['version', '-o', 'json'])
    expect(version.code).toBe(0)
    expect(JSON.parse(version.stdout).serverVersion).toMatchObject({ major: '1', minor: '32' })

    const nodes = await kubectl(admin, ['get', 'nodes'])
    expect(nodes.stdout).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\nsim-node-1\s+Ready\s+<none>\s+\S+\s+v\S+\nsim-node-2\s+Ready/)

    const resources = await kubectl(admin, ['api-resources'])
    expect(resources.stdout).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m)
    expect(resources.stdout).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m)
    expect(resources.stdout).toMatch(/^priorityclasses\s+pc\s+scheduling\.k8s\.io\/v1\s+false\s+PriorityClass$/m)

    const explained = await kubectl(admin, ['explain', 'deployment.spec.replicas'])
    expect(explained.stdout).toMatch(/FIELD: replicas <integer>/)
  })

  it('applies manifests, scales, labels, rolls out and back, as against Kubernetes', async () => {
    const applied = await kubectl(admin, ['apply', '-f', '-'], deployment('web', 'nginx:1.25'))
    expect(applied).toMatchObject({ code: 0, stdout: 'deployment.apps/web created\nservice/web created\n' })
    expect((await kubectl(admin, ['rollout', 'status', 'deploy/web', '--timeout=60s'])).stdout).toMatch(/successfully rolled out/)

    expect((await kubectl(admin, ['scale', 'deploy/web', '--replicas=3'])).stdout).toBe('deployment.apps/web scaled\n')
    expect((await kubectl(admin, ['label', 'deploy/web', 'tier=front'])).stdout).toBe('deployment.apps/web labeled\n')
    expect((await kubectl(admin, ['set', 'image', 'deploy/web', 'app=nginx:1.26'])).stdout).toBe('deployment.apps/web image updated\n')
    expect((await kubectl(admin, ['rollout', 'status', 'deploy/web', '--timeout=60s'])).stdout).toMatch(/successfully rolled out/)

    const json = JSON.parse((await kubectl(admin, ['get', 'deploy', 'web', '-o', 'json'])).stdout)
    expect(json).toMatchObject({
      metadata: { labels: { tier: 'front' } },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'app', image: 'nginx:1.26' }] } } },
    })
    expect((await kubectl(admin, ['rollout', 'history', 'deploy/web'])).stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/)

    // Re-applying the first manifest: a three-way strategic merge that keeps the label kubectl label set.
    expect((await kubectl(admin, ['apply', '-f', '-'], deployment('web', 'nginx:1.25'))).stdout).toBe(
      'deployment.apps/web configured\nservice/web unchanged\n',
    )
    const reapplied = JSON.parse((await kubectl(admin, ['get', 'deploy', 'web', '-o', 'json'])).stdout)
    expect(reapplied.spec.template.spec.containers).toEqual([expect.objectContaining({ name: 'app', image: 'nginx:1.25' })])
    expect(reapplied.metadata.labels).toEqual({ tier: 'front' })

    expect((await kubectl(admin, ['rollout', 'status', 'deploy/web', '--timeout=60s'])).stdout).toMatch(/successfully rolled out/)
    expect((await kubectl(admin, ['get', 'deploy', 'web', '-o', 'jsonpath={.status.replicas}'])).stdout).toBe('2')

    const pod = (await kubectl(admin, ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout
    for (const command of [
      ['logs', pod],
      ['exec', pod, '--', 'ls'],
    ]) {
      expect((await kubectl(admin, command)).stderr).toContain(
        `Error from server (BadRequest): pod "${pod}" runs on a simulated node, which runs no containers`,
      )
    }

    // drain evicts through pods/eviction; the Deployment puts its pods on the other node.
    const drained = await kubectl(admin, ['drain', 'sim-node-1', '--ignore-daemonsets', '--timeout=60s'])
    expect(drained).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^node\/sim-node-1 cordoned\n[\s\S]*node\/sim-node-1 drained\n$/),
    })
    expect((await kubectl(admin, ['rollout', 'status', 'deploy/web', '--timeout=60s'])).stdout).toMatch(/successfully rolled out/)
    const placed = await kubectl(admin, ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.nodeName}'])
    expect(placed.stdout.split(' ')).not.toContain('sim-node-1')
    expect((await kubectl(admin, ['uncordon', 'sim-node-1'])).stdout).toBe('node/sim-node-1 uncordoned\n')

    expect((await kubectl(admin, ['delete', 'service', 'web'])).stdout).toBe('service "web" deleted\n')
    expect((await kubectl(admin, ['get', 'service', 'web'])).stderr).toBe('Error from server (NotFound): services "web" not found\n')
  })

  it('authenticates a token user and a client certificate, and RBAC decides what each may do', async () => {
    for (const user of ['bob', 'alice']) {
      const refused = await kubectl(configs[user]!, ['get', 'pods'])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(
        `Error from server (Forbidden): pods is forbidden: User "${user}" cannot list resource "pods" in API group "" in the namespace "default"`,
      )
    }
    await s.bind('alice', 'ClusterRole', 'view')
    const allowed = await kubectl(configs.alice!, ['get', 'configmaps'])
    expect(allowed).toMatchObject({ code: 0 })
    const write = await kubectl(configs.alice!, ['create', '-f', '-'], configMap('x', 'a'))
    expect(write.stderr).toContain('User "alice" cannot create resource "configmaps" in API group "" in the namespace "default"')

    expect((await kubectl(admin, ['auth', 'can-i', 'create', 'pods'])).stdout).toBe('yes\n')
    expect(await kubectl(configs.bob!, ['auth', 'can-i', 'create', 'pods'])).toMatchObject({ code: 1, stdout: 'no\n' })
    expect((await kubectl(configs.alice!, ['auth', 'can-i', 'list', 'configmaps'])).stdout).toBe('yes\n')
    expect((await kubectl(admin, ['auth', 'can-i', 'delete', 'configmaps', '--as', 'alice'])).stdout).toBe('no\n')
    const listed = await kubectl(configs.alice!, ['auth', 'can-i', '--list'])
    expect(listed.stdout).toMatch(/^configmaps\s+\[\]\s+\[\]\s+\[get list watch\]$/m)

    // The same certificate authenticates GraphQL on the secure port (both listeners serve every route).
    const user = parse(readFileSync(configs.alice!, 'utf8')).users[0].user
    const whoami = await httpsPost(
      `${s.server.secureUrl}/graphql`,
      s.server.certificateAuthority!,
      '{"query":"{ whoami { name groups } }"}',
      {
        cert: Buffer.from(user['client-certificate-data'], 'base64').toString(),
        key: Buffer.from(user['client-key-data'], 'base64').toString(),
      },
    )
    expect(JSON.parse(whoami.body)).toEqual({ data: { whoami: { name: 'alice', groups: ['qa', 'system:authenticated'] } } })

    // Without credentials (kubectl would ask for a user name on a terminal): 401 and a Status.
    const anonymous = await httpsGet(`${s.server.secureUrl}/api/v1/namespaces/default/pods`, s.server.certificateAuthority!)
    expect(anonymous.status).toBe(401)
    expect(JSON.parse(anonymous.body)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 })
  })

  it('lists the state at any past revision through resourceVersionMatch=Exact, as the GraphQL API has it', async () => {
    // 20 revisions: the first four written by kubectl, the rest by the admin through GraphQL.
    const revisions: number[] = []
    for (let i = 0; i < 20; i++) {
      if (i < 4) {
        const created = await kubectl(admin, ['create', '-f', '-', '-o', 'json'], configMap(`past-${i}`, String(i)))
        revisions.push(Number(JSON.parse(created.stdout).metadata.resourceVersion))
      } else {
        const created = await s.admin('mutation($o: JSON!) { create(object: $o) { revision } }', {
          o: JSON.parse(configMap(`past-${i}`, String(i))),
        })
        revisions.push(Number(created.create.revision))
      }
    }
    for (const [i, revision] of revisions.entries()) {
      const raw = await kubectl(admin, [
        'get',
        '--raw',
        `/api/v1/namespaces/default/configmaps?resourceVersion=${revision}&resourceVersionMatch=Exact`,
      ])
      const listed = JSON.parse(raw.stdout)
      const names = listed.items.map((o: any) => o.metadata.name).filter((n: string) => n.startsWith('past-'))
      expect(names).toEqual(Array.from({ length: i + 1 }, (_, j) => `past-${j}`).sort())
      expect(listed.metadata.resourceVersion).toBe(String(revision))
      const graphql = await s.admin(
        `{ objects(kind: "ConfigMap", namespace: "default", at: { revision: ${revision} }) { edges { node { metadata { name } } } } }`,
      )
      expect(names).toEqual(graphql.objects.edges.map((e: any) => e.node.metadata.name).filter((n: string) => n.startsWith('past-')))
    }
    const before = await kubectl(admin, ['get', '--raw', `/api/v1/namespaces/default/configmaps/past-3?resourceVersion=${revisions[2]}`])
    expect(before.stderr).toContain('configmaps "past-3" not found')

    // The kubectl plugin (kubectl-revkube, the revkube CLI under the name kubectl looks for on the PATH).
    const bin = join(s.dataDir, 'bin')
    mkdirSync(bin, { recursive: true })
    symlinkSync(join(process.cwd(), 'cli', 'revkube.js'), join(bin, 'kubectl-revkube'))
    const plugin = await kubectl(admin, ['revkube', 'get', 'configmaps', '--at', String(revisions[1]), '-o', 'name'], undefined, {
      PATH: `${bin}:${process.env.PATH}`,
      REVKUBE_SERVER: s.server.url,
      REVKUBE_TOKEN: s.tokens.admin!,
    })
    expect(plugin.stdout.split('\n').filter((l) => l.includes('past-'))).toEqual(['configmap/past-0', 'configmap/past-1'])
  })
})
