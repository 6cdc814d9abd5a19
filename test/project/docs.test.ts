import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse, validate } from 'graphql'
import { afterAll, describe, expect, it } from 'vitest'
import type { Io } from '../../cli/command.js'
import { commands } from '../../cli/commands/index.js'
import { run } from '../../cli/main.js'
import { buildSchema } from '../../graphql/schema.js'
import { LIMIT_SETTINGS } from '../../services/limits.js'

/**
 * The documentation is true to the tree: the README and every page of docs/ link only to files and
 * headings that exist, name only CLI commands, flags, npm scripts and benchmarks that exist, and
 * its GraphQL and TypeScript examples validate and run; the references list everything the code
 * has (commands, GraphQL fields, settings, metrics, folders); and nothing in the repository points
 * at notes kept outside it. The README's walkthrough itself is run by readme.test.ts.
 */
const root = fileURLToPath(new URL('../..', import.meta.url))
const read = (path: string) => readFileSync(join(root, path), 'utf8')

function markdownFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(dir, f))
    .sort()
}

const pages = ['README.md', ...markdownFiles('docs')]

interface Block {
  lang: string
  body: string
  /** The heading of the section (##) the block is in. */
  section: string
}

function blocks(text: string): Block[] {
  const out: Block[] = []
  let section = ''
  let open: { lang: string; lines: string[] } | undefined
  for (const line of text.split('\n')) {
    if (open) {
      if (line.startsWith('```')) {
        out.push({ lang: open.lang, body: open.lines.join('\n'), section })
        open = undefined
      } else open.lines.push(line)
    } else if (line.startsWith('```')) open = { lang: line.slice(3).trim(), lines: [] }
    else if (line.startsWith('## ')) section = line.slice(3)
  }
  return out
}

/** The text outside code blocks and inline code. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '')
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2, … */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  for (const line of text.replace(/^```[\s\S]*?^```$/gm, '').split('\n')) {
    const heading = /^#{1,6} (.*)$/.exec(line)?.[1]
    if (heading === undefined) continue
    const base = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .trim()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-')
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    out.add(n === 0 ? base : `${base}-${n}`)
  }
  return out
}

/** Shell words of one command line, up to the first operator (|, >, <, ;, &, #, `)`); quotes removed. */
function shellWords(line: string): string[] {
  const words: string[] = []
  let word = ''
  let quote: string | undefined
  let inWord = false
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined
      else word += ch
      continue
    }
    if (ch === "'" || ch === '"') {
      quote = ch
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else if ('|><;&#)'.includes(ch)) break
    else {
      word += ch
      inWord = true
    }
  }
  if (inWord) words.push(word)
  return words
}

