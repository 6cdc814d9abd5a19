import { mkdtemp, writeFile, mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../services/log.js'
import { startServer, type RunningServer } from '../../services/app/server.js'
import { revkube, spawnRevkube } from '../support/cli.js'
import { dropSchema, freshDatabaseConfig } from '../support/store.js'
import { waitFor } from '../support/wait.js'

/**
 * The real `revkube` binary against a real server (controllers, scheduler and two simulated
 * nodes on the real clock), on the backend DATABASE_URL selects.
 */
let server: RunningServer
let cleanup: () => Promise<void>
let dir: string
const cli = (args: string[], options: Parameters<typeof revkube>[2] = {}) => revkube(server.url, args, { cwd: dir, ...options })

const web = (image: string, replicas = 3) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: nginx
          image: ${image}
          ports: [{containerPort: 80}]
`

const service = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
`

beforeAll(async () => {
  const database = await freshDatabaseConfig()
  server = await startServer({ database, port: 0, host: '127.0.0.1', controllers: true, simNodes: 2 }, createLogger({ level: 'error' }))
  cleanup = async () => {
    await server.stop()
    if (database.backend === 'postgres' && database.schema) await dropSchema(database.url, database.schema)
  }
  dir = await mkdtemp(join(tmpdir(), 'revkube-cli-'))
  await mkdir(join(dir, 'app', 'nested'), { recursive: true })
  await writeFile(join(dir, 'app', 'web.yaml'), `${web('nginx:1.27')}---\n${service}`)
  await writeFile(
    join(dir, 'app', 'nested', 'config.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: fast}\n',
  )
  await writeFile(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: [unclosed\n')
  await waitFor(async () => (await server.api.list('nodes')).items.length === 2, 'two nodes')
})

afterAll(async () => {
  await cleanup?.()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('revkube against a live server', () => {
  it('applies a directory, recursively, and reports created, unchanged and configured as kubectl does', async () => {
    const first = await cli(['apply', '-f', 'app', '-R'])
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toBe('configmap/settings created\ndeployment.apps/web created\nservice/web created\n')
    const again = await cli(['apply', '-f', 'app/web.yaml'])
    expect(again.stdout).toBe('deployment.apps/web unchanged\nservice/web unchanged\n')
    const status = await cli(['rollout', 'status', 'deploy/web', '--timeout=60s'])
    expect(status.code).toBe(0)
    expect(status.stdout.trim().split('\n').at(-1)).toBe('deployment "web" successfully rolled out')
    const dry = await cli(['apply', '-f', '-', '--dry-run=server'], { stdin: web('nginx:9.9') })
    expect(dry.stdout).toBe('deployment.apps/web configured (server dry run)\n')
    const image = await cli(['get', 'deploy', 'web', '-o', 'json'])
    expect(JSON.parse(image.stdout).spec.template.spec.containers[0].image).toBe('nginx:1.27')
  })

  it('gets objects with kubectl columns and output formats', async () => {
    const pods = await cli(['get', 'pods', '-o', 'wide'])
    expect(pods.code).toBe(0)
    const lines = pods.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/)
    expect(lines).toHaveLength(4)
    for (const line of lines.slice(1))
      expect(line).toMatch(/^web-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\S+\s+10\.\d+\.\d+\.\d+\s+sim-node-\d/)

    const list = JSON.parse((await cli(['get', 'deploy', '-o', 'json'])).stdout)
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'Deployment', metadata: { name: 'web' } }] })
    const one = JSON.parse((await cli(['get', 'deploy/web', '-o', 'json'])).stdout)
    expect(one).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', status: { readyReplicas: 3 } })
    expect((await cli(['get', 'svc', 'web', '-o', 'yaml'])).stdout).toMatch(/^apiVersion: v1\nkind: Service\nmetadata:\n/)
    expect((await cli(['get', 'deploy,svc', '-o', 'name'])).stdout).toBe('deployment.apps/web\nservice/kubernetes\nservice/web\n')
    const svc = (await cli(['get', 'svc', 'web'])).stdout
    expect(svc).toMatch(
      /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\nweb\s+NodePort\s+10\.\d+\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP\s+\S+\n$/,
    )
    const nodes = (await cli(['get', 'nodes'])).stdout
    expect(nodes).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\nsim-node-1\s+Ready\s+<none>/)
    const all = (await cli(['get', 'cm', '-A', '-l', 'app!=x'])).stdout
    expect(all).toMatch(/^NAMESPACE\s+NAME\s+DATA\s+AGE\n/)
    expect(all).toMatch(/default\s+settings\s+1\s+/)
    const running = (await cli(['get', 'pods', '--field-selector', 'status.phase=Running', '-o', 'name'])).stdout
    expect(running.trim().split('\n')).toHaveLength(3)

    const missing = await cli(['get', 'pods', 'nope'])
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n' })
    const empty = await cli(['get', 'pods', '-n', 'kube-public'])
    expect(empty).toMatchObject({ code: 0, stdout: '', stderr: 'No resources found in kube-public namespace.\n' })
  })

  it('changes objects: scale, label, annotate, patch', async () => {
    expect((await cli(['scale', 'deploy/web', '--replicas=4'])).stdout).toBe('deployment.apps/web scaled\n')
    expect((await cli(['label', 'deploy', 'web', 'tier=front'])).stdout).toBe('deployment.apps/web labeled\n')
    const clash = await cli(['label', 'deploy', 'web', 'tier=back'])
    expect(clash).toMatchObject({ code: 1, stderr: "error: 'tier' already has a value (front), and --overwrite is false\n" })
    expect((await cli(['label', 'deploy', 'web', 'tier=back', '--overwrite'])).stdout).toBe('deployment.apps/web labeled\n')
    expect((await cli(['label', 'deploy', 'web', 'tier-'])).stdout).toBe('deployment.apps/web labeled\n')
    expect((await cli(['annotate', 'deploy', 'web', 'kubernetes.io/change-cause=scale to four'])).stdout).toBe(
      'deployment.apps/web annotated\n',
    )
    expect((await cli(['patch', 'cm', 'settings', '--type', 'merge', '-p', '{"data":{"mode":"slow"}}'])).stdout).toBe(
      'configmap/settings patched\n',
    )
    expect((await cli(['patch', 'cm', 'settings', '--type', 'merge', '-p', '{"data":{"mode":"slow"}}'])).stdout).toBe(
      'configmap/settings patched (no change)\n',
    )
    expect((await cli(['patch', 'cm/settings', '--type', 'json', '-p', '[{"op":"add","path":"/data/extra","value":"1"}]'])).code).toBe(0)
    const cm = JSON.parse((await cli(['get', 'cm', 'settings', '-o', 'json'])).stdout)
    expect(cm.data).toEqual({ mode: 'slow', extra: '1' })
    const bad = await cli(['patch', 'cm', 'settings', '-p', '{not json'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^error: unable to parse "\{not json"/)
    const status = await cli(['rollout', 'status', 'deploy/web', '--timeout=60s'])
    expect(status.code).toBe(0)
  })

  it('rolls out, shows rollout history, undoes, pauses, resumes and restarts', async () => {
    const before = (await cli(['get', 'deploy', 'web', '-o', 'json'])).stdout
    const revisionBefore = JSON.parse(before).metadata.resourceVersion
    await cli(['apply', '-f', '-'], { stdin: web('nginx:1.28', 4) })
    expect((await cli(['rollout', 'status', 'deploy/web', '--timeout=60s'])).code).toBe(0)
    const history = await cli(['rollout', 'history', 'deploy/web'])
    expect(history.stdout).toMatch(/^deployment\.apps\/web \nREVISION {2}CHANGE-CAUSE\n1 {9}scale to four\n2 {9}scale to four\n$/)
    const one = await cli(['rollout', 'history', 'deploy/web', '--revision=1'])
    expect(one.stdout).toContain('deployment.apps/web with revision #1\nPod Template:\n')
    expect(one.stdout).toContain('Image:        nginx:1.27')
    expect((await cli(['rollout', 'undo', 'deploy/web'])).stdout).toBe('deployment.apps/web rolled back\n')
    expect((await cli(['rollout', 'status', 'deploy/web', '--timeout=60s'])).code).toBe(0)
    expect(JSON.parse((await cli(['get', 'deploy', 'web', '-o', 'json'])).stdout).spec.template.spec.containers[0].image).toBe('nginx:1.27')
    expect((await cli(['rollout', 'pause', 'deploy/web'])).stdout).toBe('deployment.apps/web paused\n')
    expect((await cli(['rollout', 'resume', 'deploy/web'])).stdout).toBe('deployment.apps/web resumed\n')
    expect((await cli(['rollout', 'restart', 'deploy/web'])).stdout).toBe('deployment.apps/web restarted\n')
    expect((await cli(['rollout', 'status', 'deploy/web', '--timeout=60s'])).code).toBe(0)

    // As of the revision before the rollout: the old image, four replicas.
    const then = JSON.parse((await cli(['get', 'deploy', 'web', '--at', revisionBefore, '-o', 'json'])).stdout)
    expect(then.spec.template.spec.containers[0].image).toBe('nginx:1.27')
    expect(then.metadata.resourceVersion).toBe(revisionBefore)
  })

  it('describes a Deployment with its ReplicaSets and Events', async () => {
    const out = (await cli(['describe', 'deploy', 'web'])).stdout
    expect(out).toMatch(/^Name:\s+web\nNamespace:\s+default\n/)
    expect(out).toMatch(/Replicas:\s+4 desired \| 4 updated \| 4 total \| 4 available \| 0 unavailable/)
    expect(out).toMatch(/NewReplicaSet:\s+web-[a-z0-9]+ \(4\/4 replicas created\)/)
    expect(out).toMatch(/Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n/)
    expect(out).toMatch(/Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set web-/)
    const node = (await cli(['describe', 'node/sim-node-1'])).stdout
    expect(node).toMatch(/Conditions:\n\s+Type\s+Status\s+Reason/)
  })

  it('tells the history of an object, what changed between two points, and why', async () => {
    const history = await cli(['history', 'deploy/web'])
    expect(history.code).toBe(0)
    const rows = history.stdout.trim().split('\n')
    expect(rows[0]).toMatch(/^REVISION\s+TIME\s+EVENT\s+ACTOR\s+CHANGE$/)
    expect(rows[1]).toMatch(/^\d+\s+\S+Z\s+Created\s+anonymous\s+created$/)
    expect(history.stdout).toMatch(/Updated\s+anonymous\s+spec\.replicas=4/)
    const json = JSON.parse((await cli(['history', 'deploy/web', '-o', 'json'])).stdout)
    const imageChange = json.find((v: { diff: Array<{ path: string; value: unknown }> | null }) =>
      v.diff?.some((op) => op.path === '/spec/template/spec/containers/0/image' && op.value === 'nginx:1.28'),
    )
    expect(imageChange).toMatchObject({ type: 'Updated', actor: 'anonymous' })
    const diffs = (await cli(['history', 'deploy/web', '--diff'])).stdout
    expect(diffs).toMatch(/^- +- image: nginx:1\.27\n\+ +- image: nginx:1\.28$/m)

    const from = String(Number(imageChange.revision) - 1)
    const changed = await cli(['diff', '--from', from, '--to', imageChange.revision, 'deploy'])
    expect(changed.code).toBe(1)
    expect(changed.stdout).toContain('diff -u revision ' + from)
    expect(changed.stdout).toMatch(/^\+ +- image: nginx:1\.28$/m)
    const same = await cli(['diff', '--from', imageChange.revision, '--to', imageChange.revision])
    expect(same).toMatchObject({ code: 0, stdout: '' })
    const changes = JSON.parse((await cli(['diff', '--from', from, '--to', imageChange.revision, '-o', 'json'])).stdout)
    expect(changes).toEqual([expect.objectContaining({ type: 'MODIFIED', kind: 'Deployment', name: 'web' })])

    const pod = (await cli(['get', 'pods', '-o', 'name'])).stdout.split('\n')[0]!
    const why = await cli(['why', pod])
    expect(why.code).toBe(0)
    expect(why.stdout).toMatch(/^pod\/web-\S+ got its state at revision \d+ \(StatusUpdated by system:node:sim-node-\d\)\.\n/)
    expect(why.stdout).toMatch(/back to revision \d+ \(\w+ of Deployment default\/web by anonymous\)/)
    expect(why.stdout).toMatch(/Created\s+Pod default\/web-\S+\s+system:controller:replicaset/)
  })

  it('reads the raw log: tail, range, filters, json lines, and follows it', async () => {
    const tail = await cli(['log', '--tail', '5'])
    expect(tail.stdout.trim().split('\n')).toHaveLength(6)
    const range = await cli(['log', '--from', '1', '--to', '3', '-o', 'json'])
    expect(
      range.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).revision),
    ).toEqual(['1', '2', '3'])
    const mine = (await cli(['log', '--actor', 'anonymous', '--kind', 'configmaps', '-o', 'json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(mine.length).toBeGreaterThanOrEqual(3)
    expect(mine.every((e) => e.kind === 'ConfigMap' && e.actor === 'anonymous')).toBe(true)

    const follow = spawnRevkube(server.url, ['log', '-f', '--kind', 'cm', '-o', 'json'])
    await waitFor(() => follow.stdout().length > 0 || follow.child.exitCode !== null, 'the log tail', 20_000).catch(() => undefined)
    await new Promise((r) => setTimeout(r, 1500))
    await cli(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: followed}\n' })
    await waitFor(() => follow.stdout().includes('"name":"followed"'), 'the followed event', 20_000)
    follow.child.kill('SIGINT')
    expect(await follow.exited).toBe(0)
  })

  it('watches objects with get -w until interrupted', async () => {
    const watch = spawnRevkube(server.url, ['get', 'cm', '-w'])
    await waitFor(() => watch.stdout().includes('settings'), 'the initial listing', 20_000)
    await cli(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\n' })
    await waitFor(() => watch.stdout().includes('watched'), 'the watched object', 20_000)
    watch.child.kill('SIGINT')
    expect(await watch.exited).toBe(0)
    expect(watch.stdout().match(/^NAME\s+DATA\s+AGE$/gm)).toHaveLength(1)
  })

  it('reverts an object to a point in history and re-creates a deleted one', async () => {
    const before = JSON.parse((await cli(['get', 'cm', 'settings', '-o', 'json'])).stdout)
    await cli(['patch', 'cm', 'settings', '--type', 'merge', '-p', '{"data":{"mode":"broken"}}'])
    const reverted = await cli(['revert', 'cm/settings', '--to', before.metadata.resourceVersion])
    expect(reverted.stdout).toMatch(/^configmap\/settings reverted to revision \d+ \(now revision \d+\)\n$/)
    expect(JSON.parse((await cli(['get', 'cm', 'settings', '-o', 'json'])).stdout).data).toEqual(before.data)

    expect((await cli(['delete', 'cm', 'settings'])).stdout).toBe('configmap "settings" deleted\n')
    expect((await cli(['get', 'cm', 'settings'])).code).toBe(1)
    await cli(['revert', 'cm/settings', '--to', before.metadata.resourceVersion])
    expect(JSON.parse((await cli(['get', 'cm', 'settings', '-o', 'json'])).stdout).data).toEqual(before.data)
  })

  it('operates nodes: cordon, taint, drain, uncordon', async () => {
    expect((await cli(['cordon', 'sim-node-2'])).stdout).toBe('node/sim-node-2 cordoned\n')
    expect((await cli(['cordon', 'sim-node-2'])).stdout).toBe('node/sim-node-2 already cordoned\n')
    expect((await cli(['get', 'node', 'sim-node-2'])).stdout).toMatch(/Ready,SchedulingDisabled/)
    expect((await cli(['taint', 'nodes', 'sim-node-1', 'dedicated=db:NoSchedule'])).stdout).toBe('node/sim-node-1 tainted\n')
    expect(JSON.parse((await cli(['get', 'node', 'sim-node-1', '-o', 'json'])).stdout).spec.taints).toEqual([
      { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
    ])
    expect((await cli(['taint', 'nodes', 'sim-node-1', 'dedicated-'])).stdout).toBe('node/sim-node-1 untainted\n')
    const drain = await cli(['drain', 'sim-node-2', '--ignore-daemonsets'])
    expect(drain.code).toBe(0)
    expect(drain.stdout).toMatch(/node\/sim-node-2 (already )?cordoned\n/)
    expect(drain.stdout).toMatch(/node\/sim-node-2 drained\n$/)
    expect((await cli(['uncordon', 'sim-node-2'])).stdout).toBe('node/sim-node-2 uncordoned\n')
  })

  it('deletes with kubectl cascade semantics, from files too', async () => {
    const orphan = await cli(['delete', 'deploy', 'web', '--cascade=orphan'])
    expect(orphan.stdout).toBe('deployment.apps "web" deleted\n')
    const replicaSets = (await cli(['get', 'rs', '-o', 'name'])).stdout
    expect(replicaSets).toMatch(/replicaset\.apps\/web-/)
    const fromFile = await cli(['delete', '-f', 'app/web.yaml', '--ignore-not-found'])
    expect(fromFile).toMatchObject({ code: 0, stdout: 'service "web" deleted\n' })
    const missing = await cli(['delete', 'svc', 'web'])
    expect(missing).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): services "web" not found\n' })
  })

  it('answers bad input with one line and a non-zero exit, never a stack trace', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /^error: unknown command "frobnicate" for "revkube"\nRun 'revkube --help' for usage\.\n$/],
      [['get', 'pods', '--bogus'], /^error: unknown flag: --bogus\n$/],
      [['get', 'widgets'], /^error: the server doesn't have a resource type "widgets"\n$/],
      [['apply', '-f', 'missing.yaml'], /^error: the path "missing.yaml" does not exist\n$/],
      [['apply', '-f', 'broken.yaml'], /^error: error parsing broken\.yaml: line \d+, column \d+: .+\n$/],
      [['get', 'pods', '--at', 'yesterday'], /^error: invalid --at "yesterday": expected a revision .+\n$/],
      [
        ['get', 'pods', '--at', '99999999'],
        /^Error from server \(BadRequest\): revision 99999999 is newer than the head of the log \(\d+\)\n$/,
      ],
      [['get', 'pods', '--at', '2099-01-01T00:00:00Z'], /^error: invalid --at "2099-01-01T00:00:00Z": .+ is in the future\n$/],
      [['scale', 'deploy/web'], /^error: required flag\(s\) "replicas" not set\n$/],
      [['rollout', 'sideways', 'deploy/web'], /^error: unknown command "sideways" for "revkube rollout"\n/],
      [
        ['get', 'pods', '--server', 'http://127.0.0.1:65530'],
        /^error: cannot reach the revkube server at http:\/\/127\.0\.0\.1:65530 \(ECONNREFUSED\): is it running\?.*\n$/,
      ],
    ]
    for (const [args, message] of cases) {
      const result = await cli(args)
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 1, stderr: expect.stringMatching(message) })
      expect(result.stderr).not.toMatch(/\n\s+at /)
    }
  })

  // One child process per command, each paying Node's and tsx's start-up: more than a minute on a busy machine.
  it('has --help with an example on every command', { timeout: 240_000 }, async () => {
    const top = await cli(['--help'])
    expect(top.code).toBe(0)
    const names = [...top.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!)
    expect(names).toEqual(expect.arrayContaining(['get', 'apply', 'rollout', 'history', 'diff', 'why', 'log', 'revert', 'server']))
    const groups = ['rollout', 'auth']
    for (const name of [
      ...names.filter((n) => !groups.includes(n)),
      'rollout status',
      'rollout undo',
      'auth whoami',
      'auth can-i',
      'auth token',
    ]) {
      const help = await cli([...name.split(' '), '--help'])
      expect({ name, code: help.code }).toEqual({ name, code: 0 })
      expect(help.stdout).toMatch(/\nExamples:\n {2}revkube /)
    }
  })
})
