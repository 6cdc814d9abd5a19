import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JsonObject } from '../../services/json.js'
import { createLogger } from '../../services/log.js'
import { startServer, type RunningServer } from '../../services/app/server.js'
import { revkube } from '../support/cli.js'
import { dropSchema, freshDatabaseConfig } from '../support/store.js'
import { waitFor } from '../support/wait.js'

/**
 * `revkube create KIND NAME`, `-n` against a manifest's namespace, invalid UTF-8 in manifests and
 * the STATUS of a scheduling-gated pod: the real binary against a real server (with its
 * scheduler, no nodes), on the backend DATABASE_URL selects.
 */
let server: RunningServer
let cleanup: () => Promise<void>
let dir: string
const cli = (args: string[], options: Parameters<typeof revkube>[2] = {}) => revkube(server.url, args, { cwd: dir, ...options })
const get = (kind: string, namespace: string | undefined, name: string) => server.api.get(kind, namespace, name)
const exists = (kind: string, namespace: string | undefined, name: string) =>
  get(kind, namespace, name).then(
    () => true,
    () => false,
  )

beforeAll(async () => {
  const database = await freshDatabaseConfig()
  server = await startServer({ database, port: 0, host: '127.0.0.1', controllers: true, simNodes: 0 }, createLogger({ level: 'error' }))
  cleanup = async () => {
    await server.stop()
    if (database.backend === 'postgres' && database.schema) await dropSchema(database.url, database.schema)
  }
  dir = await mkdtemp(join(tmpdir(), 'revkube-create-'))
  await writeFile(join(dir, 'nginx.conf'), 'server { listen 80; }\n')
  await writeFile(join(dir, 'logo.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00]))
  await writeFile(join(dir, 'app.env'), '# settings\nMODE=fast\n\n  LEVEL=3\nFROM_ENV\n')
})

afterAll(async () => {
  await cleanup?.()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('revkube create KIND NAME', () => {
  it('creates a namespace, by its name or its short name, as kubectl does', async () => {
    expect(await cli(['create', 'namespace', 'team-a'])).toEqual({ code: 0, stdout: 'namespace/team-a created\n', stderr: '' })
    expect(await cli(['create', 'ns', 'team-b'])).toEqual({ code: 0, stdout: 'namespace/team-b created\n', stderr: '' })
    expect((await get('Namespace', undefined, 'team-a')).metadata).toMatchObject({ name: 'team-a' })
    const again = await cli(['create', 'namespace', 'team-a'])
    expect(again).toMatchObject({ code: 1, stderr: 'Error from server (AlreadyExists): namespaces "team-a" already exists\n' })
  })

  it('prints the object kubectl would build with --dry-run=client, without writing it', async () => {
    const result = await cli(['create', 'namespace', 'dry', '--dry-run=client', '-o', 'yaml'])
    expect(result).toEqual({
      code: 0,
      stdout: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  creationTimestamp: null\n  name: dry\nspec: {}\nstatus: {}\n',
      stderr: '',
    })
    expect(await cli(['create', 'namespace', 'dry', '--dry-run=server'])).toEqual({
      code: 0,
      stdout: 'namespace/dry created (server dry run)\n',
      stderr: '',
    })
    expect(await exists('Namespace', undefined, 'dry')).toBe(false)
  })

  it('says what create needs without mentioning a -k flag it does not have', async () => {
    const [bare, unnamed, unknown, apply] = await Promise.all([
      cli(['create']),
      cli(['create', 'namespace']),
      cli(['create', 'widget', 'x']),
      cli(['apply']),
    ])
    expect(bare).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: must specify -f FILENAME, or what to create: configmap, deployment, namespace, secret generic or serviceaccount NAME (see revkube create --help)\n',
    })
    expect(unnamed).toMatchObject({
      code: 1,
      stderr: "error: exactly one NAME is required, got 0\nSee 'revkube create namespace -h' for help and examples\n",
    })
    expect(unknown).toMatchObject({
      code: 1,
      stderr: 'error: unknown command "widget" for "revkube create"\nRun \'revkube create --help\' for usage.\n',
    })
    expect(apply).toMatchObject({
      code: 1,
      stderr: 'error: must specify -f FILENAME: a manifest file, a directory of them, or - for standard input\n',
    })
    for (const result of [bare, unnamed, apply]) expect(result.stderr).not.toContain('-k')
  })

  it('creates a deployment of an image with replicas and a port, labelled app=NAME as kubectl does', async () => {
    const dry = await cli([
      'create',
      'deployment',
      'web',
      '--image=nginx:1.27',
      '--replicas=2',
      '--port=80',
      '-n',
      'team-a',
      '--dry-run=client',
      '-o',
      'yaml',
    ])
    expect(dry.stderr).toBe('')
    expect(dry.stdout).toBe(
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  creationTimestamp: null',
        '  labels:',
        '    app: web',
        '  name: web',
        '  namespace: team-a',
        'spec:',
        '  replicas: 2',
        '  selector:',
        '    matchLabels:',
        '      app: web',
        '  strategy: {}',
        '  template:',
        '    metadata:',
        '      creationTimestamp: null',
        '      labels:',
        '        app: web',
        '    spec:',
        '      containers:',
        '        - image: nginx:1.27',
        '          name: nginx',
        '          ports:',
        '            - containerPort: 80',
        '          resources: {}',
        'status: {}',
        '',
      ].join('\n'),
    )
    expect(await cli(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80', '-n', 'team-a'])).toEqual({
      code: 0,
      stdout: 'deployment.apps/web created\n',
      stderr: '',
    })
    const web = await get('Deployment', 'team-a', 'web')
    expect(web.metadata).toMatchObject({ labels: { app: 'web' } })
    expect(web.spec).toMatchObject({
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
      },
    })
    expect(await cli(['create', 'deploy', 'tools', '--image=busybox,registry.k8s.io/pause:3.9', '-o', 'name'])).toEqual({
      code: 0,
      stdout: 'deployment.apps/tools\n',
      stderr: '',
    })
    const tools = (await get('Deployment', 'default', 'tools')).spec as JsonObject
    expect(tools.replicas).toBe(1)
    expect(((tools.template as JsonObject).spec as JsonObject).containers).toMatchObject([
      { name: 'busybox' },
      { name: 'pause', image: 'registry.k8s.io/pause:3.9' },
    ])
    expect(await cli(['create', 'deployment', 'nothing'])).toMatchObject({ code: 1, stderr: 'error: required flag(s) "image" not set\n' })
  })

  it('creates a configmap from literals and files, binary files in binaryData', async () => {
    const result = await cli([
      'create',
      'configmap',
      'settings',
      '--from-literal=mode=fast',
      '--from-literal=quoted="yes"',
      '--from-file=nginx.conf',
      '--from-file=logo=logo.bin',
    ])
    expect(result).toEqual({ code: 0, stdout: 'configmap/settings created\n', stderr: '' })
    const settings = await get('ConfigMap', 'default', 'settings')
    expect(settings.data).toEqual({ mode: 'fast', quoted: 'yes', 'nginx.conf': 'server { listen 80; }\n' })
    expect(settings.binaryData).toEqual({ logo: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00]).toString('base64') })
  })

  it('creates a configmap from an env file, a bare key taking its value from the environment', async () => {
    const dry = await cli(['create', 'cm', 'env', '--from-env-file=app.env', '--dry-run=client', '-o', 'yaml'], {
      env: { FROM_ENV: 'inherited' },
    })
    expect(dry).toEqual({
      code: 0,
      stdout:
        'apiVersion: v1\ndata:\n  FROM_ENV: inherited\n  LEVEL: "3"\n  MODE: fast\nkind: ConfigMap\nmetadata:\n  creationTimestamp: null\n  name: env\n',
      stderr: '',
    })
    expect(await exists('ConfigMap', 'default', 'env')).toBe(false)
    const mixed = await cli(['create', 'configmap', 'env', '--from-env-file=app.env', '--from-literal=a=b'])
    expect(mixed).toMatchObject({ code: 1, stderr: 'error: from-env-file cannot be combined with from-file or from-literal\n' })
    expect((await cli(['create', 'configmap', 'bad', '--from-literal=no value'])).stderr).toBe(
      'error: invalid literal source no value, expected key=value\n',
    )
    expect((await cli(['create', 'configmap', 'bad', '--from-file=missing.txt'])).stderr).toBe(
      'error: error reading missing.txt: no such file or directory\n',
    )
    expect((await cli(['create', 'configmap', 'bad', '--from-literal=a=1', '--from-literal=a=2'])).stderr).toBe(
      'error: cannot add key "a", another key by that name already exists in Data for ConfigMap "bad"\n',
    )
  })

  it('creates a generic secret from literals, files and an env file, with a type', async () => {
    const result = await cli([
      'create',
      'secret',
      'generic',
      'db',
      '--from-literal=username=app',
      '--from-file=conf=nginx.conf',
      '--type=example.com/db',
    ])
    expect(result).toEqual({ code: 0, stdout: 'secret/db created\n', stderr: '' })
    const db = await get('Secret', 'default', 'db')
    expect(db.type).toBe('example.com/db')
    expect(db.data).toEqual({
      username: Buffer.from('app').toString('base64'),
      conf: Buffer.from('server { listen 80; }\n').toString('base64'),
    })
    expect(
      await cli(['create', 'secret', 'generic', 'env', '--from-env-file=app.env', '-o', 'json'], { env: { FROM_ENV: 'x' } }),
    ).toMatchObject({ code: 0 })
    expect((await get('Secret', 'default', 'env')).type).toBe('Opaque')
    expect((await cli(['create', 'secret', 'tls', 'x'])).stderr).toBe(
      'error: unknown command "tls" for "revkube create secret": only "secret generic" is supported\n',
    )
  })

  it('creates a service account in the namespace -n names', async () => {
    expect(await cli(['create', 'serviceaccount', 'builder', '-n', 'team-b'])).toEqual({
      code: 0,
      stdout: 'serviceaccount/builder created\n',
      stderr: '',
    })
    expect(await exists('ServiceAccount', 'team-b', 'builder')).toBe(true)
    expect(await cli(['create', 'sa', 'builder', '-n', 'team-b', '--dry-run=client', '-o', 'yaml'])).toEqual({
      code: 0,
      stdout: 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  creationTimestamp: null\n  name: builder\n  namespace: team-b\n',
      stderr: '',
    })
  })

  it('explains every create subcommand in --help', async () => {
    const help = await cli(['create', '--help'])
    for (const word of ['configmap', 'deployment', 'namespace', 'secret generic', 'serviceaccount']) expect(help.stdout).toContain(word)
    expect((await cli(['create', 'deployment', '--help'])).stdout).toContain('--image IMAGE')
    expect((await cli(['create', 'secret', 'generic', '--help'])).stdout).toContain('--from-env-file PATH')
  })
})

