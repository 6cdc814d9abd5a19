import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { revkube } from '../support/cli.js'
import { backend } from '../support/store.js'
import { startTestServer, type TestServer } from '../support/graphql.js'

/** The real `revkube` binary against a real server: --validate as kubectl has it. */
let t: TestServer
let dir: string
const cli = (args: string[], options: Parameters<typeof revkube>[2] = {}) => revkube(t.server.url, args, { cwd: dir, ...options })

const typo = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replica: 3
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - {name: app, image: nginx:1.27, imagePullPolicyy: Always}
`

async function storedSpec(name: string) {
  const result = await t.gql(`query($n: String!) { object(kind: "deploy", namespace: "default", name: $n) { raw } }`, { n: name })
  return result.data?.object?.raw?.spec as Record<string, any> | undefined
}

beforeAll(async () => {
  t = await startTestServer()
  dir = await mkdtemp(join(tmpdir(), 'revkube-validate-'))
  for (const name of ['strict', 'warned', 'ignored', 'created', 'replaced']) await writeFile(join(dir, `${name}.yaml`), typo(name))
})
afterAll(async () => {
  await t.close()
  await rm(dir, { recursive: true, force: true })
})

const STRICT_ERROR =
  'Error from server (BadRequest): error when applying "strict.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ' +
  'unknown field "spec.replica", unknown field "spec.template.spec.containers[0].imagePullPolicyy"'

describe(`revkube --validate (${backend})`, () => {
  it('refuses unknown fields by default, as kubectl does, and with --validate=true|strict', async () => {
    for (const flag of [[], ['--validate=true'], ['--validate=strict'], ['--validate']]) {
      const result = await cli(['apply', '-f', 'strict.yaml', ...flag])
      expect(result.code).toBe(1)
      expect(result.stderr.trim()).toBe(STRICT_ERROR)
    }
    expect(await storedSpec('strict')).toBeUndefined()
  })

  it('drops them with a warning on stderr for --validate=warn', async () => {
    const result = await cli(['apply', '-f', 'warned.yaml', '--validate=warn'])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('deployment.apps/warned created\n')
    expect(result.stderr).toBe(
      'Warning: unknown field "spec.replica"\nWarning: unknown field "spec.template.spec.containers[0].imagePullPolicyy"\n',
    )
    const spec = (await storedSpec('warned'))!
    expect(spec).not.toHaveProperty('replica')
    expect(spec.template.spec.containers[0]).not.toHaveProperty('imagePullPolicyy')
  })

  it('drops them silently for --validate=false|ignore', async () => {
    for (const flag of ['--validate=false', '--validate=ignore']) {
      const result = await cli(['apply', '-f', 'ignored.yaml', flag])
      expect(result.code).toBe(0)
      expect(result.stderr).toBe('')
    }
    expect(await storedSpec('ignored')).not.toHaveProperty('replica')
  })

  it('applies the same to create, replace and patch', async () => {
    const created = await cli(['create', '-f', 'created.yaml'])
    expect(created.code).toBe(1)
    expect(created.stderr).toContain(
      'error when creating "created.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"',
    )
    expect((await cli(['create', '-f', 'created.yaml', '--validate=warn'])).stderr).toContain('Warning: unknown field "spec.replica"\n')

    expect((await cli(['create', '-f', 'replaced.yaml', '--validate=false'])).code).toBe(0)
    const replaced = await cli(['replace', '-f', 'replaced.yaml'])
    expect(replaced.code).toBe(1)
    expect(replaced.stderr).toContain(
      'error when replacing "replaced.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"',
    )
    const quiet = await cli(['replace', '-f', 'replaced.yaml', '--validate=false'])
    expect(quiet).toMatchObject({ code: 0, stdout: 'deployment.apps/replaced replaced\n', stderr: '' })

    const patched = await cli(['patch', 'deploy', 'replaced', '-p', '{"spec":{"replica":2}}'])
    expect(patched.code).toBe(1)
    expect(patched.stderr).toContain('strict decoding error: unknown field "spec.replica"')
    const warned = await cli(['patch', 'deploy', 'replaced', '-p', '{"spec":{"replica":2,"replicas":2}}', '--validate=warn'])
    expect(warned).toMatchObject({ code: 0, stderr: 'Warning: unknown field "spec.replica"\n' })
    expect((await storedSpec('replaced'))!.replicas).toBe(2)
  })

  it("refuses a value of the wrong type whatever --validate says, with Kubernetes' message", async () => {
    await writeFile(
      join(dir, 'paused.yaml'),
      typo('paused').replace('replica: 3', 'paused: "yes"').replace(', imagePullPolicyy: Always', ''),
    )
    const result = await cli(['apply', '-f', 'paused.yaml', '--validate=false'])
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toBe(
      'Error from server (BadRequest): error when applying "paused.yaml": Deployment in version "v1" cannot be handled as a Deployment: ' +
        'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool',
    )
  })

  it('names the values --validate takes', async () => {
    const result = await cli(['apply', '-f', 'strict.yaml', '--validate=maybe'])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('invalid - validate option "maybe"; must be one of: strict (or true), warn, ignore (or false)')
  })
})
