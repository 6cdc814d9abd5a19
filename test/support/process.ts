import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { waitFor } from './wait.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * A child process running a TypeScript file, its stdout collected line by line. Node runs the
 * file itself with tsx's loader, so a signal sent to the child reaches the code under test
 * (the `tsx` command would run it in a grandchild).
 */
export interface Child {
  process: ChildProcess
  lines: string[]
  stderr: () => string
  send(line: string): void
  /** Waits for a stdout line matching `pattern` and returns it. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export function spawnTs(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let stderr = ''
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line))
  child.stderr!.on('data', (chunk) => (stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  return {
    process: child,
    lines,
    stderr: () => stderr,
    send: (line) => child.stdin!.write(`${line}\n`),
    waitForLine: async (pattern, timeoutMs = 30_000) => {
      await waitFor(() => lines.some((l) => pattern.test(l)) || child.exitCode !== null, `a line matching ${pattern}`, timeoutMs)
      const found = lines.find((l) => pattern.test(l))
      if (!found) throw new Error(`process exited (${child.exitCode}) before printing ${pattern}: ${stderr}`)
      return found
    },
    exited,
  }
}
