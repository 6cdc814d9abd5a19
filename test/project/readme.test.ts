import { spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { databaseUrl, dropSchema, uniqueSchema } from '../support/store.js'

/**
 * The README's walkthrough, run as written: every `sh` block of its Walkthrough section, in order,
 * in one bash session, with the real `revkube` on PATH. The only commands allowed to fail are those
 * the README says fail.
 */
const root = fileURLToPath(new URL('../..', import.meta.url))

function walkthroughBlocks(readme: string): string[] {
  const start = readme.indexOf('## Walkthrough')
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end)
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!)
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

let dir: string | undefined
const schema = databaseUrl ? uniqueSchema('readme') : undefined

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
  if (databaseUrl && schema) await dropSchema(databaseUrl, schema)
})

describe('README', () => {
  it('has a walkthrough whose every command runs as written', { timeout: 300_000 }, async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8')
    const blocks = walkthroughBlocks(readme)
    expect(blocks.length).toBeGreaterThanOrEqual(6)
    const script = ['set -uo pipefail', `trap 'echo "__FAILED__ $LINENO" >&2' ERR`, ...blocks].join('\n')
    const lines = script.split('\n')
    const mayFail = new Set(lines.flatMap((line, i) => (/#.*(fails \(exit 1\)|exits 1)/.test(line) ? [i + 1] : [])))

    dir = await mkdtemp(join(tmpdir(), 'revkube-readme-'))
    await mkdir(join(dir, 'bin'))
    const shim = join(dir, 'bin', 'revkube')
    await writeFile(shim, `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'cli', 'revkube.js')}" "$@"\n`)
    await chmod(shim, 0o755)
    await writeFile(join(dir, 'walkthrough.sh'), script)
    const port = await freePort()
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
      PORT: String(port),
      REVKUBE_SERVER: `http://127.0.0.1:${port}`,
      // The server records its admin token for the CLI here, not in the home folder.
      REVKUBE_CONFIG: join(dir, 'revkube-config.json'),
      ...(schema && { REVKUBE_DB_SCHEMA: schema }),
    }
    delete env.REVKUBE_DATA_DIR
    delete env.REVKUBE_TOKEN
    delete env.REVKUBE_AUTH

    const child = spawn('bash', ['walkthrough.sh'], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
    // The walkthrough's server runs in the background of that shell: stop it with the rest.
    try {
      process.kill(-child.pid!, 'SIGTERM')
    } catch {
      // already gone
    }
    const failed = [...stderr.matchAll(/__FAILED__ (\d+)/g)].map((m) => Number(m[1]))
    const unexpected = failed.filter((line) => !mayFail.has(line)).map((line) => `line ${line}: ${lines[line - 1]}`)
    expect({ unexpected, stderr: unexpected.length ? stderr : '' }).toEqual({ unexpected: [], stderr: '' })
    expect(code).toBe(0)
    expect(stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/)

    // What the walkthrough says happens, happens.
    expect(stdout).toMatch(/^sim-node-3\s+Ready\s+<none>/m)
    expect(stdout).toContain('deployment.apps/frontend created\nservice/frontend created\n')
    expect(stdout).toContain('deployment "frontend" successfully rolled out')
    expect(stdout).toMatch(/^frontend\s+NodePort\s+10\.\d+\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP/m)
    expect(stdout).toContain('deployment.apps/frontend patched')
    expect(stderr).toContain('error: timed out waiting for the condition')
    expect(stdout).toMatch(/^deployment\.apps\/frontend\s+4\/5\s+3\s+4\s/m)
    expect(stdout).toMatch(/^pod\/frontend-\S+\s+0\/1\s+(CrashLoopBackOff|Error)\s/m)
    expect(stdout).toMatch(/Updated\s+bob\s+spec\.template\.spec\.containers\.0\.image="gcr\.io\/google_samples\/gb-frontend:v6"/)
    expect(stdout).toMatch(/^\+ +image: gcr\.io\/google_samples\/gb-frontend:v6$/m)
    expect(stdout).toMatch(/back to revision \d+ \(Updated of Deployment default\/frontend by bob\)/)
    expect(stdout).toContain('deployment.apps/frontend rolled back')
    expect(stdout).toMatch(
      /^frontend\s+5\/5\s+5\s+5\s+\S+\s+php-redis\s+gcr\.io\/google_samples\/gb-frontend:v5\s+app=guestbook,tier=frontend$/m,
    )
    expect(stdout).toMatch(/Updated\s+Deployment default\/frontend\s+alice\s+rollout undo to revision 1/)
    expect(stdout).toMatch(/^\{"revision":"\d+","actor":"bob","diff":\[/m)
    expect(stdout).toContain('{"data":{"changes":[{"type":"MODIFIED","kind":"Deployment","name":"frontend"}]}}')
    expect(stdout).toContain('{"data":{"deployment":{"images":["gcr.io/google_samples/gb-frontend:v5"],"readyReplicas":5}}}')
    expect(stdout).toMatch(/^verified: the replayed state equals the server's as-of state at revision \d+$/m)
    expect(stdout).toMatch(/^imported [\d,]+ events \(revisions 1–\d+\) into embedded PGlite in .*restored/m)
  })
})