describe('revkube apply and create -f with -n', () => {
  const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pinned\n  namespace: team-a\ndata: {a: "1"}\n'

  it('refuses a manifest that names another namespace than -n, as kubectl does, and writes nothing', async () => {
    await writeFile(join(dir, 'pinned.yaml'), manifest)
    const expected = `error: the namespace from the provided object "team-a" does not match the namespace "team-b". You must pass '--namespace=team-a' to perform this operation.\n`
    for (const verb of ['apply', 'create']) {
      expect(await cli([verb, '-n', 'team-b', '-f', 'pinned.yaml'])).toEqual({ code: 1, stdout: '', stderr: expected })
    }
    expect(await cli(['apply', '-n', 'team-b', '-f', '-'], { stdin: manifest })).toEqual({ code: 1, stdout: '', stderr: expected })
    expect(await exists('ConfigMap', 'team-a', 'pinned')).toBe(false)
    expect(await exists('ConfigMap', 'team-b', 'pinned')).toBe(false)
  })

  it('applies it where it says when -n agrees or is not given', async () => {
    expect(await cli(['apply', '-n', 'team-a', '-f', 'pinned.yaml'])).toEqual({ code: 0, stdout: 'configmap/pinned created\n', stderr: '' })
    expect(await cli(['apply', '-f', 'pinned.yaml'])).toEqual({ code: 0, stdout: 'configmap/pinned unchanged\n', stderr: '' })
  })
})

