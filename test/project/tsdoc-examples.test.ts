import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * The `@example` blocks in the TSDoc of the public entry points run as written (from the
 * repository's root, like the docs' examples) and print what their `// …` comments say: an example
 * that drifts from the code fails here, as kysely checks its own.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
const entryPoints = ['services/app/open-store.ts', 'services/store/store.ts', 'services/api/resource-api.ts', 'projections/projection.ts']

/** Every `@example` of every TSDoc comment in `source`, its ` * ` margins removed. */
function examplesIn(source: string): string[] {
  const comments = source.match(/\/\*\*[\s\S]*?\*\//g) ?? []
  return comments.flatMap((comment) => {
    const lines = comment
      .replace(/^\/\*\*|\*\/$/g, '')
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
    const examples: string[] = []
    let current: string[] | undefined
    for (const line of lines) {
      if (line.startsWith('@')) {
        if (current) examples.push(current.join('\n').trim())
        current = line.startsWith('@example') ? [] : undefined
      } else current?.push(line)
    }
    if (current) examples.push(current.join('\n').trim())
    return examples
  })
}

describe('TSDoc examples', () => {
  it('are found in every public entry point', () => {
    const missing = entryPoints.filter((file) => examplesIn(readFileSync(join(root, file), 'utf8')).length === 0)
    expect(missing).toEqual([])
  })

  it('run as written and print what their comments say', { timeout: 120_000 }, async () => {
    // One process imports every example in turn (the embedded database and tsx load once).
    const dir = join(root, '.vitest-tmp', `tsdoc-${process.pid}`)
    mkdirSync(dir, { recursive: true })
    try {
      const examples = entryPoints.flatMap((file) =>
        examplesIn(readFileSync(join(root, file), 'utf8')).map((example) => ({ file, example })),
      )
      const scripts = examples.map(({ file, example }, i) => {
        const script = join(dir, `${i}-${file.replace(/\W/g, '-')}.ts`)
        writeFileSync(script, `${example.replace(/from '\.\//g, `from '${relative(dir, root)}/`)}\nexport {}\n`)
        return script
      })
      const runner = join(dir, 'run.ts')
      writeFileSync(
        runner,
        scripts.map((script, i) => `console.log('## ${examples[i]!.file}')\nawait import('./${relative(dir, script)}')\n`).join(''),
      )
      const expected = examples.flatMap(({ file, example }) => [
        `## ${file}`,
        ...example.split('\n').flatMap((line) => /^\s*console\.log\(.*\)\s*\/\/ (.+)$/.exec(line)?.slice(1) ?? []),
      ])
      const { code, stdout, stderr } = await node(['--import', 'tsx', runner])
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
      expect(stdout.trimEnd().split('\n')).toEqual(expected)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

function node(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}
