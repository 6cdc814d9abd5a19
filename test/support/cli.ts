import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = fileURLToPath(new URL('../../cli/revkube.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs the real `revkube` binary (cli/revkube.js) as a child process, as a user's shell would,
 * against `server` (passed as REVKUBE_SERVER unless the args name one).
 */
export function revkube(
  server: string | undefined,
  args: string[],
  options: { stdin?: string | Uint8Array; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...(server && { REVKUBE_SERVER: server }), ...options.env }
    delete env.REVKUBE_TOKEN
    if (options.env?.REVKUBE_TOKEN) env.REVKUBE_TOKEN = options.env.REVKUBE_TOKEN
    const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(`revkube ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms; stdout: ${stdout}; stderr: ${stderr}`),
      )
    }, options.timeoutMs ?? 60_000)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    // A command may exit before reading all its input (an import refused at line 10), as a shell's
    // pipeline allows: the broken pipe is not the test's failure.
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.stdin ?? '')
  })
}

/** Starts `revkube ARGS` and leaves it running (watches, follows, servers); stop it with a signal. */
export function spawnRevkube(server: string | undefined, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, ...(server && { REVKUBE_SERVER: server }), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  return { child, stdout: () => stdout, stderr: () => stderr, exited }
}