describe('manifests that are not UTF-8', () => {
  // "caf\xe9" in Latin-1: the byte 0xe9 starts a three-byte sequence that "\n" does not continue.
  const latin1 = Buffer.concat([
    Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: latin}\ndata:\n  drink: caf'),
    Buffer.from([0xe9]),
    Buffer.from('\n'),
  ])

  it('refuses a file with invalid UTF-8, naming the file, line and byte offset, and writes nothing', async () => {
    await writeFile(join(dir, 'latin1.yaml'), latin1)
    const expected = 'error: error parsing latin1.yaml: invalid UTF-8 at line 5 (byte 0xe9 at offset 73); manifests must be UTF-8 text\n'
    expect(await cli(['apply', '-f', 'latin1.yaml'])).toEqual({ code: 1, stdout: '', stderr: expected })
    expect(await cli(['create', '-f', 'latin1.yaml'])).toEqual({ code: 1, stdout: '', stderr: expected })
    expect(await cli(['apply', '-f', '-'], { stdin: latin1 })).toEqual({
      code: 1,
      stdout: '',
      stderr: expected.replace('latin1.yaml', 'STDIN'),
    })
    expect(await exists('ConfigMap', 'default', 'latin')).toBe(false)
  })

  it('keeps a U+FFFD that is written in the file', async () => {
    await writeFile(
      join(dir, 'replacement.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: replacement}\ndata: {sign: "\uFFFD"}\n',
    )
    expect(await cli(['apply', '-f', 'replacement.yaml'])).toMatchObject({ code: 0 })
    expect((await get('ConfigMap', 'default', 'replacement')).data).toEqual({ sign: '\uFFFD' })
  })
})

describe('the STATUS column of pods', () => {
  it('shows a pod held by scheduling gates as SchedulingGated, as kubectl does', async () => {
    const pod =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: gated}\nspec:\n  schedulingGates: [{name: example.com/wait}]\n  containers: [{name: c, image: nginx}]\n'
    expect(await cli(['apply', '-f', '-'], { stdin: pod })).toMatchObject({ code: 0 })
    await waitFor(
      async () => JSON.stringify((await get('Pod', 'default', 'gated')).status).includes('SchedulingGated'),
      'the scheduler to mark the pod gated',
    )
    const table = await cli(['get', 'pod', 'gated'])
    expect(table.stdout.split('\n')[1]).toMatch(/^gated\s+0\/1\s+SchedulingGated\s+0\s+/)
  })
})