/** Every `revkube …` and `npm …` command line in the `sh` blocks of a page (heredoc bodies skipped). */
function commandLines(block: string): Array<{ tool: 'revkube' | 'npm'; args: string[]; line: string }> {
  const out: Array<{ tool: 'revkube' | 'npm'; args: string[]; line: string }> = []
  let heredoc: string | undefined
  for (const line of block.split('\n')) {
    if (heredoc) {
      if (line.trim() === heredoc) heredoc = undefined
      continue
    }
    heredoc = /<<-?'?(\w+)'?/.exec(line)?.[1]
    for (const part of line.split(/&&|\$\(|\|\|?|;/)) {
      const words = shellWords(part.trim())
      while (words.length && /^[A-Z_]+=/.test(words[0]!)) words.shift() // VAR=value before a command
      if (words[0] === 'npx' && words[1] === 'revkube') words.shift()
      if (words[0] === 'revkube' || words[0] === 'npm') out.push({ tool: words[0], args: words.slice(1), line })
    }
  }
  return out
}

/** The CLI run in-process with `--help` added: the real parser accepts the command and its flags, and nothing is sent. */
async function helpExitCode(args: string[]): Promise<{ code: number; err: string }> {
  let err = ''
  const io: Io = {
    out: () => undefined,
    err: (text) => void (err += text),
    readStdin: async () => new Uint8Array(),
    stdinLines: async function* () {},
    isTTY: false,
    env: {},
    cwd: root,
    now: () => new Date(),
    interrupted: new Promise(() => undefined),
  }
  const code = await run([...args, '--help'], io)
  return { code, err }
}

function relativeLinks(page: string): Array<{ target: string; anchor: string | undefined }> {
  return [...prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((href) => !/^[a-z]+:/i.test(href))
    .map((href) => {
      const [path, anchor] = href.split('#') as [string, string | undefined]
      return { target: path === '' ? page : join(dirname(page), path), anchor }
    })
}

describe('the README and docs/', () => {
  it('link only to files and headings that exist', () => {
    const broken: string[] = []
    for (const page of pages) {
      for (const { target, anchor } of relativeLinks(page)) {
        const full = join(root, target)
        if (!existsSync(full)) broken.push(`${page}: ${target} does not exist`)
        else if (anchor !== undefined && !(statSync(full).isFile() && anchors(readFileSync(full, 'utf8')).has(anchor))) {
          broken.push(`${page}: ${target} has no heading #${anchor}`)
        }
      }
    }
    expect(broken).toEqual([])
  })

  it('link the architecture overview and every docs page from the README or another page', () => {
    const linked = new Set(pages.flatMap((page) => relativeLinks(page).map((l) => relative(root, resolve(root, l.target)))))
    expect(relativeLinks('README.md').map((l) => l.target)).toContain('docs/architecture.md')
    expect(pages.filter((p) => p !== 'README.md' && !linked.has(p))).toEqual([])
  })

  it('name only revkube commands and flags the CLI has, in every sh block', async () => {
    const refused: string[] = []
    let checked = 0
    for (const page of pages) {
      const walkthrough = (b: Block) => page === 'README.md' && b.section.startsWith('Walkthrough') // run as written by readme.test.ts
      for (const block of blocks(read(page)).filter((b) => b.lang === 'sh' && !walkthrough(b))) {
        for (const { tool, args, line } of commandLines(block.body)) {
          if (tool !== 'revkube') continue
          const { code, err } = await helpExitCode(args)
          if (code !== 0) refused.push(`${page}: ${line.trim()} → ${err.trim()}`)
          checked++
        }
      }
    }
    expect(refused).toEqual([])
    expect(checked).toBeGreaterThan(20)
  })

  it('name only npm scripts and benchmarks that exist', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>
    const benchmarks = readdirSync(join(root, 'bench')).flatMap((f) => (f.endsWith('.bench.ts') ? [f.slice(0, -'.bench.ts'.length)] : []))
    const missing: string[] = []
    for (const page of pages) {
      const text = read(page)
      for (const block of blocks(text).filter((b) => b.lang === 'sh')) {
        for (const { tool, args, line } of commandLines(block.body)) {
          if (tool !== 'npm') continue
          const script = args[0] === 'run' ? args[1] : args[0] === 'start' || args[0] === 'test' ? args[0] : undefined
          if (script !== undefined && !(script in scripts)) missing.push(`${page}: ${line.trim()}`)
          const named = script === 'bench' && args.includes('--') ? args.slice(args.indexOf('--') + 1) : []
          for (const name of named) if (!benchmarks.includes(name)) missing.push(`${page}: benchmark ${name}`)
        }
      }
      for (const m of text.matchAll(/`npm run ([\w:-]+)(?: -- ([\w-]+))?/g)) {
        if (!(m[1]! in scripts)) missing.push(`${page}: npm run ${m[1]}`)
        if (m[1] === 'bench' && m[2] && m[2] !== 'NAME' && !benchmarks.includes(m[2])) missing.push(`${page}: benchmark ${m[2]}`)
      }
    }
    expect(missing).toEqual([])
  })

  it('give GraphQL examples that validate against the schema', () => {
    const schema = buildSchema()
    const invalid: string[] = []
    for (const page of pages) {
      for (const block of blocks(read(page)).filter((b) => b.lang === 'graphql')) {
        for (const error of validate(schema, parse(block.body))) invalid.push(`${page}: ${error.message}`)
      }
    }
    expect(invalid).toEqual([])
  })

  it('give TypeScript examples that run as written and print what their comments say', { timeout: 120_000 }, async () => {
    const examples = pages.flatMap((page) =>
      blocks(read(page))
        .filter((b) => b.lang === 'ts' && b.body.includes('await '))
        .map((b) => ({ page, body: b.body })),
    )
    expect(examples.map((e) => e.page)).toEqual(expect.arrayContaining(['docs/resource-api.md', 'docs/store-api.md']))
    const dir = join(root, '.vitest-tmp', `docs-${process.pid}`)
    mkdirSync(dir, { recursive: true })
    try {
      for (const [i, { page, body }] of examples.entries()) {
        const file = join(dir, `example-${i}.ts`)
        writeFileSync(file, body.replace(/from '\.\//g, `from '${relative(dir, root)}/`))
        const expected = body.split('\n').flatMap((line) => /^\s*console\.log\(.*\)\s*\/\/ (.+)$/.exec(line)?.slice(1) ?? [])
        const { code, stdout, stderr } = await node(['--import', 'tsx', file])
        expect({ page, code, stderr }).toEqual({ page, code: 0, stderr: '' })
        expect({ page, printed: stdout.trimEnd().split('\n') }).toEqual({ page, printed: expected })
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('the references list everything the code has', () => {
  it('the CLI reference names every command and subcommand', () => {
    // A row of the commands table names the command first in a code span (`get KIND`, `cordon`) and
    // its subcommands after it (`rollout status\|history\|undo…`, `auth whoami`, `auth can-i …`).
    const rows = read('docs/cli.md')
      .split('\n')
      .filter((line) => line.startsWith('| `'))
    const missing = commands.filter((command) => {
      const [first, ...rest] = command.name.split(' ') as [string, ...string[]]
      const own = rows.filter((row) => new RegExp('`' + first + '[ `]').test(row))
      return !own.some((row) => rest.every((word) => row.includes(word)))
    })
    expect(missing.map((command) => command.name)).toEqual([])
  })

  it('the GraphQL reference names every query, mutation and subscription', () => {
    const doc = read('docs/graphql.md')
    const schema = buildSchema()
    const missing = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
      Object.keys(type?.getFields() ?? {})
        .filter((field) => !new RegExp('`' + field + '[`(:]').test(doc))
        .map((field) => `${type!.name}.${field}`),
    )
    expect(missing).toEqual([])
  })

  it('the configuration and limits pages name every environment variable the server and CLI read', () => {
    const source = ['services', 'graphql', 'cli', 'projections'].flatMap((dir) =>
      readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => readFileSync(join(root, dir, f), 'utf8')),
    )
    const variables = new Set(
      source.flatMap((text) => [...text.matchAll(/\b(REVKUBE_[A-Z_]+|DATABASE_URL|LOG_LEVEL|LOG_FORMAT|PORT|HOST)\b/g)].map((m) => m[1]!)),
    )
    const documented = read('docs/configuration.md') + read('docs/limits.md')
    expect([...variables].filter((v) => !documented.includes(`\`${v}\``)).sort()).toEqual([])
    const limitRows = read('docs/limits.md')
      .split('\n')
      .filter((line) => line.startsWith('|'))
    const unlisted = Object.values(LIMIT_SETTINGS).filter((setting) => !limitRows.some((row) => row.includes(`\`${setting.variable}\``)))
    expect(unlisted.map((setting) => setting.variable)).toEqual([])
  })

  it('the operations page names every metric the server serves', () => {
    const metrics = [...read('services/app/metrics.ts').matchAll(/name: '(revkube_[a-z_]+)'/g)].map((m) => m[1]!)
    expect(metrics.length).toBeGreaterThan(5)
    const operations = read('docs/operations.md')
    expect(metrics.filter((name) => !operations.includes(`\`${name}`))).toEqual([])
  })

  it('the layouts name folders that exist, and docs/layout.md every top-level folder and every folder of services/', () => {
    const layoutBlocks = [...blocks(read('docs/layout.md')), ...blocks(read('README.md')).filter((b) => b.section === 'Layout')]
    const named = layoutBlocks.flatMap((b) =>
      b.body.split('\n').flatMap((line) => {
        const words = line.startsWith(' ') ? [] : line.split(/\s+/)
        const folders: string[] = []
        for (const word of words)
          if (word.endsWith('/')) folders.push(word)
          else if (word !== '') break
        return folders
      }),
    )
    expect(named.filter((folder) => !existsSync(join(root, folder)))).toEqual([])
    const ignored = new Set(['node_modules', '.git', ...ignoredFolders()])
    const folders = (dir: string) =>
      readdirSync(join(root, dir), { withFileTypes: true })
        .filter((e) => e.isDirectory() && !ignored.has(e.name))
        .map((e) => `${dir ? `${dir}/` : ''}${e.name}/`)
    const layout = read('docs/layout.md')
    expect([...folders(''), ...folders('services')].filter((folder) => !layout.includes(folder))).toEqual([])
  })
})

describe('the repository', () => {
  it('refers to no notes kept outside it', () => {
    // Spelled in pieces, so this file does not match itself.
    const outside = [
      ['DESIGN', 'md'],
      ['STYLE', 'md'],
    ].map((p) => p.join('.'))
    outside.push(
      ...[
        ['k8s', 'reference'],
        ['store', 'notes'],
        ['api', 'notes'],
        ['perf', 'baselines'],
      ].map((p) => p.join('-')),
    )
    outside.push(['..', 'shared'].join('/'), ['', 'work', 'shared'].join('/'))
    const ignored = new Set(['node_modules', '.git', ...ignoredFolders()])
    const found: string[] = []
    const walk = (dir: string) => {
      for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) {
          if (!ignored.has(entry.name)) walk(path)
          continue
        }
        if (!entry.isFile() || entry.name.endsWith('.log')) continue
        const text = readFileSync(join(root, path), 'utf8')
        if (text.includes('\u0000')) continue
        text.split('\n').forEach((line, i) => {
          for (const name of outside) if (line.includes(name)) found.push(`${path}:${i + 1}: ${name}`)
        })
      }
    }
    walk('')
    expect(found).toEqual([])
  })
})

/** Folders .gitignore names (`data/`, `scratch/`, …): not part of the repository. */
function ignoredFolders(): string[] {
  return read('.gitignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.endsWith('/') && !line.startsWith('#'))
    .map((line) => line.replace(/^\/|\/$/g, ''))
}

function node(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.once('error', reject)
    child.once('close', (code) => resolvePromise({ code, stdout, stderr }))
  })
}

afterAll(() => {
  rmSync(join(root, '.vitest-tmp', `docs-${process.pid}`), { recursive: true, force: true })
})
